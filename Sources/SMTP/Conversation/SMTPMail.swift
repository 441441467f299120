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

/// What the server said when it took the message.
public struct SMTPDeliveryReceipt: Sendable {
    /// The reply to the final ".", e.g. "250 2.0.0 Ok: queued as 4F2A".
    public let reply: SMTPReply
    /// Negotiated TLS version, e.g. "TLSv1.3"; nil on a plaintext session.
    public let tlsVersion: String?
    public let authenticated: Bool
}
