import Logging
import NIOCore
import NIOSSL
import NIOTLS

/// Carries out an `SMTPConversation` on a channel: replies in, commands out, TLS and timers.
///
/// All protocol decisions live in the conversation; this handler only does I/O, so it stays small
/// and the interesting behaviour stays testable without a socket. Messages arrive as a user
/// outbound event (`Request`) from `SMTPConnection`, one at a time.
final class SMTPSessionHandler: ChannelDuplexHandler {
    typealias InboundIn = SMTPReply
    typealias OutboundIn = SMTPCommand
    typealias OutboundOut = SMTPCommand

    enum Request: Sendable {
        case send(SMTPMail, EventLoopPromise<SMTPDeliveryReceipt>)
        /// MAIL FROM and RCPT TO, then RSET: nothing is sent (diagnostics).
        case probe(sender: String, recipients: [String], EventLoopPromise<Void>)
        case quit
    }

    private let configuration: SMTPClientConfiguration
    private let tlsContext: NIOSSLContext?
    private let heloName: @Sendable (SocketAddress?) -> String
    private let logger: Logger
    private let established: EventLoopPromise<SMTPSessionInfo>
    private let status: SMTPConnectionStatus
    private let unreadReplyBytes: UnreadReplyBytes?
    private var conversation: SMTPConversation?
    private var isEstablished = false
    private var delivery: EventLoopPromise<SMTPDeliveryReceipt>?
    private var probe: EventLoopPromise<Void>?
    /// Diagnostics only: every reply, the handshake and failures, with timings.
    private let timeline: SMTPSessionTimeline?
    /// The timeout of the current wait, kept lazily: each command and reply only moves
    /// `deadline`; the scheduled task, when it fires early, goes off again at the later deadline.
    /// Scheduling and cancelling a task per command and reply cost more than the rest of the handler.
    private var timer: Scheduled<Void>?
    private var timerFiresAt: NIODeadline?
    /// When the current wait times out; nil when nothing is awaited.
    private var deadline: NIODeadline?
    private var waitDuration: Duration = .zero
    private var tlsVersion: String?
    private var cipherSuite: String?
    private var serverCertificate: SMTPServerCertificate?

    init(
        configuration: SMTPClientConfiguration,
        tlsContext: NIOSSLContext?,
        heloName: @escaping @Sendable (SocketAddress?) -> String,
        logger: Logger,
        established: EventLoopPromise<SMTPSessionInfo>,
        status: SMTPConnectionStatus,
        unreadReplyBytes: UnreadReplyBytes? = nil,
        timeline: SMTPSessionTimeline? = nil
    ) {
        self.unreadReplyBytes = unreadReplyBytes
        self.timeline = timeline
        self.configuration = configuration
        self.tlsContext = tlsContext
        self.heloName = heloName
        self.logger = logger
        self.established = established
        self.status = status
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
        timeline?.record(.connect, .connected(remoteAddress: Self.describe(context.channel.remoteAddress)))
        let settings = SMTPConversation.Settings(configuration: configuration, heloName: heloName(context.channel.localAddress))
        conversation = SMTPConversation(settings: settings)
        armTimer(context: context)
    }

    var sessionInfo: SMTPSessionInfo {
        SMTPSessionInfo(
            host: configuration.host,
            port: configuration.port,
            tlsVersion: tlsVersion,
            cipherSuite: cipherSuite,
            authenticationMechanism: conversation?.authenticationMechanism,
            capabilities: conversation?.capabilities ?? ServerCapabilities(),
            serverCertificate: serverCertificate
        )
    }

