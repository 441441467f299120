/// What a pool has done since it started.
public struct SMTPPoolStatistics: Sendable, Equatable {
    /// Sessions opened (connect, greeting, EHLO, TLS, AUTH).
    public var connectionsOpened = 0
    /// Messages that went out on a session opened for an earlier message.
    public var messagesOnReusedConnections = 0
    /// Idle sessions found closed by the server (or failing as the next message started) and replaced.
    public var staleConnectionsReplaced = 0
    /// Sessions closed by the pool after `SMTP_POOL_IDLE_SECONDS` without a message.
    public var idleConnectionsClosed = 0

    public init() {}
}
