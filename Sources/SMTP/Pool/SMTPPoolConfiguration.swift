/// How many sessions a pool keeps and for how long. The service fills it from `SMTP_POOL_*` and
/// `SMTP_RATE_LIMIT`.
public struct SMTPPoolConfiguration: Sendable, Equatable {
    /// At most this many sessions at once (open, or being opened). Further sends wait for one.
    public var size: Int
    /// A session is closed (QUIT) after carrying this many messages: providers cap messages per
    /// connection (Office 365: 30 per minute and connection; many relays a few hundred), and a long
    /// session pins one server of a load-balanced pool.
    public var maximumMessagesPerConnection: Int
    /// An unused session is closed after this long, before the server's own idle timeout (often
    /// 30 s to 5 min) does it less politely.
    public var idleTimeout: Duration
    /// Messages per second toward the server across all sessions; nil means as fast as it takes them.
    public var rateLimit: Double?

    public init(
        size: Int = 4,
        maximumMessagesPerConnection: Int = 100,
        idleTimeout: Duration = .seconds(30),
        rateLimit: Double? = nil
    ) {
        self.size = max(1, size)
        self.maximumMessagesPerConnection = max(1, maximumMessagesPerConnection)
        self.idleTimeout = idleTimeout
        self.rateLimit = rateLimit.flatMap { $0 > 0 ? $0 : nil }
    }
}
