import NIOCore
import NIOSSL
import NIOTLS

/// Carries out an `SMTPConversation` on a channel: replies in, commands out, TLS and timers.
///
/// All protocol decisions live in the conversation; this handler only does I/O, so it stays small
/// and the interesting behaviour stays testable without a socket.
final class SMTPSessionHandler: ChannelInboundHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundOut = SMTPCommand

    private let configuration: SMTPClientConfiguration
    private let mail: SMTPMail
    private let tlsContext: NIOSSLContext?
    private let heloName: @Sendable (SocketAddress?) -> String
    private let promise: EventLoopPromise<SMTPDeliveryReceipt>
    private var conversation: SMTPConversation?
    private var timer: Scheduled<Void>?
    private var tlsVersion: String?

    init(
        configuration: SMTPClientConfiguration,
        mail: SMTPMail,
        tlsContext: NIOSSLContext?,
        heloName: @escaping @Sendable (SocketAddress?) -> String,
        promise: EventLoopPromise<SMTPDeliveryReceipt>
    ) {
        self.configuration = configuration
        self.mail = mail
        self.tlsContext = tlsContext
        self.heloName = heloName
        self.promise = promise
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    private func start(context: ChannelHandlerContext) {
        guard conversation == nil else { return }
        let settings = SMTPConversation.Settings(configuration: configuration, heloName: heloName(context.channel.localAddress))
        conversation = SMTPConversation(settings: settings, mail: mail)
        armTimer(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        guard conversation != nil else { return }
        perform(conversation!.receive(reply), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event, conversation != nil {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
            tlsVersion = handler?.tlsVersion.map(Self.describe)
            if let problem = hostnameProblem(handler?.peerCertificate) {
                perform(conversation!.failed(with: .certificate(configuration, detail: problem)), context: context)
            } else {
                perform(conversation!.tlsEstablished(), context: context)
            }
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard conversation != nil, !conversation!.isFinished else { return }
        let failure = SMTPErrorClassifier(configuration: configuration).classify(error, during: conversation!)
        perform(conversation!.failed(with: failure), context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        if conversation != nil, let failure = conversation!.connectionClosed() {
            promise.fail(failure)
        }
        // Whatever happened, the caller must get an answer.
        promise.fail(SMTPError.connectionLost(configuration, during: "the session"))
        context.fireChannelInactive()
    }

    private func perform(_ actions: [SMTPConversation.Action], context: ChannelHandlerContext) {
        for action in actions {
            switch action {
            case .send(let command):
                context.write(wrapOutboundOut(command), promise: nil)
            case .startTLSHandshake:
                startTLS(context: context)
            case .delivered(let reply):
                let receipt = SMTPDeliveryReceipt(
                    reply: reply,
                    tlsVersion: tlsVersion,
                    authenticated: conversation?.isAuthenticated ?? false
                )
                promise.succeed(receipt)
            case .fail(let error):
                promise.fail(error)
            case .close:
                context.close(promise: nil)
            }
        }
        context.flush()
        armTimer(context: context)
    }

    /// Nil when the certificate is fine for SMTP_HOST (or verification is off, or the host is an IP
    /// literal that NIOSSL already checked); otherwise what is wrong.
    private func hostnameProblem(_ certificate: NIOSSLCertificate?) -> String? {
        guard !configuration.tls.skipVerify, let host = configuration.tlsServerHostname else { return nil }
        guard let certificate else { return "the server presented no certificate" }
        let names = CertificateHostname.dnsNames(of: certificate)
        if CertificateHostname.matches(host: host, names: names) { return nil }
        return names.isEmpty
            ? "the certificate names no DNS host, so it cannot be valid for \(host)"
            : "the certificate is issued for \(names.prefix(5).joined(separator: ", ")), not \(host)"
    }

    private func startTLS(context: ChannelHandlerContext) {
        do {
            guard let tlsContext else {
                throw SMTPError.startTLSFailed(configuration, detail: "TLS is not configured")
            }
            let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: configuration.tlsServerHostname)
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
        } catch {
            let failure = error as? SMTPError ?? .startTLSFailed(configuration, detail: "\(error)")
            perform(conversation!.failed(with: failure), context: context)
        }
    }

    private func armTimer(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        guard let conversation, context.channel.isActive else { return }
        let duration: Duration
        switch conversation.wait {
        case .greeting: duration = configuration.timeouts.greeting
        case .command, .tlsHandshake: duration = configuration.timeouts.command
        case .dataCompletion: duration = configuration.timeouts.dataCompletion
        case .nothing: return
        }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: TimeAmount(duration)) {
            let (handler, context) = loopBound.value
            guard handler.conversation != nil else { return }
            handler.perform(handler.conversation!.timedOut(after: duration), context: context)
        }
    }

    static func describe(_ version: TLSVersion) -> String {
        switch version {
        case .tlsv1: "TLSv1"
        case .tlsv11: "TLSv1.1"
        case .tlsv12: "TLSv1.2"
        case .tlsv13: "TLSv1.3"
        }
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

extension SMTPClientConfiguration {
    /// SNI and certificate name checks need a DNS name; for an IP literal NIOSSL checks the address instead.
    var tlsServerHostname: String? {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if (try? SocketAddress(ipAddress: bare, port: 0)) != nil { return nil }
        return bare
    }
}
