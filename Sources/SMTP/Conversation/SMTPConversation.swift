/// The client side of one SMTP session as an explicit state machine, free of I/O.
///
/// The channel handler feeds it replies and events and carries out the actions it returns,
/// so every transition (STARTTLS, AUTH, the envelope, pipelining, failures) can be tested
/// without a socket.
///
/// A session is established once (greeting, EHLO, STARTTLS, AUTH: then `.ready`) and can then
/// carry any number of messages, one at a time: `startMail` after `.ready`, `.delivered` or a
/// `.fail` that left the session usable (`isReady`). `quit()` ends it.
public struct SMTPConversation: Sendable {
    public enum Action: Sendable, Equatable {
        case send(SMTPCommand)
        /// Put TLS in front of the pipeline now; call `tlsEstablished` when the handshake completes.
        case startTLSHandshake
        /// The session is established (greeted, encrypted and logged in as configured): it can take a message.
        case ready
        /// The server took the message; the session is ready for the next one.
        case delivered(SMTPReply)
        /// The server accepted the probed envelope and the RSET that discarded it; nothing was
        /// sent, and the session is ready for a message.
        case probed
        /// The current step failed: establishing the session, or the current message. When
        /// `isReady` is true afterwards, the session can take another message.
        case fail(SMTPError)
        case close
    }

    /// Which timer should run while the conversation waits.
    public enum Wait: Sendable, Equatable {
        case greeting, command, dataCompletion, tlsHandshake, nothing
    }

    enum AuthStep: Sendable, Equatable {
        case loginUsername
        case loginPassword
        case cramMD5Challenge
        case xoauth2Initial
        /// `detail`: what the server said about a refused token, kept for the final error.
        case result(detail: String?)
    }

    enum State: Sendable {
        case awaitingGreeting
        /// Implicit TLS before the greeting, or after the server's 220 to STARTTLS.
        case handshaking(afterStartTLS: Bool)
        case awaitingEHLO
        case awaitingHELO
        case awaitingStartTLS
        case authenticating(SASLMechanism, AuthStep)
        /// Idle, no transaction open.
        case ready
        /// RSET after a failed transaction; then this message.
        case resetting(SMTPMail)
        /// RSET that discards a probed envelope (see `startProbe`).
        case resettingProbe
        case transaction(SMTPTransaction)
        case quitting
        case finished
    }

    public struct Settings: Sendable {
        public var client: SMTPClientConfiguration
        public var heloName: String

        public init(configuration: SMTPClientConfiguration, heloName: String) {
            self.client = configuration
            self.heloName = heloName
        }

        var security: SMTPClientConfiguration.Security { client.security }
        var credentials: SMTPClientConfiguration.Credentials? { client.credentials }
        var allowInsecureAuth: Bool { client.allowInsecureAuth }
    }

    private(set) var state: State
    private let settings: Settings
    public private(set) var isSecure: Bool
    public private(set) var authenticationMechanism: SASLMechanism?
    public private(set) var capabilities = ServerCapabilities()
    /// Messages started on this session, including the current one.
    public private(set) var messagesStarted = 0
    /// RFC 5321 §4.1.1.5: after a failed or aborted transaction the next one starts with RSET;
    /// after a completed one, MAIL may follow directly.
    private var needsReset = false
    /// The last command outside a mail transaction, as it may be logged.
    private var lastCommand: String?

    public init(settings: Settings) {
        self.settings = settings
        self.isSecure = false
        self.state = settings.security == .implicitTLS ? .handshaking(afterStartTLS: false) : .awaitingGreeting
    }

    public var isAuthenticated: Bool { authenticationMechanism != nil }

    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    /// Established and idle: `startMail` may be called.
    public var isReady: Bool {
        if case .ready = state { return true }
        return false
    }

    public var wait: Wait {
        switch state {
        case .awaitingGreeting: .greeting
        case .handshaking: .tlsHandshake
        case .ready, .finished: .nothing
        case .transaction(let transaction) where transaction.awaiting.first == .content: .dataCompletion
        default: .command
        }
    }

    /// The step whose outcome is awaited, for errors and logs.
    public var phase: SMTPPhase {
        switch state {
        case .awaitingGreeting: .greeting
        case .handshaking: .tlsHandshake
        case .awaitingEHLO: .ehlo
        case .awaitingHELO: .helo
        case .awaitingStartTLS: .startTLS
        case .authenticating: .auth
        case .ready: .idle
        case .resetting, .resettingProbe: .reset
        case .transaction(let transaction): transaction.awaiting.first.map(Self.phase(of:)) ?? .mailFrom
        case .quitting, .finished: .quit
        }
    }

