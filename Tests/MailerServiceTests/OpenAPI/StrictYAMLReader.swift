import Foundation
@testable import MailerService

/// Reads back the block-style YAML `YAMLEmitter` writes, to check it means the value it was
/// written from. Strict where the emitter must be careful: an unquoted scalar that some YAML
/// 1.1 or 1.2 reader would take for something other than a string (`yes`, `~`, `0x1F`, `1:20`,
/// `2001-12-14`, `a: b`, `#x`, `- x`...) is an error here, unless it is written exactly as the
/// null, boolean or number the emitter meant.
struct StrictYAMLReader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    private var lines: [(number: Int, indent: Int, text: Substring)]
    private var index = 0

    static func read(_ text: String) throws -> JSONValue {
        guard text.hasSuffix("\n") else { throw Failure(description: "the text does not end with a line break") }
        var reader = StrictYAMLReader(lines: [])
        for (offset, line) in text.dropLast().split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = line.prefix { $0 == " " }.count
            if line.contains("\t") && !line.contains("\"") { throw Failure(description: "line \(offset + 1): a tab outside quotes") }
            guard indent < line.count else { throw Failure(description: "line \(offset + 1) is blank") }
            reader.lines.append((offset + 1, indent, line.dropFirst(indent)))
        }
        guard !reader.lines.isEmpty else { throw Failure(description: "no content") }
        let value = try reader.node(indent: reader.lines[0].indent)
        if reader.index < reader.lines.count { throw reader.failure("unexpected line") }
        return value
    }

    private func failure(_ message: String) -> Failure {
        let line = index < lines.count ? "line \(lines[index].number): \(lines[index].text)" : "end of text"
        return Failure(description: "\(message) at \(line)")
    }

    private mutating func node(indent: Int) throws -> JSONValue {
        let text = lines[index].text
        if text == "-" || text.hasPrefix("- ") { return try sequence(indent: indent) }
        if try text.hasPrefix("? ") || Self.splitKey(text) != nil { return try mapping(indent: indent) }
        index += 1
        return try Self.scalar(text)
    }

    private mutating func sequence(indent: Int) throws -> JSONValue {
        var items: [JSONValue] = []
        while index < lines.count, lines[index].indent == indent, lines[index].text.hasPrefix("- ") {
            let rest = lines[index].text.dropFirst(2)
            if try rest.hasPrefix("- ") || rest.hasPrefix("? ") || Self.splitKey(rest) != nil {
                // A container that starts on the dash's line continues two columns further in.
                lines[index] = (lines[index].number, indent + 2, rest)
                items.append(try node(indent: indent + 2))
            } else {
                index += 1
                items.append(try Self.scalar(rest))
            }
        }
        return .array(items)
    }

    private mutating func mapping(indent: Int) throws -> JSONValue {
        var members: [String: JSONValue] = [:]
        while index < lines.count, lines[index].indent == indent {
            let text = lines[index].text
            let key: String
            var rest: Substring
            if text.hasPrefix("? ") {
                guard case .string(let name) = try Self.scalar(text.dropFirst(2)) else { throw failure("a key that is not a string") }
                key = name
                index += 1
                guard index < lines.count, lines[index].indent == indent, lines[index].text.hasPrefix(":") else { throw failure("an explicit key without ':'") }
                rest = lines[index].text.dropFirst()
            } else {
                guard let (name, value) = try Self.splitKey(text) else { throw failure("expected 'key: value'") }
                key = name
                rest = value
            }
            guard members[key] == nil else { throw failure("key \(key) twice") }
            if rest.isEmpty {
                index += 1
                guard index < lines.count, lines[index].indent > indent else { throw failure("'\(key):' without a value") }
                members[key] = try node(indent: lines[index].indent)
            } else {
                guard rest.hasPrefix(" ") else { throw failure("no space after ':'") }
                index += 1
                members[key] = try Self.scalar(rest.dropFirst())
            }
        }
        return .object(members)
    }

    /// `key: rest` or `key:` → (key, " rest" or ""); nil when the line is not a mapping entry.
    private static func splitKey(_ text: Substring) throws -> (String, Substring)? {
        if text.hasPrefix("\"") {
            let end = try closingQuote(text)
            let after = text[end...].dropFirst()
            guard after.hasPrefix(":") else { return nil }
            guard case .string(let key) = try scalar(text[...end]) else { return nil }
            return (key, after.dropFirst())
        }
        if let range = text.range(of: ": ") {
            return (String(text[..<range.lowerBound]), text[range.lowerBound...].dropFirst())
        }
        if text.hasSuffix(":") { return (String(text.dropLast()), "") }
        return nil
    }

    private static func closingQuote(_ text: Substring) throws -> Substring.Index {
        var position = text.index(after: text.startIndex)
        while position < text.endIndex {
            switch text[position] {
            case "\\": position = text.index(position, offsetBy: 2, limitedBy: text.endIndex) ?? text.endIndex
            case "\"": return position
            default: position = text.index(after: position)
            }
        }
        throw Failure(description: "unterminated quoted scalar: \(text)")
    }

    private static func scalar(_ text: Substring) throws -> JSONValue {
        if text.hasPrefix("\"") {
            guard try closingQuote(text) == text.index(before: text.endIndex) else {
                throw Failure(description: "text after a quoted scalar: \(text)")
            }
            // The emitter promises JSON-compatible escapes: JSON's reader must agree.
            return .string(try JSONDecoder().decode(String.self, from: Data(text.utf8)))
        }
        switch text {
        case "null": return .null
        case "true": return .bool(true)
        case "false": return .bool(false)
        case "[]": return .array([])
        case "{}": return .object([:])
        case ".inf": return .double(.infinity)
        case "-.inf": return .double(-.infinity)
        case ".nan": return .double(.nan)
        default: break
        }
        if text.wholeMatch(of: /-?(0|[1-9][0-9]*)/) != nil, let number = Int(text) { return .int(number) }
        if text.wholeMatch(of: /-?[0-9]+\.[0-9]+([eE][-+][0-9]+)?/) != nil, let number = Double(text) { return .double(number) }
        try checkUnambiguous(text)
        return .string(String(text))
    }

    private static let nonStrings: Set<String> = ["null", "~", "true", "false", "yes", "no", "on", "off", "y", "n"]

    private static func checkUnambiguous(_ text: Substring) throws {
        func ambiguous(_ why: String) -> Failure { Failure(description: "unquoted \(why): \(text)") }
        guard let first = text.first, let last = text.last else { throw ambiguous("empty scalar") }
        if nonStrings.contains(text.lowercased()) { throw ambiguous("null or boolean word") }
        if first.isNumber || "+-.".contains(first) { throw ambiguous("number, date or indicator") }
        if "-?:,[]{}#&*!|>'\"%@`<=~".contains(first) { throw ambiguous("indicator") }
        if text.contains(": ") || text.contains(" #") || last == ":" { throw ambiguous("mapping or comment") }
        if last == " " { throw ambiguous("trailing space") }
        for scalar in text.unicodeScalars where scalar.value < 0x20 || scalar.value >= 0x7F {
            throw ambiguous("control or non-ASCII character U+\(String(scalar.value, radix: 16))")
        }
    }
}
