/// Message-ID generation and validation (RFC 5322 section 3.6.4, without the brackets).
enum MessageID {
    /// 128 random bits in hex: unique without leaking host names, pids or clocks.
    static func generate(domain: Substring) -> String {
        var generator = SystemRandomNumberGenerator()
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        return hex(high) + hex(low) + "@" + domain
    }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// Accepts what callers naturally pass: with or without one pair of angle brackets.
    static func stripBrackets(_ id: String) -> String {
        if id.hasPrefix("<") && id.hasSuffix(">") && id.count >= 2 {
            return String(id.dropFirst().dropLast())
        }
        return id
    }

    /// Returns a reason when `id` is not `id-left@id-right`.
    static func problem(with id: String) -> String? {
        if let reason = InjectionGuard.forbiddenCharacterReason(in: id) { return reason }
        let bytes = Array(id.utf8)
        if bytes.isEmpty { return "is empty" }
        guard let at = bytes.lastIndex(of: UInt8(ascii: "@")) else { return "missing '@'" }
        let left = bytes[..<at]
        let right = bytes[(at + 1)...]
        guard AddressParser.isDotAtom(left) else { return "the part before '@' is not a dot-atom" }
        if right.first == UInt8(ascii: "[") {
            let inner = right.dropFirst().dropLast()
            guard right.count >= 2, right.last == UInt8(ascii: "]"),
                  inner.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: "[")
                      && $0 != UInt8(ascii: "]") && $0 != UInt8(ascii: "\\") })
            else { return "the part after '@' is not a valid literal" }
            return nil
        }
        guard AddressParser.isDotAtom(right) else { return "the part after '@' is not a dot-atom" }
        if bytes.count > 900 { return "is too long" }
        return nil
    }
}
