/// One message the server accepted (answered 250 after the final ".").
public struct ReceivedMessage: Sendable, Hashable {
    /// The reverse-path without angle brackets; "" for the null sender `<>`.
    public let mailFrom: String
    /// The ESMTP parameters after `MAIL FROM:<...>`, as sent (e.g. `"SIZE=123"`, `"BODY=8BITMIME"`).
    public let mailParameters: [String]
    /// The accepted forward-paths, without angle brackets, in order. Rejected recipients are not listed.
    public let recipients: [String]
    /// The message exactly as received after dot-unstuffing, line endings kept,
    /// without the terminating ".\r\n".
    public let data: String
    /// The name given with the last EHLO or HELO of the session.
    public let heloName: String
    /// Whether the session was encrypted (STARTTLS or implicit TLS) when DATA arrived.
    public let tls: Bool
    /// The username of a successful AUTH in this session, if any.
    public let authenticatedUser: String?
    /// Which connection carried the message: 1 for the first the server accepted, and so on.
    /// Several messages with the same number came over one session.
    public let connectionNumber: Int

    public init(
        mailFrom: String,
        mailParameters: [String],
        recipients: [String],
        data: String,
        heloName: String,
        tls: Bool,
        authenticatedUser: String?,
        connectionNumber: Int = 0
    ) {
        self.mailFrom = mailFrom
        self.mailParameters = mailParameters
        self.recipients = recipients
        self.data = data
        self.heloName = heloName
        self.tls = tls
        self.authenticatedUser = authenticatedUser
        self.connectionNumber = connectionNumber
    }
}
