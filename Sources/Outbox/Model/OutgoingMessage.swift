import Foundation

/// An accepted email as it is handed to the outbox: the envelope and the finished message bytes.
///
/// The bytes are stored as they are, so a queued email goes out exactly as it was rendered even
/// if its template changes before delivery.
public struct OutgoingMessage: Sendable, Equatable {
    /// Chosen by the caller so the HTTP answer (and the idempotency answer) can carry it before
    /// the row exists.
    public var id: String
    public var template: String
    public var locale: String
    /// Envelope MAIL FROM; empty for a null reverse-path.
    public var sender: String
    /// Envelope RCPT TO: To, Cc and Bcc alike.
    public var recipients: [String]
    /// The rendered RFC 5322 message with CRLF line endings, not dot-stuffed.
    public var content: [UInt8]
    /// The Message-ID header value, to find the email in a recipient's logs.
    public var messageID: String
    /// The X-Request-ID of the HTTP request that queued it, for the delivery logs.
    public var requestID: String?

    public init(
        id: String = EmailID.generate(),
        template: String,
        locale: String,
        sender: String,
        recipients: [String],
        content: [UInt8],
        messageID: String,
        requestID: String? = nil
    ) {
        self.id = id
        self.template = template
        self.locale = locale
        self.sender = sender
        self.recipients = recipients
        self.content = content
        self.messageID = messageID
        self.requestID = requestID
    }

    /// Throws `invalidArgument` for an email no storage should keep: an id that is empty or over
    /// 255 bytes, no recipients, or no content.
    public func validate() throws {
        if id.isEmpty || id.utf8.count > 255 {
            throw OutboxError.invalidArgument("an email id must have 1 to 255 bytes, got \(id.utf8.count)")
        }
        if recipients.isEmpty {
            throw OutboxError.invalidArgument("email \(id) has no recipients")
        }
        if content.isEmpty {
            throw OutboxError.invalidArgument("email \(id) has no content: the rendered message is empty")
        }
    }
}