    /// The command whose reply is awaited, as it may be logged (credentials redacted).
    public var pendingCommand: String? {
        switch state {
        case .transaction(let transaction):
            guard let step = transaction.awaiting.first else { return nil }
            return step == .content ? Self.endOfMessage : transaction.command(for: step).redactedDescription
        case .awaitingGreeting, .handshaking, .ready: return nil
        default: return lastCommand
        }
    }

    /// The server already accepted part of the current message (MAIL FROM or later).
    public var transactionUnderWay: Bool {
        if case .transaction(let transaction) = state { return transaction.anythingAccepted }
        return false
    }

    /// How the step after the message content is named in errors and logs.
    public static let endOfMessage = "end of message"

    // MARK: Inputs

    public mutating func receive(_ reply: SMTPReply) -> [Action] {
        // RFC 5321 §3.8: 421 may answer any command, or come unasked; the server is closing.
        if reply.code == 421 {
            switch state {
            case .quitting, .finished: break
            default:
                let error = SMTPError.connectionLost(settings.client, during: phase, command: pendingCommand, reply: reply,
                                                     transactionUnderWay: transactionUnderWay)
                return finishWithoutQuit(error)
            }
        }
        switch state {
        case .awaitingGreeting:
            guard reply.code == 220 else {
                return fail(.protocolViolation(settings.client, detail: "the server refused the session with its greeting", reply: reply, phase: .greeting))
            }
            return sendEHLO()

        case .awaitingEHLO:
            if reply.code == 250 {
                capabilities = ServerCapabilities(ehloReply: reply)
                return afterHello()
            }
            // RFC 5321 §3.2: a server that does not know EHLO gets HELO, losing the extensions.
            if [500, 501, 502, 504, 550].contains(reply.code) {
                return send(.helo(settings.heloName), next: .awaitingHELO)
            }
            return fail(.protocolViolation(settings.client, detail: "the server rejected EHLO", reply: reply, command: lastCommand, phase: .ehlo))

        case .awaitingHELO:
            guard reply.code == 250 else {
                return fail(.protocolViolation(settings.client, detail: "the server rejected EHLO and HELO", reply: reply, command: lastCommand, phase: .helo))
            }
            capabilities = ServerCapabilities()
            return afterHello()

        case .awaitingStartTLS:
            guard reply.code == 220 else {
                return fail(.startTLSFailed(settings.client, detail: "the server answered STARTTLS with \(reply.code)", reply: reply))
            }
            state = .handshaking(afterStartTLS: true)
            lastCommand = nil
            return [.startTLSHandshake]

        case .handshaking:
            return finishWithoutQuit(.protocolViolation(settings.client, detail: "the server sent a reply during the TLS handshake", reply: reply, phase: .tlsHandshake))

        case .authenticating(let mechanism, let step):
            return authenticate(reply, mechanism: mechanism, step: step)

        case .ready:
            return finishWithoutQuit(.protocolViolation(settings.client, detail: "the server sent a reply nobody asked for", reply: reply, phase: .idle))

        case .resetting(let mail):
            guard reply.code == 250 else {
                var error = SMTPError.protocolViolation(settings.client, detail: "the server refused RSET", reply: reply, command: "RSET", phase: .reset)
                error.isSafeToRetryOnNewConnection = true
                return fail(error)
            }
            needsReset = false
            state = .ready
            return beginTransaction(mail)

        case .resettingProbe:
            guard reply.code == 250 else {
                return fail(.protocolViolation(settings.client, detail: "the server refused RSET", reply: reply, command: "RSET", phase: .reset))
            }
            needsReset = false
            state = .ready
            lastCommand = nil
            return [.probed]

        case .transaction(var transaction):
            return transactionReply(reply, transaction: &transaction)

        case .quitting:
            state = .finished
            return [.close]

        case .finished:
            return []
        }
    }

    public mutating func tlsEstablished() -> [Action] {
        guard case .handshaking(let afterStartTLS) = state else { return [] }
        isSecure = true
        if afterStartTLS {
            // RFC 3207 §4.2: everything learnt before TLS is discarded; greet again.
            return sendEHLO()
        }
        state = .awaitingGreeting
        return []
    }

