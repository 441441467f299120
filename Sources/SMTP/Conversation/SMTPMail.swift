/// One message as SMTP sees it: the envelope and the already-serialised RFC 5322 content.
public struct SMTPMail: Sendable {
    /// MAIL FROM address; empty for a null reverse-path.
    public var sender: String
    /// RCPT TO addresses: To, Cc and Bcc alike.
    public var recipients: [String]
    /// The message, not yet dot-stuffed. Line endings should be CRLF; bare LF and CR are
    /// turned into CRLF on the wire either way (see `DotStuffing`).
    public var content: [UInt8]

    public init(sender: String, recipients: [String], content: [UInt8]) {
        self.sender = sender
        self.recipients = recipients
        self.content = content
    }

    /// Envelope addresses with non-ASCII characters: they need SMTPUTF8 (RFC 6531).
    var internationalAddresses: [String] {
        ([sender] + recipients).filter { !$0.utf8.allSatisfy { $0 < 0x80 } }
    }

    /// Whether the content has bytes above 127, which is 8BITMIME's business (RFC 6152).
    var hasEightBitContent: Bool {
        content.contains { $0 >= 0x80 }
    }

    /// The size the server sees, line endings normalised, before dot-stuffing (RFC 1870).
    var wireSize: Int { DotStuffing.normalisedLength(of: content) }
}
