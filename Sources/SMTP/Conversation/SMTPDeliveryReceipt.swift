/// What the server said when it took the message, and over what kind of session.
public struct SMTPDeliveryReceipt: Sendable {
    /// The reply to the final ".", e.g. "250 2.0.0 Ok: queued as 4F2A".
    public let reply: SMTPReply
    /// TLS, authentication and extensions of the connection that carried the message.
    public let session: SMTPSessionInfo
    /// 1 for the first message on its connection, 2 for the next on the same connection, and so on.
    public let messageNumberOnConnection: Int

    public init(reply: SMTPReply, session: SMTPSessionInfo, messageNumberOnConnection: Int) {
        self.reply = reply
        self.session = session
        self.messageNumberOnConnection = messageNumberOnConnection
    }

    /// Negotiated TLS version, e.g. "TLSv1.3"; nil on a plaintext session.
    public var tlsVersion: String? { session.tlsVersion }
    /// Negotiated cipher suite, e.g. "TLS_AES_128_GCM_SHA256"; nil on a plaintext session.
    public var cipherSuite: String? { session.cipherSuite }
    public var authenticated: Bool { session.authenticationMechanism != nil }
}