    /// Starts the next message. Only valid when `isReady`; otherwise the failure says why.
    public mutating func startMail(_ mail: SMTPMail) -> [Action] {
        guard case .ready = state else {
            var error: SMTPError
            if isFinished {
                error = .connectionLost(settings.client, during: .idle)
                error.isSafeToRetryOnNewConnection = true
            } else {
                error = .protocolViolation(settings.client, detail: "the session is busy (\(phase)); send one message at a time on a connection", phase: phase)
            }
            return [.fail(error)]
        }
        messagesStarted += 1
        if needsReset {
            state = .resetting(mail)
            lastCommand = SMTPCommand.reset.redactedDescription
            return [.send(.reset)]
        }
        return beginTransaction(mail)
    }

    /// Checks that the server would take a message from `sender` to `recipients`, without sending
    /// one: MAIL FROM and RCPT TO as `startMail` sends them (same parameters, pipelining and error
    /// classification), then RSET instead of DATA. Only valid when `isReady`.
    ///
    /// Ends with `.probed` when every command was accepted, or `.fail` with the same error a real
    /// message would get (the session stays usable, and the next transaction starts with RSET).
    public mutating func startProbe(sender: String, recipients: [String]) -> [Action] {
        let mail = SMTPMail(sender: sender, recipients: recipients, content: [])
        // Busy or closed: the same refusal a message would get.
        guard case .ready = state else { return startMail(mail) }
        if needsReset {
            // A probe answers "would a fresh session take this envelope?"; after a failed
            // transaction the answer would also depend on how the server handles RSET.
            return [.fail(.protocolViolation(settings.client, detail: "a probe needs a fresh session (a failed transaction is still open)", phase: phase))]
        }
        return beginTransaction(mail, envelopeOnly: true)
    }

    /// Ends the session: QUIT when idle; in the middle of anything else the connection is just
    /// closed, which aborts an open transaction (RFC 5321 §3.3) instead of completing it.
    public mutating func quit() -> [Action] {
        switch state {
        case .ready:
            return send(.quit, next: .quitting)
        case .quitting, .finished:
            return []
        default:
            state = .finished
            return [.close]
        }
    }

    /// The handler saw the connection close; returns the failure to report if the session was not done.
    public mutating func connectionClosed() -> SMTPError? {
        switch state {
        case .quitting, .finished:
            state = .finished
            return nil
        default:
            let error = SMTPError.connectionLost(settings.client, during: phase, command: pendingCommand, transactionUnderWay: transactionUnderWay)
            let marked = markRetrySafety(error)
            state = .finished
            return marked
        }
    }

    /// A timer for `wait` expired.
    public mutating func timedOut(after duration: Duration) -> [Action] {
        switch state {
        case .awaitingGreeting:
            return finishWithoutQuit(.greetingTimedOut(settings.client))
        case .handshaking:
            return finishWithoutQuit(.handshakeTimedOut(settings.client, after: duration))
        case .ready:
            return []
        case .quitting, .finished:
            state = .finished
            return [.close]
        default:
            return finishWithoutQuit(.commandTimedOut(settings.client, command: pendingCommand ?? "\(phase)", phase: phase, after: duration))
        }
    }

    /// Any other failure the handler detects (TLS errors, undecodable replies, resets).
    public mutating func failed(with error: SMTPError) -> [Action] {
        finishWithoutQuit(error)
    }

    // MARK: Establishing the session

    private mutating func sendEHLO() -> [Action] {
        send(.ehlo(settings.heloName), next: .awaitingEHLO)
    }

    private mutating func afterHello() -> [Action] {
        if !isSecure, settings.security == .startTLSWhenOffered {
            if capabilities.startTLS {
                return send(.startTLS, next: .awaitingStartTLS)
            }
            if settings.client.requireStartTLS {
                return fail(.startTLSRequired(settings.client))
            }
        }
        let oauth2Token = settings.client.oauth2Token
        guard settings.credentials != nil || oauth2Token != nil, !isAuthenticated else {
            return becomeReady()
        }
        if !isSecure, !settings.allowInsecureAuth {
            return fail(.insecureAuthRefused(settings.client))
        }
        let username = settings.credentials?.username ?? ""
        if oauth2Token != nil, username.isEmpty {
            return fail(.oauth2NeedsUsername())
        }
        let offered = capabilities.authMechanisms
        guard let mechanism = SASLMechanism.choose(offered: offered, secure: isSecure, oauth2: oauth2Token != nil) else {
            return fail(.authenticationUnavailable(settings.client, offered: offered, secure: isSecure))
        }
        let password = settings.credentials?.password ?? ""
        switch mechanism {
        case .plain:
            let response = SASLPlain.initialResponse(username: username, password: password)
            return send(.authPlain(initialResponse: response), next: .authenticating(.plain, .result(detail: nil)))
        case .login:
            return send(.authLogin, next: .authenticating(.login, .loginUsername))
        case .cramMD5:
            return send(.authCRAMMD5, next: .authenticating(.cramMD5, .cramMD5Challenge))
        case .xoauth2:
            let response = XOAUTH2.initialResponse(username: username, token: oauth2Token?.value ?? "")
            return send(.authXOAUTH2(initialResponse: response), next: .authenticating(.xoauth2, .xoauth2Initial))
        }
    }

