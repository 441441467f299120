/// Bounds on the shape of a request body, beyond its size (MAILER_MAX_BODY_BYTES): no request
/// needs more, and each bound stops a small body from costing much (deep recursion, a huge string
/// copied into every template variable, an object with a million members).
enum JSONLimits {
    /// Objects and arrays inside each other, the body itself counting as 1.
    static let maximumDepth = 16
    /// Any string and any member name, in Unicode scalars; attachments[].content (base64) is
    /// bounded only by the body size.
    static let maximumStringLength = 10_000
    /// Members of one object, elements of one array.
    static let maximumMembers = 1000

    /// Where the nesting scan is: in an array at an index, or in an object after a key.
    private enum Level {
        case array(index: Int)
        case object(key: [UInt8]?, expectingKey: Bool)
    }

    /// Runs over the raw bytes before decoding, since the decoder itself recurses once per level:
    /// `[[[[…` 100 000 deep must be refused here, never reach it. Tracks where it is, so the
    /// refusal names the path like every other. Malformed JSON passes through to the decoder,
    /// which says what is wrong with it.
    static func checkNesting(_ bytes: some Sequence<UInt8>) throws(Problem) {
        var levels: [Level] = []
        var inString = false
        var escaped = false
        var readingKey = false
        var key: [UInt8] = []
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if readingKey, case .object? = levels.last { levels[levels.count - 1] = .object(key: key, expectingKey: false) }
                    continue
                }
                if readingKey, key.count < 200 { key.append(byte) }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""):
                inString = true
                readingKey = if case .object(_, true)? = levels.last { true } else { false }
                key = []
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard levels.count < maximumDepth else {
                    let field = path(levels.map { level -> PathComponent in
                        switch level {
                        case .array(let index): .index(index)
                        case .object(let key, _): .member(key.map { String(decoding: $0, as: UTF8.self) } ?? "?")
                        }
                    })
                    throw Problem.validation(field, "'\(field)' nests objects and arrays more than \(maximumDepth) deep; send flatter data")
                }
                levels.append(byte == UInt8(ascii: "{") ? .object(key: nil, expectingKey: true) : .array(index: 0))
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if !levels.isEmpty { levels.removeLast() }
            case UInt8(ascii: ","):
                switch levels.last {
                case .array(let index)?: levels[levels.count - 1] = .array(index: index + 1)
                case .object?: levels[levels.count - 1] = .object(key: nil, expectingKey: true)
                case nil: break
                }
            default:
                break
            }
        }
    }

    /// Walks the decoded body (no deeper than `maximumDepth`, which `checkNesting` made sure of).
    static func check(_ value: JSONValue) throws(Problem) {
        try check(value, at: [])
    }

    typealias PathComponent = JSONPathComponent

    static func path(_ components: [PathComponent]) -> String { JSONPathComponent.text(components) }

    private static func check(_ value: JSONValue, at components: [PathComponent]) throws(Problem) {
        switch value {
        case .string(let text):
            guard text.unicodeScalars.count > maximumStringLength, !isAttachmentContent(components) else { return }
            let field = path(components)
            throw Problem.validation(field, "'\(field)' is longer than \(maximumStringLength) characters; send a shorter text, or a link to the content")
        case .array(let elements):
            guard elements.count <= maximumMembers else {
                let field = path(components)
                throw Problem.validation(field, "'\(field)' has \(elements.count) elements; at most \(maximumMembers) are accepted in one array")
            }
            for (index, element) in elements.enumerated() { try check(element, at: components + [.index(index)]) }
        case .object(let members):
            guard members.count <= maximumMembers else {
                let field = path(components)
                throw Problem.validation(field, "'\(field)' has \(members.count) members; at most \(maximumMembers) are accepted in one object")
            }
            for name in members.keys.sorted() {
                guard name.unicodeScalars.count <= maximumStringLength else {
                    let field = path(components + [.member(String(name.prefix(40)) + "…")])
                    throw Problem.validation(field, "a member name of '\(path(components))' is longer than \(maximumStringLength) characters")
                }
                try check(members[name]!, at: components + [.member(name)])
            }
        case .null, .bool, .int, .double:
            return
        }
    }

    /// `attachments[N].content`: files in base64, whose size the body limit bounds.
    private static func isAttachmentContent(_ components: [PathComponent]) -> Bool {
        guard components.count == 3, components[0] == .member("attachments"), case .index = components[1] else { return false }
        return components[2] == .member("content")
    }
}
