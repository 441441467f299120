/// RFC 5322 / 5321 character classes over UTF-8 code units.
///
/// Everything is decided on bytes rather than `Character`s because Swift treats
/// "\r\n" as a single grapheme, and a check that misses it is a header-injection hole.
enum ASCIIClass {
    static func isAlpha(_ b: UInt8) -> Bool { (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isHexDigit(_ b: UInt8) -> Bool {
        isDigit(b) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    /// RFC 5322 atext: the characters allowed in an atom without quoting.
    static func isAtext(_ b: UInt8) -> Bool {
        if isAlpha(b) || isDigit(b) { return true }
        switch b {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"),
             UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"),
             UInt8(ascii: "-"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "{"),
             UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Printable ASCII that may appear inside a quoted-string without a backslash.
    static func isQtext(_ b: UInt8) -> Bool {
        b >= 0x20 && b <= 0x7E && b != UInt8(ascii: "\"") && b != UInt8(ascii: "\\")
    }

    static func isWhitespace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Printable form of a byte for error messages.
    static func describe(_ b: UInt8) -> String {
        if b >= 0x21 && b <= 0x7E { return "'\(Character(Unicode.Scalar(b)))'" }
        if b == 0x20 { return "a space" }
        if b == 0x09 { return "a tab" }
        let hex = String(b, radix: 16, uppercase: true)
        return "byte 0x\(hex.count == 1 ? "0" + hex : hex)"
    }
}

/// The checks every header-bound string goes through first.
enum InjectionGuard {
    /// Returns a reason when `s` contains CR, LF or NUL, i.e. anything that could end
    /// a header line (or confuse C-string-based MTAs) if it were passed through.
    static func forbiddenCharacterReason(in s: some StringProtocol) -> String? {
        for b in s.utf8 {
            if b == 0x0D || b == 0x0A { return "contains a line break" }
            if b == 0x00 { return "contains a NUL character" }
        }
        return nil
    }
}