    private mutating func authenticate(_ reply: SMTPReply, mechanism: SASLMechanism, step: AuthStep) -> [Action] {
        let credentials = settings.credentials
        if reply.code == 334 {
            switch step {
            case .loginUsername:
                state = .authenticating(mechanism, .loginPassword)
                return [.send(.authResponse(Base64.encode(Array((credentials?.username ?? "").utf8))))]
            case .loginPassword:
                state = .authenticating(mechanism, .result(detail: nil))
                return [.send(.authResponse(Base64.encode(Array((credentials?.password ?? "").utf8))))]
            case .cramMD5Challenge:
                state = .authenticating(mechanism, .result(detail: nil))
                let response = CRAMMD5.response(
                    username: credentials?.username ?? "", password: credentials?.password ?? "", challenge: reply.lines.first ?? ""
                )
                // A challenge that is not base64 cannot be answered: cancel (RFC 4954 §4).
                return [.send(.authResponse(response ?? "*"))]
            case .xoauth2Initial:
                // The token was refused; the challenge carries the reason. RFC 7628-style: an
                // empty response makes the server send its final failure reply.
                state = .authenticating(mechanism, .result(detail: XOAUTH2.errorDetail(challenge: reply.lines.first ?? "")))
                return [.send(.authResponse(""))]
            case .result:
                // An unexpected challenge: answer with "*" to cancel (RFC 4954 §4), then report.
                return [.send(.authResponse("*"))]
            }
        }
        guard reply.code == 235 else {
            var detail: String?
            if case .result(let found) = step { detail = found }
            return fail(.authenticationRejected(reply: reply, command: "AUTH \(mechanism.rawValue)", detail: detail))
        }
        authenticationMechanism = mechanism
        return becomeReady()
    }

    private mutating func becomeReady() -> [Action] {
        state = .ready
        lastCommand = nil
        return [.ready]
    }

    // MARK: Mail transactions

    private mutating func beginTransaction(_ mail: SMTPMail, envelopeOnly: Bool = false) -> [Action] {
        var parameters: [String]
        switch MailParameters.make(for: mail, capabilities: capabilities, configuration: settings.client) {
        case .success(let found): parameters = found
        case .failure(let error):
            // Refused before anything was sent: the session stays clean and ready.
            state = .ready
            return [.fail(error)]
        }
        // A probe has no content: declaring SIZE=0 would be a claim about a message that does not exist.
        if envelopeOnly { parameters.removeAll { $0.hasPrefix("SIZE=") } }
        var transaction = SMTPTransaction(mail: mail, parameters: parameters, pipelined: capabilities.pipelining, envelopeOnly: envelopeOnly)
        let commands = transaction.nextCommands()
        state = .transaction(transaction)
        return commands.map { .send($0) }
    }

