/// Splits template source into tokens by scanning UTF-8 bytes.
///
/// Delimiter changes take effect immediately, so the scan is strictly left to right.
struct Tokenizer {
    let source: [UInt8]
    let templateName: String
    private var delimiters = Delimiters.standard
    private var position = 0
    private(set) var tokens: [Token] = []

    init(source: [UInt8], templateName: String) {
        self.source = source
        self.templateName = templateName
    }

    static func tokenize(_ source: [UInt8], templateName: String) throws(MustacheParseError) -> [Token] {
        var tokenizer = Tokenizer(source: source, templateName: templateName)
        try tokenizer.run()
        return tokenizer.tokens
    }

    private func error(at offset: Int, _ message: String) -> MustacheParseError {
        MustacheParseError(templateName: templateName, source: source, offset: offset, message: message)
    }

    private mutating func run() throws(MustacheParseError) {
        while position < source.count {
            guard let tagStart = find(delimiters.open, from: position) else {
                appendText(position..<source.count)
                position = source.count
                break
            }
            appendText(position..<tagStart)
            try readTag(at: tagStart)
        }
    }

    /// Finds `needle` at or after `start`; a first-byte check keeps the common case cheap.
    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard let first = needle.first, needle.count <= source.count else { return nil }
        let last = source.count - needle.count
        var i = start
        while i <= last {
            if source[i] == first {
                var j = 1
                while j < needle.count, source[i + j] == needle[j] { j += 1 }
                if j == needle.count { return i }
            }
            i += 1
        }
        return nil
    }

    /// Emits text and newline tokens for a literal range.
    private mutating func appendText(_ range: Range<Int>) {
        var lineStart = range.lowerBound
        var i = range.lowerBound
        while i < range.upperBound {
            if source[i] == 0x0A {
                var textEnd = i
                var newline = "\n"
                if textEnd > lineStart, source[textEnd - 1] == 0x0D {
                    textEnd -= 1
                    newline = "\r\n"
                }
                if textEnd > lineStart {
                    tokens.append(Token(kind: .text, content: string(lineStart..<textEnd), offset: lineStart, delimiters: delimiters))
                }
                tokens.append(Token(kind: .newline, content: newline, offset: textEnd, delimiters: delimiters))
                lineStart = i + 1
            }
            i += 1
        }
        if range.upperBound > lineStart {
            tokens.append(Token(kind: .text, content: string(lineStart..<range.upperBound), offset: lineStart, delimiters: delimiters))
        }
    }

    private func string(_ range: Range<Int>) -> String {
        String(decoding: source[range], as: UTF8.self)
    }

    private func trimmed(_ range: Range<Int>) -> String {
        var lower = range.lowerBound
        var upper = range.upperBound
        while lower < upper, isWhitespace(source[lower]) { lower += 1 }
        while upper > lower, isWhitespace(source[upper - 1]) { upper -= 1 }
        return string(lower..<upper)
    }

    private func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// The characters after the opening delimiter that give a tag its kind (besides `{` and `=`).
    private static let sigils: [UInt8] = Array("!#^/&$><".utf8)

    private mutating func readTag(at tagStart: Int) throws(MustacheParseError) {
        let bodyStart = tagStart + delimiters.open.count
        let sigil: UInt8? = bodyStart < source.count ? source[bodyStart] : nil

        // Triple mustache: the body is closed by "}" followed by the closing delimiter.
        if sigil == UInt8(ascii: "{") {
            let closer = [UInt8(ascii: "}")] + delimiters.close
            guard let end = find(closer, from: bodyStart + 1) else {
                throw error(at: tagStart, "unclosed tag \(delimiters.openText){... (expected }\(delimiters.closeText))")
            }
            let name = trimmed(bodyStart + 1..<end)
            try requireName(name, at: tagStart)
            tokens.append(Token(kind: .variable(escaped: false), content: name, offset: tagStart, delimiters: delimiters))
            position = end + closer.count
            return
        }

        // Set delimiters: the body is closed by "=" followed by the closing delimiter.
        if sigil == UInt8(ascii: "=") {
            let closer = [UInt8(ascii: "=")] + delimiters.close
            guard let end = find(closer, from: bodyStart + 1) else {
                throw error(at: tagStart, "unclosed set-delimiter tag (expected =\(delimiters.closeText))")
            }
            let replacement = try parseDelimiters(bodyStart + 1..<end, tagStart: tagStart)
            tokens.append(Token(kind: .setDelimiters, content: "", offset: tagStart, delimiters: delimiters))
            delimiters = replacement
            position = end + closer.count
            return
        }

        // The sigil belongs to the tag, not to its closing delimiter: with `{{=[ >]=}}`, `[>]`
        // is an unclosed partial tag, not a tag closed before its own sigil (which trapped on
        // an inverted range; found by Fuzz/fuzz-mustache). mustache.js reads the sigil first too.
        let hasSigil = sigil.map { Self.sigils.contains($0) } ?? false
        guard let end = find(delimiters.close, from: hasSigil ? bodyStart + 1 : bodyStart) else {
            throw error(at: tagStart, "unclosed tag (expected \(delimiters.closeText))")
        }
        position = end + delimiters.close.count

        let kind: Token.Kind
        var nameStart = bodyStart + 1
        switch sigil {
        case UInt8(ascii: "!"):
            tokens.append(Token(kind: .comment, content: "", offset: tagStart, delimiters: delimiters))
            return
        case UInt8(ascii: "#"): kind = .section
        case UInt8(ascii: "^"): kind = .invertedSection
        case UInt8(ascii: "/"): kind = .close
        case UInt8(ascii: "&"): kind = .variable(escaped: false)
        case UInt8(ascii: "$"): kind = .block
        case UInt8(ascii: ">"), UInt8(ascii: "<"):
            // A leading "*" (after optional padding) makes the name dynamic: it is looked up in the context.
            var i = bodyStart + 1
            while i < end, isWhitespace(source[i]) { i += 1 }
            let dynamic = i < end && source[i] == UInt8(ascii: "*")
            if dynamic { nameStart = i + 1 }
            kind = sigil == UInt8(ascii: ">") ? .partial(dynamic: dynamic) : .parent(dynamic: dynamic)
        default:
            kind = .variable(escaped: true)
            nameStart = bodyStart
        }
        let name = trimmed(nameStart..<end)
        if kind == .close, name.hasPrefix("*") {
            // Closing tags of dynamic parents repeat the "*"; padding after it is allowed as when opening.
            let rest = name.dropFirst().trimmingPrefix(while: { $0 == " " || $0 == "\t" })
            try requireName(String(rest), at: tagStart)
            tokens.append(Token(kind: kind, content: "*" + rest, offset: tagStart, delimiters: delimiters))
            return
        }
        try requireName(name, at: tagStart)
        tokens.append(Token(kind: kind, content: name, offset: tagStart, delimiters: delimiters))
    }

    private func requireName(_ name: String, at offset: Int) throws(MustacheParseError) {
        if name.isEmpty {
            throw error(at: offset, "empty tag name")
        }
    }

    private func parseDelimiters(_ range: Range<Int>, tagStart: Int) throws(MustacheParseError) -> Delimiters {
        let parts = source[range].split(whereSeparator: isWhitespace)
        let usage = "expected \(delimiters.openText)=<open> <close>=\(delimiters.closeText), two delimiters without whitespace or '='"
        guard parts.count == 2 else {
            throw error(at: tagStart, "invalid set-delimiter tag \(delimiters.spell("=" + string(range) + "=")) (\(usage))")
        }
        let open = Array(parts[0])
        let close = Array(parts[1])
        if open.contains(UInt8(ascii: "=")) || close.contains(UInt8(ascii: "=")) {
            throw error(at: tagStart, "invalid set-delimiter tag \(delimiters.spell("=" + string(range) + "=")) (\(usage))")
        }
        return Delimiters(open: open, close: close)
    }
}
