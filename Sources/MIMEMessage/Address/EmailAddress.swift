/// A validated mailbox: an RFC 5321/5322 addr-spec plus an optional display name.
///
/// Validation happens once, in the initialisers, so every other layer (header
/// writer, SMTP envelope) can trust `address` and `displayName` without re-checking.
public struct EmailAddress: Sendable, Hashable, CustomStringConvertible {
    /// Decoded and unquoted; `nil` when absent or blank.
    public let displayName: String?
    /// The addr-spec `local@domain`, exactly as it is used in `MAIL FROM` / `RCPT TO`.
    public let address: String

    /// Validates `address` as a bare addr-spec (no angle brackets, no display name).
    public init(address: String, displayName: String? = nil) throws(AddressError) {
        self.address = try AddressParser.parseAddrSpec(address, originalInput: address)
        self.displayName = try AddressParser.validateDisplayName(displayName, originalInput: address)
    }

    /// Parses `ada@example.com`, `<ada@example.com>`, `Ada Lovelace <ada@example.com>`
    /// or `"Lovelace, Ada" <ada@example.com>`.
    public init(parsing input: String) throws(AddressError) {
        let mailbox = try AddressParser.parseMailbox(input)
        self.address = mailbox.address
        self.displayName = mailbox.displayName
    }

    /// A non-ASCII local part: the message can only go to servers offering SMTPUTF8, and the
    /// address appears in UTF-8 in the headers (RFC 6532).
    public var isInternational: Bool { !address.utf8.allSatisfy { $0 < 0x80 } }

    /// The part after the `@` (a hostname or an IP literal such as `[192.0.2.1]`).
    public var domain: Substring {
        // The parser guarantees an '@' outside any quoted local part, and domains
        // never contain '@', so the last one is the separator.
        guard let at = address.lastIndex(of: "@") else { return address[...] }
        return address[address.index(after: at)...]
    }

    /// The header form without RFC 2047 encoding (non-ASCII is left as is);
    /// the message serialiser produces the wire form.
    public var description: String {
        guard let displayName else { return address }
        return "\(DisplayNameFormatter.phrase(forUnencoded: displayName)) <\(address)>"
    }
}
