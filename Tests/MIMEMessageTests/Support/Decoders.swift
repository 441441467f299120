// Independent, deliberately naive decoders: the tests check the encoders by decoding
// their output back rather than by comparing against hand-written expected bytes.

enum TestDecodingError: Error, CustomStringConvertible {
    case malformed(String)
    var description: String {
        switch self { case .malformed(let s): return "malformed: \(s)" }
    }
}

private func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case 0x30...0x39: return b - 0x30
    case 0x41...0x46: return b - 0x41 + 10
    case 0x61...0x66: return b - 0x61 + 10
    default: return nil
    }
}

enum QPDecoder {
    /// RFC 2045 6.7: "=" CRLF is a soft break, "=XX" a byte, CRLF a hard line break.
    static func decode(_ text: String) throws -> [UInt8] {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "=") {
                if i + 1 < bytes.count, bytes[i + 1] == 0x0D {
                    guard i + 2 < bytes.count, bytes[i + 2] == 0x0A else { throw TestDecodingError.malformed("= CR without LF") }
                    i += 3
                    continue
                }
                guard i + 2 < bytes.count, let hi = hexValue(bytes[i + 1]), let lo = hexValue(bytes[i + 2]) else {
                    throw TestDecodingError.malformed("bad escape at \(i)")
                }
                out.append(hi << 4 | lo)
                i += 3
                continue
            }
            out.append(b)
            i += 1
        }
        return out
    }

    static func decodeString(_ text: String) throws -> String {
        String(decoding: try decode(text), as: UTF8.self)
    }
}

enum Base64Decoder {
    static func decode(_ text: String) throws -> [UInt8] {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for b in text.utf8 {
            if b == UInt8(ascii: "=") { break }
            guard let v = alphabet.firstIndex(of: b) else { throw TestDecodingError.malformed("base64 char \(b)") }
            buffer = buffer << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8((buffer >> UInt32(bits)) & 0xFF))
            }
        }
        return out
    }
}

enum EncodedWordDecoder {
    /// The encoded-words of an unfolded header value, in order.
    static func words(in value: String) -> [String] {
        value.split(separator: " ").map(String.init).filter { $0.hasPrefix("=?") && $0.hasSuffix("?=") }
    }

    /// Decodes a header value made of encoded-words and plain text, dropping the
    /// whitespace between adjacent encoded-words as RFC 2047 section 6.2 requires.
    /// Bytes of adjacent words are concatenated before UTF-8 decoding, so a test
    /// fails loudly if a word ever ends inside a UTF-8 sequence (see `wordIsValidUTF8`).
    static func decode(_ value: String) throws -> String {
        var result: [UInt8] = []
        var pendingSpace: [UInt8] = []
        var previousWasEncoded = false
        for token in splitKeepingSpaces(value) {
            if token.allSatisfy({ $0 == " " || $0 == "\t" }) {
                pendingSpace = Array(token.utf8)
                continue
            }
            if let bytes = try decodeWord(token) {
                if !previousWasEncoded { result += pendingSpace }
                result += bytes
                previousWasEncoded = true
            } else {
                result += pendingSpace
                result += Array(token.utf8)
                previousWasEncoded = false
            }
            pendingSpace = []
        }
        result += pendingSpace
        return String(decoding: result, as: UTF8.self)
    }

    static func decodeWord(_ word: String) throws -> [UInt8]? {
        guard word.hasPrefix("=?"), word.hasSuffix("?="), word.count >= 8 else { return nil }
        let inner = word.dropFirst(2).dropLast(2)
        let fields = inner.split(separator: "?", maxSplits: 2, omittingEmptySubsequences: false)
        guard fields.count == 3 else { return nil }
        guard fields[0].lowercased() == "utf-8" else { throw TestDecodingError.malformed("charset \(fields[0])") }
        switch fields[1].lowercased() {
        case "b":
            return try Base64Decoder.decode(String(fields[2]))
        case "q":
            let text = String(fields[2]).replacingUnderscores()
            return try QPDecoder.decode(text)
        default:
            throw TestDecodingError.malformed("encoding \(fields[1])")
        }
    }

    static func wordIsValidUTF8(_ word: String) throws -> Bool {
        guard let bytes = try decodeWord(word) else { return false }
        return String(validating: bytes, as: UTF8.self) != nil
    }

    private static func splitKeepingSpaces(_ s: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var currentIsSpace: Bool?
        for ch in s {
            let isSpace = ch == " " || ch == "\t"
            if currentIsSpace != nil && currentIsSpace != isSpace {
                tokens.append(current)
                current = ""
            }
            current.append(ch)
            currentIsSpace = isSpace
        }
        if !current.isEmpty { tokens.append(current) }
        return tokens
    }
}

extension String {
    fileprivate func replacingUnderscores() -> String {
        String(self.map { $0 == "_" ? " " : $0 })
    }
}
