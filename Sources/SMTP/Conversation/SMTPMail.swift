/// One message as SMTP sees it: the envelope and the already-serialised RFC 5322 content.
public struct SMTPMail: Sendable {
    /// MAIL FROM address; empty for a null reverse-path.
    public var sender: String
    /// RCPT TO addresses: To, Cc and Bcc alike.
    public var recipients: [String]
    /// The message with CRLF line endings, not yet dot-stuffed.
    public var content: [UInt8]

    public init(sender: String, recipients: [String], content: [UInt8]) {
        self.sender = sender
        self.recipients = recipients
        self.content = content
    }
}