    // MARK: Inbound

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let reply = unwrapInboundIn(data)
        logger.trace("smtp reply", metadata: ["smtp_reply": "\(reply)"])
        guard conversation != nil else { return }
        timeline?.record(conversation!.phase, .reply(reply, command: conversation!.pendingCommand))
        perform(conversation!.receive(reply), context: context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event, conversation != nil {
            let handler = try? context.pipeline.syncOperations.handler(type: NIOSSLHandler.self)
            tlsVersion = handler?.tlsVersion.map(Self.describe)
            let observer = try? context.pipeline.syncOperations.handler(type: TLSServerHelloObserver.self)
            cipherSuite = observer?.cipherSuite.map(TLSCipherSuiteName.name)
            serverCertificate = handler?.peerCertificate.flatMap(SMTPServerCertificate.init)
            timeline?.record(.tlsHandshake, .tlsEstablished(sessionInfo))
            logger.debug("smtp TLS established", metadata: [
                "tls_version": "\(tlsVersion ?? "unknown")",
                "tls_cipher": "\(cipherSuite ?? "unknown")",
            ])
            if let problem = hostnameProblem(handler?.peerCertificate) {
                perform(conversation!.failed(with: .certificate(configuration, detail: problem, problem: .wrongName)), context: context)
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
        cancelTimer()
        status.update(usable: false)
        let failure = conversation?.connectionClosed()
            ?? SMTPError.connectionLost(configuration, during: isEstablished ? .quit : .greeting)
        if !isEstablished {
            isEstablished = true
            established.fail(failure)
        }
        if let delivery {
            self.delivery = nil
            delivery.fail(failure)
        }
        if let probe {
            self.probe = nil
            probe.fail(failure)
        }
        context.fireChannelInactive()
    }

    // MARK: Outbound

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let request = event as? Request else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed(())
        switch request {
        case .send(let mail, let deliveryPromise):
            guard let conversation, conversation.isReady, delivery == nil, context.channel.isActive else {
                deliveryPromise.fail(notReady(context: context))
                return
            }
            delivery = deliveryPromise
            logger.debug("smtp sending message", metadata: [
                "smtp_message_number": "\(conversation.messagesStarted + 1)",
                "smtp_recipients": "\(mail.recipients.count)",
                "smtp_pipelining": "\(conversation.capabilities.pipelining)",
            ])
            perform(self.conversation!.startMail(mail), context: context)
        case .probe(let sender, let recipients, let probePromise):
            guard let conversation, conversation.isReady, delivery == nil, probe == nil, context.channel.isActive else {
                probePromise.fail(notReady(context: context))
                return
            }
            probe = probePromise
            perform(self.conversation!.startProbe(sender: sender, recipients: recipients), context: context)
        case .quit:
            perform(conversation?.quit() ?? [.close], context: context)
        }
    }

    private func notReady(context: ChannelHandlerContext) -> SMTPError {
        if delivery != nil || probe != nil {
            return .protocolViolation(configuration, detail: "the connection is busy with another message; send one message at a time on a connection", phase: conversation?.phase)
        }
        var error = SMTPError.connectionLost(configuration, during: .idle)
        error.isSafeToRetryOnNewConnection = true
        return error
    }

    // MARK: Actions

    private func perform(_ actions: [SMTPConversation.Action], context: ChannelHandlerContext) {
        // Before any promise is completed: the caller resumes on another thread and may look at
        // `isUsable` at once. The conversation has already moved to its new state.
        status.update(usable: (conversation?.isReady ?? false) && context.channel.isActive && !actions.contains(.close))
        for action in actions {
            switch action {
            case .send(let command):
                logger.trace("smtp command", metadata: ["smtp_command": "\(command.redactedDescription)"])
                timeline?.commandSent()
                context.write(wrapOutboundOut(command), promise: nil)
            case .startTLSHandshake:
                timeline?.commandSent()
                startTLS(context: context)
            case .ready:
                isEstablished = true
                let info = sessionInfo
                logger.debug("smtp session ready", metadata: [
                    "tls_version": "\(info.tlsVersion ?? "none")",
                    "tls_cipher": "\(info.cipherSuite ?? "none")",
                    "smtp_auth": "\(info.authenticationMechanism?.rawValue ?? "none")",
                    "smtp_pipelining": "\(info.capabilities.pipelining)",
                ])
                established.succeed(info)
            case .delivered(let reply):
                let receipt = SMTPDeliveryReceipt(
                    reply: reply,
                    session: sessionInfo,
                    messageNumberOnConnection: conversation?.messagesStarted ?? 1
                )
                delivery?.succeed(receipt)
                delivery = nil
            case .probed:
                probe?.succeed(())
                probe = nil
            case .fail(let error):
                timeline?.record(error.phase ?? .idle, .failed(error))
                if !isEstablished {
                    isEstablished = true
                    established.fail(error)
                } else if let delivery {
                    self.delivery = nil
                    delivery.fail(error)
                } else if let probe {
                    self.probe = nil
                    probe.fail(error)
                } else {
                    logger.debug("smtp session ended", metadata: ["code": "\(error.code.rawValue)", "error": "\(error.message)"])
                }
            case .close:
                context.close(promise: nil)
            }
        }
        context.flush()
        status.update(usable: (conversation?.isReady ?? false) && context.channel.isActive)
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
            if let unread = unreadReplyBytes?.count, unread > 0 {
                throw SMTPError.plaintextAfterStartTLS(configuration, bytes: unread)
            }
            let handler = try NIOSSLClientHandler(context: tlsContext, serverHostname: configuration.tlsServerHostname)
            try context.pipeline.syncOperations.addHandler(handler, position: .first)
            // In front of the TLS handler, to read the cipher suite from the ServerHello.
            try context.pipeline.syncOperations.addHandler(TLSServerHelloObserver(), position: .first)
        } catch {
            let failure = error as? SMTPError ?? .startTLSFailed(configuration, detail: "\(error)")
            perform(conversation!.failed(with: failure), context: context)
        }
    }

    private func armTimer(context: ChannelHandlerContext) {
        guard let conversation, context.channel.isActive else {
            cancelTimer()
            return
        }
        let duration: Duration
        switch conversation.wait {
        case .greeting: duration = configuration.timeouts.greeting
        case .command, .tlsHandshake: duration = configuration.timeouts.command
        case .dataCompletion: duration = configuration.timeouts.dataCompletion
        case .nothing:
            // A pending task finds no deadline and does nothing.
            deadline = nil
            return
        }
        let deadline = NIODeadline.now() + TimeAmount(duration)
        self.deadline = deadline
        waitDuration = duration
        if timer != nil, let firesAt = timerFiresAt, firesAt <= deadline { return }
        timer?.cancel()
        scheduleTimer(at: deadline, context: context)
    }

    private func scheduleTimer(at when: NIODeadline, context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timerFiresAt = when
        timer = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = loopBound.value
            handler.timer = nil
            handler.timerFiresAt = nil
            guard let deadline = handler.deadline, handler.conversation != nil else { return }
            if NIODeadline.now() < deadline {
                handler.scheduleTimer(at: deadline, context: context)
                return
            }
            handler.deadline = nil
            handler.perform(handler.conversation!.timedOut(after: handler.waitDuration), context: context)
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
        timerFiresAt = nil
        deadline = nil
    }

    /// "127.0.0.1:2525", "[::1]:2525".
    static func describe(_ address: SocketAddress?) -> String? {
        guard let address, let ip = address.ipAddress, let port = address.port else { return nil }
        return ip.contains(":") ? "[\(ip)]:\(port)" : "\(ip):\(port)"
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
