import Foundation

/// Reads a request body (UTF-8 bytes) straight into a `JSONValue`, in one pass and without
/// Foundation's `JSONDecoder` and its Codable machinery.
///
/// It gives what `JSONDecoder().decode(JSONValue.self, ...)` gave, value for value:
/// - a number without fraction or exponent that fits `Int` is `.int`; any other number that is a
///   whole number below 2^53 in magnitude (`1.0`, `1e2`, `1e-400`) is `.int` too, as is a larger
///   whole number the decoder read exactly (`1e18`); the rest is `.double`; a number beyond
///   `Double`'s range (`1e400`) is an error;
/// - of a member name given twice, the first value counts;
/// - one comma after the last element or member (`[1,]`, `{"a": 1,}`) is accepted, as the
///   decoder accepts it; `[,]` and `[1,,]` are not;
/// - strings must be valid UTF-8; `\uD800`-style lone surrogates are refused;
/// - a leading UTF-8 byte order mark is skipped; a top-level scalar (`"text"`, `1`) is a value.
///
/// Errors say what was found and where: line and column (counting characters from 1), and the
/// member or element it is in (`data.items[3]`).
struct JSONReader {
    /// Why the bytes are not JSON, and where.
    struct SyntaxError: Error, Equatable, CustomStringConvertible {
        let reason: String
        /// Bytes from the start of the body.
        let offset: Int
        let line: Int
        let column: Int
        /// The member or element the error is in, innermost first (errors gather it on their way out).
        private(set) var reversedPath: [JSONLimits.PathComponent] = []

        init(reason: String, offset: Int, line: Int, column: Int) {
            self.reason = reason
            self.offset = offset
            self.line = line
            self.column = column
        }

        /// `data.items[3]`, as problems name fields; empty for the body itself.
        var path: String { reversedPath.isEmpty ? "" : JSONLimits.path(reversedPath.reversed()) }

        var description: String {
            "\(reason) at line \(line), column \(column)" + (reversedPath.isEmpty ? "" : " (in \(path))")
        }

        func within(_ component: JSONLimits.PathComponent) -> SyntaxError {
            var error = self
            error.reversedPath.append(component)
            return error
        }
    }

    /// Deeper than this is refused rather than recursed into. `JSONLimits.checkNesting` stops
    /// request bodies far earlier; this bound only keeps the reader safe on its own.
    static let maximumDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private var position = 0
    private var depth = 0

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The one JSON value `bytes` hold, with nothing but whitespace around it.
    static func read(_ bytes: UnsafeRawBufferPointer) throws(SyntaxError) -> JSONValue {
        try read(bytes.assumingMemoryBound(to: UInt8.self))
    }

    static func read(_ bytes: UnsafeBufferPointer<UInt8>) throws(SyntaxError) -> JSONValue {
        var reader = JSONReader(bytes)
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { reader.position = 3 }
        reader.skipWhitespace()
        let value = try reader.readValue()
        reader.skipWhitespace()
        if reader.position < bytes.count {
            throw reader.error("unexpected \(reader.found(at: reader.position)) after the JSON value; the body must hold one value")
        }
        return value
    }

