import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// Sends messages to one SMTP server. Each `send` runs one session: connect, (TLS), EHLO,
/// (STARTTLS), (AUTH), MAIL/RCPT/DATA, QUIT.
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

    public func send(_ mail: SMTPMail, logger: Logger = Logger(label: "smtp")) async throws(SMTPError) -> SMTPDeliveryReceipt {
        let configuration = self.configuration
        let eventLoop = eventLoopGroup.next()
        let promise = eventLoop.makePromise(of: SMTPDeliveryReceipt.self)
        let tlsContext = self.tlsContext
        let heloName = self.heloName
        let classifier = SMTPErrorClassifier(configuration: configuration)

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.timeouts.connect))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if configuration.security == .implicitTLS, let tlsContext {
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: configuration.tlsServerHostname))
                    }
                    try sync.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                    try sync.addHandler(MessageToByteHandler(SMTPCommandEncoder()))
                    try sync.addHandler(SMTPSessionHandler(
                        configuration: configuration,
                        mail: mail,
                        tlsContext: tlsContext,
                        heloName: { heloName.resolve(localAddress: $0) },
                        promise: promise
                    ))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }

        logger.debug("connecting", metadata: ["smtp_host": "\(configuration.host)", "smtp_port": "\(configuration.port)"])
        let channel: Channel
        do {
            channel = try await bootstrap.connect(host: Self.bareHost(configuration.host), port: configuration.port).get()
        } catch {
            promise.fail(error)
            throw classifier.classifyConnect(error)
        }
        do {
            let receipt = try await promise.futureResult.get()
            return receipt
        } catch let error as SMTPError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw SMTPError(code: .connection, message: "\(error)", hint: "the connection broke; the message can be sent again")
        }
    }

    static func bareHost(_ host: String) -> String {
        host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}
