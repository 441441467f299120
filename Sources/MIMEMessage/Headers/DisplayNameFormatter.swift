/// Writes a display name as an RFC 5322 phrase: bare atoms when possible, otherwise a
/// quoted-string, and RFC 2047 encoded-words on the wire when it is not plain ASCII.
enum DisplayNameFormatter {
    /// The human-readable form (non-ASCII left as is, RFC 6532 style).
    static func phrase(forUnencoded name: String) -> String {
        isAtomPhrase(name) ? name : quotedString(name)
    }

    /// The 7-bit wire form. `firstWordMaxLength` is passed through to the encoder so the
    /// first encoded-word fits on the header's first line.
    static func wirePhrase(_ name: String, firstWordMaxLength: Int = EncodedWord.maxLength) -> String {
        if EncodedWord.isRequired(for: name) {
            return EncodedWord.encode(name, firstWordMaxLength: firstWordMaxLength).joined(separator: " ")
        }
        return phrase(forUnencoded: name)
    }

    /// Atoms separated by single spaces. Specials such as `,` `;` `"` `.` or `@` need
    /// quoting, otherwise a reader would split one name into several addresses.
    static func isAtomPhrase(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last, first != 0x20, last != 0x20 else { return false }
        var previousWasSpace = false
        for b in bytes {
            if b == 0x20 {
                if previousWasSpace { return false }
                previousWasSpace = true
                continue
            }
            previousWasSpace = false
            if b >= 0x80 { continue }
            if !ASCIIClass.isAtext(b) { return false }
        }
        return true
    }

    static func quotedString(_ name: String) -> String {
        var out = "\""
        for scalar in name.unicodeScalars {
            if scalar == "\"" || scalar == "\\" { out.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        out.append("\"")
        return out
    }
}
