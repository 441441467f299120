/// Block-style YAML for a JSON value: the committed `openapi.yaml` is written with it, so the
/// package needs no YAML library.
///
/// The output is meant to read back as exactly the same value with any YAML 1.2 reader, and with
/// YAML 1.1 readers (PyYAML, older Ruby and Java ones) too: a string goes unquoted only when no
/// reader could take it for anything else (a number, a boolean, null, a date, an indicator, a
/// comment); every other string is double-quoted with JSON's escapes, which YAML's double-quoted
/// style shares. Keys are sorted, so one value always gives one text and diffs stay small.
public enum YAMLEmitter {
    public static func emit(_ value: JSONValue) -> String {
        lines(value).joined(separator: "\n") + "\n"
    }

    /// The value as lines starting at column 0; a parent indents its children's lines.
    static func lines(_ value: JSONValue) -> [String] {
        if let inline = inline(value) { return [inline] }
        var lines: [String] = []
        switch value {
        case .object(let members):
            for key in members.keys.sorted() {
                let member = members[key]!
                let name = scalar(key)
                // YAML limits an implicit key to 1024 characters; longer ones need the explicit form.
                if name.count > 1000 {
                    lines.append("? " + name)
                    lines += nested(member, after: ":")
                } else {
                    lines += nested(member, after: name + ":")
                }
            }
        case .array(let items):
            for item in items {
                if let inline = inline(item) {
                    lines.append("- " + inline)
                } else {
                    // A container starts on the dash's line ("- key: value", "- - item") and its
                    // other lines align under its first one.
                    let itemLines = Self.lines(item)
                    lines.append("- " + itemLines[0])
                    lines += itemLines.dropFirst().map { "  " + $0 }
                }
            }
        default:
            break
        }
        return lines
    }

    private static func nested(_ value: JSONValue, after prefix: String) -> [String] {
        if let inline = inline(value) { return [prefix + " " + inline] }
        return [prefix] + lines(value).map { "  " + $0 }
    }

    /// Scalars and empty containers fit on their key's line; other containers are blocks.
    static func inline(_ value: JSONValue) -> String? {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): Self.number(number)
        case .string(let text): scalar(text)
        case .array(let items): items.isEmpty ? "[]" : nil
        case .object(let members): members.isEmpty ? "{}" : nil
        }
    }

    /// Always a float to both YAML versions: 1.1 takes `1e+20` for a string, so the mantissa
    /// keeps a dot.
    static func number(_ number: Double) -> String {
        if number.isNaN { return ".nan" }
        if number.isInfinite { return number < 0 ? "-.inf" : ".inf" }
        var text = "\(number)"
        if !text.contains("."), let exponent = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            text.insert(contentsOf: ".0", at: exponent)
        }
        return text
    }

    /// The text unquoted when that is unambiguous, else double-quoted.
    static func scalar(_ text: String) -> String {
        isPlainSafe(text) ? text : quoted(text)
    }

    /// Words YAML 1.1 or 1.2 reads as null or booleans when unquoted, in any case.
    private static let reservedWords: Set<String> = ["null", "true", "false", "yes", "no", "on", "off", "y", "n"]

    /// Conservative on purpose: a letter, `/`, `$` or `_` first (so never a number, date,
    /// indicator or `.inf`), then only characters that mean nothing to YAML in block context
    /// (no `:` or `#`, which could start a mapping or a comment), no trailing space, and not a
    /// word YAML reads as null or a boolean.
    static func isPlainSafe(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return false }
        guard isASCIILetter(first) || first == "/" || first == "$" || first == "_" else { return false }
        guard last != " " else { return false }
        guard text.unicodeScalars.allSatisfy({ isASCIILetter($0) || ("0"..."9").contains($0) || plainPunctuation.contains($0) }) else {
            return false
        }
        return !reservedWords.contains(text.lowercased())
    }

    private static let plainPunctuation: Set<Unicode.Scalar> = [" ", "_", "-", ".", "/", "$", "(", ")", ",", ";", "'", "+", "=", "@"]

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    /// A double-quoted scalar that is also a JSON string. Besides what JSON must escape, the
    /// characters YAML does not allow raw or reads as line breaks (DEL, C1 controls with NEL, the
    /// Unicode line and paragraph separators, BOM, U+FFFE/U+FFFF) are escaped as `\uXXXX`.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\u{08}": result += "\\b"
            case "\t": result += "\\t"
            case "\n": result += "\\n"
            case "\u{0C}": result += "\\f"
            case "\r": result += "\\r"
            default:
                let value = scalar.value
                if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0x2028 || value == 0x2029
                    || value == 0xFEFF || value == 0xFFFE || value == 0xFFFF {
                    let hex = String(value, radix: 16, uppercase: true)
                    result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result + "\""
    }
}
