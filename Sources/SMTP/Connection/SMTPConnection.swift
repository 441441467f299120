import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One established SMTP session (greeted, encrypted and logged in as configured) that carries
/// messages one at a time. `SMTPClient.connect` opens it; a pool keeps it between messages.
///
/// After a message the session stays open: the next MAIL follows a delivery directly, and an RSET
/// precedes it after a failed transaction (RFC 5321 §4.1.1.5). `isUsable` turns false when the
/// server closes the connection (idle timeout, 421) or a failure broke the session; a message
/// sent on such a connection fails with `isSafeToRetryOnNewConnection` set.
public final class SMTPConnection: Sendable {
    /// What the session negotiated: TLS version and cipher suite, AUTH mechanism, extensions.
    public let session: SMTPSessionInfo
    private let channel: any Channel
    private let status: SMTPConnectionStatus

    private init(session: SMTPSessionInfo, channel: any Channel, status: SMTPConnectionStatus) {
        self.session = session
        self.channel = channel
        self.status = status
    }

    /// Idle, established, and the connection still open: `send` may be called.
    public var isUsable: Bool { status.isUsable && channel.isActive }

    /// The event loop of the connection, for timers that belong to it (a pool's idle timeout).
    var eventLoop: any EventLoop { channel.eventLoop }

    /// Sends one message. Call again after it returns (or throws) to send the next one on the
    /// same session; calls must not overlap.
    public func send(_ mail: SMTPMail) async throws(SMTPError) -> SMTPDeliveryReceipt {
        let eventLoop = channel.eventLoop
        let delivery = eventLoop.makePromise(of: SMTPDeliveryReceipt.self)
        let configuration = SMTPClientConfiguration(host: session.host, port: session.port)
        let handed = eventLoop.makePromise(of: Void.self)
        // When the pipeline is already torn down the request never reaches the session handler.
        handed.futureResult.whenFailure { _ in
            var error = SMTPError.connectionLost(configuration, during: .idle)
            error.isSafeToRetryOnNewConnection = true
            delivery.fail(error)
        }
        channel.pipeline.triggerUserOutboundEvent(SMTPSessionHandler.Request.send(mail, delivery), promise: handed)
        do {
            return try await delivery.futureResult.get()
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError(code: .connection, message: "\(error)", hint: "the connection broke; the message can be sent again")
        }
    }

    /// Checks that the server would take a message from `sender` to `recipients` without sending
    /// one: MAIL FROM and RCPT TO, then RSET (see `SMTPConversation.startProbe`). Throws what
    /// `send` would throw for that envelope (EENVELOPE for a refused recipient).
    public func probe(sender: String, recipients: [String]) async throws(SMTPError) {
        let eventLoop = channel.eventLoop
        let done = eventLoop.makePromise(of: Void.self)
        let configuration = SMTPClientConfiguration(host: session.host, port: session.port)
        let handed = eventLoop.makePromise(of: Void.self)
        handed.futureResult.whenFailure { _ in
            done.fail(SMTPError.connectionLost(configuration, during: .idle))
        }
        channel.pipeline.triggerUserOutboundEvent(SMTPSessionHandler.Request.probe(sender: sender, recipients: recipients, done), promise: handed)
        do {
            try await done.futureResult.get()
        } catch let error as SMTPError {
            throw error
        } catch {
            throw SMTPError(code: .connection, message: "\(error)", hint: "the connection broke during the probe", phase: .mailFrom)
        }
    }

    /// Says QUIT and waits until the connection is closed (at most the command timeout).
    public func close() async {
        beginClosing()
        try? await channel.closeFuture.get()
    }

    /// Says QUIT without waiting for the server's answer.
    func beginClosing() {
        let channel = self.channel
        let handed = channel.eventLoop.makePromise(of: Void.self)
        handed.futureResult.whenFailure { _ in channel.close(promise: nil) }
        channel.pipeline.triggerUserOutboundEvent(SMTPSessionHandler.Request.quit, promise: handed)
    }

    /// Connects, then waits until the session is established or has failed.
    static func open(
        configuration: SMTPClientConfiguration,
        tlsContext: NIOSSLContext?,
        heloName: HeloName,
        eventLoopGroup: any EventLoopGroup,
        logger: Logger,
        timeline: SMTPSessionTimeline? = nil
    ) async throws(SMTPError) -> SMTPConnection {
        let eventLoop = eventLoopGroup.next()
        let established = eventLoop.makePromise(of: SMTPSessionInfo.self)
        let status = SMTPConnectionStatus()
        let classifier = SMTPErrorClassifier(configuration: configuration)

        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(configuration.timeouts.connect))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                do {
                    let sync = channel.pipeline.syncOperations
                    if configuration.security == .implicitTLS, let tlsContext {
                        try sync.addHandler(TLSServerHelloObserver())
                        try sync.addHandler(NIOSSLClientHandler(context: tlsContext, serverHostname: configuration.tlsServerHostname))
                    }
                    let unread = UnreadReplyBytes()
                    try sync.addHandler(ByteToMessageHandler(SMTPReplyDecoder(unread: unread)))
                    try sync.addHandler(MessageToByteHandler(SMTPCommandEncoder()))
                    try sync.addHandler(SMTPSessionHandler(
                        configuration: configuration,
                        tlsContext: tlsContext,
                        heloName: { heloName.resolve(localAddress: $0) },
                        logger: logger,
                        established: established,
                        status: status,
                        unreadReplyBytes: unread,
                        timeline: timeline
                    ))
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }

        logger.debug("connecting", metadata: ["smtp_host": "\(configuration.host)", "smtp_port": "\(configuration.port)"])
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: SMTPClient.bareHost(configuration.host), port: configuration.port).get()
        } catch {
            let failure = classifier.classifyConnect(error)
            established.fail(failure)
            throw failure
        }
        do {
            let session = try await established.futureResult.get()
            return SMTPConnection(session: session, channel: channel, status: status)
        } catch let error as SMTPError {
            channel.close(promise: nil)
            throw error
        } catch {
            channel.close(promise: nil)
            throw SMTPError(code: .connection, message: "\(error)", hint: "the connection broke; the message can be sent again")
        }
    }
}