    static func read(_ bytes: some Collection<UInt8>) throws(SyntaxError) -> JSONValue {
        let result: Result<JSONValue, SyntaxError>? = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(SyntaxError) in try read(buffer) }
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBufferPointer { buffer in Result { () throws(SyntaxError) in try read(buffer) } }.get()
    }

    /// True when `bytes` look like UTF-16 or UTF-32 JSON (a NUL in the first two bytes, or a
    /// UTF-16 byte order mark), which `JSONDecoder` detects and converts; UTF-8 JSON never holds
    /// a NUL byte (inside strings it must be escaped).
    static func looksLikeWideEncoding(_ bytes: some Collection<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        guard let first = iterator.next() else { return false }
        guard let second = iterator.next() else { return first == 0 }
        return first == 0 || second == 0 || (first == 0xFE && second == 0xFF) || (first == 0xFF && second == 0xFE)
    }

    // MARK: - Values

    private mutating func readValue() throws(SyntaxError) -> JSONValue {
        guard position < bytes.count else { throw error("unexpected end of the body; expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try readObject()
        case UInt8(ascii: "["): return try readArray()
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw error("unexpected \(found(at: position)); expected a value (an object, array, string, number, true, false or null)")
        }
    }

    private mutating func readObject() throws(SyntaxError) -> JSONValue {
        try enter()
        position += 1  // {
        var members: [(String, JSONValue)] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object([:])
        }
        while true {
            guard position < bytes.count else { throw error("unexpected end of the body inside an object; expected a member name") }
            guard bytes[position] == UInt8(ascii: "\"") else {
                throw error("unexpected \(found(at: position)); expected a member name in double quotes")
            }
            let name = try readString()
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of the body; expected ':' after the member name") }
            guard bytes[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(found(at: position)); expected ':' after the member name")
            }
            position += 1
            skipWhitespace()
            let value: JSONValue
            do {
                value = try readValue()
            } catch {
                throw error.within(.member(name))
            }
            // Collected in order, hashed once at the end; of two equal names the first counts, as
            // with JSONDecoder.
            members.append((name, value))
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of the body inside an object; expected ',' or '}'") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                // One trailing comma is accepted, as JSONDecoder accepts it.
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
                    position += 1
                    depth -= 1
                    return .object(Dictionary(members, uniquingKeysWith: { first, _ in first }))
                }
            case UInt8(ascii: "}"):
                position += 1
                depth -= 1
                return .object(Dictionary(members, uniquingKeysWith: { first, _ in first }))
            default:
                throw error("unexpected \(found(at: position)) after an object member; expected ',' or '}'")
            }
        }
    }

    private mutating func readArray() throws(SyntaxError) -> JSONValue {
        try enter()
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(elements)
        }
        while true {
            do {
                elements.append(try readValue())
            } catch {
                throw error.within(.index(elements.count))
            }
            skipWhitespace()
            guard position < bytes.count else { throw error("unexpected end of the body inside an array; expected ',' or ']'") }
            switch bytes[position] {
            case UInt8(ascii: ","):
                position += 1
                skipWhitespace()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
                    position += 1
                    depth -= 1
                    return .array(elements)
                }
            case UInt8(ascii: "]"):
                position += 1
                depth -= 1
                return .array(elements)
            default:
                throw error("unexpected \(found(at: position)) after an array element; expected ',' or ']'")
            }
        }
    }

    private mutating func enter() throws(SyntaxError) {
        guard depth < Self.maximumDepth else { throw error("objects and arrays nested more than \(Self.maximumDepth) deep") }
        depth += 1
    }

    private mutating func readLiteral(_ literal: StaticString) throws(SyntaxError) {
        let start = position
        let count = literal.utf8CodeUnitCount
        let text = literal.utf8Start
        for index in 0..<count {
            guard start + index < bytes.count, bytes[start + index] == text[index] else {
                position = start
                throw error("unexpected \(found(at: start)); expected a value (did you mean \(literal)?)")
            }
        }
        position = start + count
    }

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    // MARK: - Strings

    /// At the opening quote; leaves `position` after the closing one.
    private mutating func readString() throws(SyntaxError) -> String {
        let start = position
        position += 1
        let contentStart = position
        var ascii = true
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let content = UnsafeBufferPointer(rebasing: bytes[contentStart..<position])
                position += 1
                if ascii { return String(decoding: content, as: UTF8.self) }
                guard let text = String(validating: content, as: UTF8.self) else { throw invalidUTF8(in: contentStart..<position - 1) }
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw controlCharacter(at: position) }
            if byte >= 0x80 { ascii = false }
            position += 1
        }
        guard position < bytes.count else {
            throw error("the string that starts here is not closed (no '\"' before the end of the body)", at: start)
        }
        // Escapes: collect the bytes, then validate them as UTF-8 once.
        var scratch: [UInt8] = []
        scratch.reserveCapacity(position - contentStart + 16)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[contentStart..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: scratch, as: UTF8.self) else { throw invalidUTF8(in: contentStart..<position - 1) }
                return text
            case UInt8(ascii: "\\"):
                try readEscape(into: &scratch)
            case ..<0x20:
                throw controlCharacter(at: position)
            default:
                scratch.append(byte)
                position += 1
            }
        }
        throw error("the string that starts here is not closed (no '\"' before the end of the body)", at: start)
    }

    /// At the backslash; appends the UTF-8 of what the escape stands for.
    private mutating func readEscape(into scratch: inout [UInt8]) throws(SyntaxError) {
        let escapeStart = position
        guard position + 1 < bytes.count else { throw error("unexpected end of the body inside a string escape", at: escapeStart) }
        let letter = bytes[position + 1]
        position += 2
        switch letter {
        case UInt8(ascii: "\""): scratch.append(UInt8(ascii: "\""))
        case UInt8(ascii: "\\"): scratch.append(UInt8(ascii: "\\"))
        case UInt8(ascii: "/"): scratch.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            let first = try readHex4(escapeStart: escapeStart)
            let scalarValue: UInt32
            switch first {
            case 0xD800...0xDBFF:
                // A high surrogate must be followed at once by \u and a low one.
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw error("the escape \(hexEscape(first)) is half of a UTF-16 surrogate pair, and no low surrogate (\\uDC00 to \\uDFFF) follows it", at: escapeStart)
                }
                let secondStart = position
                position += 2
                let second = try readHex4(escapeStart: secondStart)
                guard (0xDC00...0xDFFF).contains(second) else {
                    throw error("the escape \(hexEscape(first)) is half of a UTF-16 surrogate pair, but \(hexEscape(second)) after it is not a low surrogate (\\uDC00 to \\uDFFF)", at: escapeStart)
                }
                scalarValue = 0x10000 + ((UInt32(first) - 0xD800) << 10) + (UInt32(second) - 0xDC00)
            case 0xDC00...0xDFFF:
                throw error("the escape \(hexEscape(first)) is a lone low surrogate; a character beyond U+FFFF is written as a pair such as \\uD83D\\uDE00", at: escapeStart)
            default:
                scalarValue = UInt32(first)
            }
            let scalar = Unicode.Scalar(scalarValue)!
            UTF8.encode(scalar) { scratch.append($0) }
        default:
            let what = letter >= 0x20 && letter < 0x7F ? "'\\\(Self.printable(letter))'" : "(a backslash before \(found(at: escapeStart + 1)))"
            throw error("invalid escape \(what) in a string; JSON knows \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX", at: escapeStart)
        }
    }

    /// After `\u`: four hex digits.
    private mutating func readHex4(escapeStart: Int) throws(SyntaxError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw error("unexpected end of the body inside a \\u escape", at: escapeStart) }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape: \(found(at: position)) is not a hex digit (\\u takes four, e.g. \\u00E9)", at: position)
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    private func hexEscape(_ value: UInt16) -> String {
        let hex = String(value, radix: 16, uppercase: true)
        return "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
    }

    private func controlCharacter(at offset: Int) -> SyntaxError {
        error("unescaped \(found(at: offset)) in a string; write it as an escape such as \\n, \\t or \\u0001", at: offset)
    }

    private func invalidUTF8(in range: Range<Int>) -> SyntaxError {
        // Point at the first byte that does not decode.
        var iterator = UnsafeBufferPointer(rebasing: bytes[range]).makeIterator()
        var decoder = UTF8()
        var offset = range.lowerBound
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput, .error: break loop
            }
        }
        return error("a string holds bytes that are not valid UTF-8 (send the body as UTF-8)", at: offset)
    }

    // MARK: - Numbers

    /// RFC 8259's grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    private mutating func readNumber() throws(SyntaxError) -> JSONValue {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else {
            throw error(position < bytes.count
                        ? "unexpected \(found(at: position)) in a number; expected a digit after '-'"
                        : "unexpected end of the body in a number; expected a digit after '-'")
        }
        // Whole part, accumulated as long as it fits (negatively, so that Int.min fits too).
        var value = 0
        var fits = true
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) {
                throw error("a number has a leading zero; write it without (JSON numbers are decimal)", at: start)
            }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                let digit = Int(bytes[position] &- UInt8(ascii: "0"))
                if fits {
                    let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                    let (next, overflow2) = negative ? times10.subtractingReportingOverflow(digit) : times10.addingReportingOverflow(digit)
                    if overflow1 || overflow2 { fits = false } else { value = next }
                }
                position += 1
            }
        }
        var integral = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            integral = false
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error(position < bytes.count
                            ? "unexpected \(found(at: position)) in a number; expected a digit after '.'"
                            : "unexpected end of the body in a number; expected a digit after '.'")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            integral = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            guard position < bytes.count, isDigit(bytes[position]) else {
                throw error(position < bytes.count
                            ? "unexpected \(found(at: position)) in a number; expected a digit in the exponent"
                            : "unexpected end of the body in a number; expected a digit in the exponent")
            }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        if integral && fits { return .int(value) }
        return try Self.number(UnsafeBufferPointer(rebasing: bytes[start..<position]), reader: self, at: start)
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// A valid number that is not a plain `Int` literal, typed as `JSONValue`'s `Decodable` did:
    /// `Int` first (JSONDecoder reads `1.0`, `1e2` as whole numbers), then `Double`.
    private static func number(_ text: UnsafeBufferPointer<UInt8>, reader: JSONReader, at start: Int) throws(SyntaxError) -> JSONValue {
        let string = String(decoding: text, as: UTF8.self)
        guard let double = Double(string), double.isFinite else {
            throw reader.error("the number \(string.prefix(40)) is beyond the range of a 64-bit floating-point number", at: start)
        }
        guard let integer = Int(exactly: double) else { return .double(double) }
        // Below 2^53 a whole Double is the number itself; above, JSONDecoder re-reads the text as a
        // Decimal to tell 2^53 from 2^53 + 1: ask it, for these rare numbers.
        if double.magnitude < 0x1p53 { return .int(integer) }
        if let exact = try? JSONDecoder().decode(Int.self, from: Data(text)) { return .int(exact) }
        return .double(double)
    }

    // MARK: - Errors

    private func error(_ reason: String) -> SyntaxError {
        error(reason, at: position)
    }

    /// Lines count from 1 after each line feed; columns count characters (not bytes) from 1.
    private func error(_ reason: String, at offset: Int) -> SyntaxError {
        let offset = min(offset, bytes.count)
        var line = 1
        var column = 1
        for index in 0..<offset {
            let byte = bytes[index]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return SyntaxError(reason: reason, offset: offset, line: line, column: column)
    }

    /// What is at `offset`, for a message: `character '}'`, `byte 0x01`, `character 'é'`, or the end.
    private func found(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of the body" }
        let byte = bytes[offset]
        if byte >= 0x20 && byte < 0x7F { return "character '\(Self.printable(byte))'" }
        if byte < 0x80 { return "control character U+\(String(format: "%04X", Int(byte)))" }
        // A UTF-8 sequence: name the character if it decodes.
        var iterator = UnsafeBufferPointer(rebasing: bytes[offset..<min(offset + 4, bytes.count)]).makeIterator()
        var decoder = UTF8()
        if case .scalarValue(let scalar) = decoder.decode(&iterator) {
            return "character '\(Character(scalar))' (U+\(String(format: "%04X", scalar.value)))"
        }
        return "byte 0x\(String(format: "%02X", Int(byte))), which is not UTF-8"
    }

    private static func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : String(format: "0x%02X", Int(byte))
    }
}
