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
        let plain = phrase(forUnencoded: name)
        if EncodedWord.isRequired(for: name) || !foldsWithinLimit(plain) {
            return EncodedWord.encode(name, firstWordMaxLength: firstWordMaxLength).joined(separator: " ")
        }
        return plain
    }

    /// Folding breaks lines only at whitespace, so a word longer than a line would stay whole
    /// and could pass even RFC 5322's hard limit of 998 (found by Fuzz/fuzz-mime with a
    /// 1013-byte name); encoded-words may be split anywhere, as for a long Subject.
    private static func foldsWithinLimit(_ phrase: String) -> Bool {
        var run = 0
        for b in phrase.utf8 {
            run = ASCIIClass.isWhitespace(b) ? 0 : run + 1
            if run > HeaderFolding.maxLineLength - 2 { return false }
        }
        return true
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
