import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends messages to one SMTP server.
///
/// `send` runs one session per message: connect, (TLS), EHLO, (STARTTLS), (AUTH), MAIL/RCPT/DATA,
/// QUIT. `connect` opens a session that can carry several messages (`SMTPConnection`), which is
/// what a connection pool builds on.
public final class SMTPClient: Sendable {
    public let configuration: SMTPClientConfiguration
    private let tlsContext: NIOSSLContext?
    private let eventLoopGroup: any EventLoopGroup
    private let heloName: HeloName

    /// Validates the TLS settings up front: a bad cipher list or CA file is a start-up error, not a send error.
    public init(
        configuration: SMTPClientConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) throws(SMTPConfigurationError) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        // Built even for plaintext: validation happens at start-up, and an opportunistic
        // STARTTLS needs the context whenever a server offers it.
        self.tlsContext = configuration.security == .plaintext
            ? nil
            : try SMTPTLSContext.make(configuration.tls, checksHostnameItself: configuration.tlsServerHostname != nil)
        self.heloName = HeloName(configured: configuration.heloName)
    }

    /// Opens an established session (greeted, encrypted, logged in) that can send several messages.
    /// With a `timeline`, every step of the session is recorded there with its timing (diagnostics).
    public func connect(logger: Logger = Logger(label: "smtp"), timeline: SMTPSessionTimeline? = nil) async throws(SMTPError) -> SMTPConnection {
        try await SMTPConnection.open(
            configuration: configuration,
            tlsContext: tlsContext,
            heloName: heloName,
            eventLoopGroup: eventLoopGroup,
            logger: logger,
            timeline: timeline
        )
    }

    /// One message on its own session. Returns as soon as the server has taken the message; the
    /// QUIT that follows is not waited for.
    public func send(_ mail: SMTPMail, logger: Logger = Logger(label: "smtp")) async throws(SMTPError) -> SMTPDeliveryReceipt {
        let connection = try await connect(logger: logger)
        do {
            let receipt = try await connection.send(mail)
            connection.beginClosing()
            return receipt
        } catch {
            connection.beginClosing()
            throw error
        }
    }

    static func bareHost(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