    private mutating func transactionReply(_ reply: SMTPReply, transaction: inout SMTPTransaction) -> [Action] {
        guard let step = transaction.replyArrived() else {
            return finishWithoutQuit(.protocolViolation(settings.client, detail: "the server sent more replies than commands", reply: reply, phase: phase))
        }
        let command = step == .content ? Self.endOfMessage : transaction.command(for: step).redactedDescription
        switch step {
        case .mailFrom:
            if reply.code == 250 {
                transaction.anythingAccepted = true
            } else if reply.code == 530 || reply.code == 550 && reply.enhancedStatusCode?.description == "5.7.0" {
                transaction.fatalFailure = .authenticationRequired(reply: reply, command: command, phase: .mailFrom)
            } else {
                transaction.fatalFailure = .senderRejected(reply: reply, command: command)
            }

        case .recipient(let index):
            if reply.code == 250 || reply.code == 251 {
                transaction.anythingAccepted = true
            } else if transaction.fatalFailure == nil {
                // After a refused sender the RCPT replies (503 "need MAIL") only echo that refusal.
                if reply.code == 530 {
                    transaction.fatalFailure = .authenticationRequired(reply: reply, command: command, phase: .rcptTo)
                } else {
                    transaction.rejections.append((transaction.mail.recipients[index], reply))
                }
            }

        case .data:
            if reply.code == 354 {
                if let failure = transaction.failure {
                    // Only reachable with PIPELINING: DATA went out with the envelope and the server
                    // accepted it although a recipient (or the sender) was refused. We fail the
                    // whole message rather than deliver it to the recipients that were accepted:
                    // the caller asked for all of them, gets an error, and may send again, which
                    // would then duplicate the partial delivery. A lone "." would deliver an empty
                    // message. Closing the connection before the final "." aborts the transaction
                    // (RFC 5321 §3.3, §4.1.1.4), so nothing is delivered; the session is lost,
                    // which a pool simply replaces.
                    state = .finished
                    return [.fail(failure), .close]
                }
                transaction.contentSent()
                state = .transaction(transaction)
                return [.send(.messageContent(transaction.mail.content))]
            }
            // With PIPELINING a refused envelope makes DATA fail too (503/554): the envelope
            // failure is the one worth reporting.
            return endTransaction(failing: transaction.failure ?? .messageRejected(reply: reply, command: "DATA", phase: .data))

        case .content:
            // The reply to the final "." ends the transaction either way (RFC 5321 §4.1.1.4):
            // no RSET is needed before the next message.
            needsReset = false
            state = .ready
            if reply.code == 250 {
                return [.delivered(reply)]
            }
            return [.fail(.messageRejected(reply: reply, command: Self.endOfMessage, phase: .endOfMessage))]
        }

        if !transaction.awaiting.isEmpty {
            state = .transaction(transaction)
            return []
        }
        // Without PIPELINING: send the next command, unless the outcome is already decided.
        // Refused recipients do not stop the others from being tried, so the error can name every
        // refused one; DATA is sent only when all were accepted.
        if let fatal = transaction.fatalFailure { return endTransaction(failing: fatal) }
        if transaction.nextUnsent == .data, let failure = transaction.failure { return endTransaction(failing: failure) }
        if transaction.envelopeOnly, transaction.nextUnsent == nil {
            // Every envelope reply is in: discard the transaction instead of sending DATA.
            if let failure = transaction.failure { return endTransaction(failing: failure) }
            return send(.reset, next: .resettingProbe)
        }
        let commands = transaction.nextCommands()
        state = .transaction(transaction)
        return commands.map { .send($0) }
    }

    /// The server refused part of the transaction; the session itself is fine.
    private mutating func endTransaction(failing error: SMTPError) -> [Action] {
        state = .ready
        needsReset = true
        return [.fail(error)]
    }

    // MARK: Helpers

    private static func phase(of step: SMTPTransaction.Step) -> SMTPPhase {
        switch step {
        case .mailFrom: .mailFrom
        case .recipient: .rcptTo
        case .data: .data
        case .content: .endOfMessage
        }
    }

    private mutating func send(_ command: SMTPCommand, next: State) -> [Action] {
        state = next
        lastCommand = command.redactedDescription
        return [.send(command)]
    }

    /// A reply said no while establishing the session: the session itself is intact, so say
    /// goodbye properly.
    private mutating func fail(_ error: SMTPError) -> [Action] {
        let marked = markRetrySafety(error)
        state = .quitting
        lastCommand = "QUIT"
        return [.fail(marked), .send(.quit)]
    }

    /// The session is broken (timeout, TLS failure, 421): QUIT would not be understood.
    private mutating func finishWithoutQuit(_ error: SMTPError) -> [Action] {
        let marked = markRetrySafety(error)
        state = .finished
        return [.fail(marked), .close]
    }

    /// A failure that ends the connection while a message is in flight but before the server
    /// accepted any of it (not even MAIL FROM) can be retried on a new connection without any risk
    /// of delivering twice: the case of a pooled connection the server closed while it was idle.
    private func markRetrySafety(_ error: SMTPError) -> SMTPError {
        var error = error
        let nothingAccepted: Bool
        switch state {
        case .ready, .resetting, .resettingProbe: nothingAccepted = true
        case .transaction(let transaction): nothingAccepted = !transaction.anythingAccepted
        default: nothingAccepted = false
        }
        if nothingAccepted, [.connection, .connectionReset, .timedOut].contains(error.code) || error.isSafeToRetryOnNewConnection {
            error.isSafeToRetryOnNewConnection = true
        }
        return error
    }
}
