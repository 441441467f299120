/// The client side of one SMTP session as an explicit state machine, free of I/O.
///
/// The channel handler feeds it replies and events and carries out the actions it returns,
/// so every transition (STARTTLS, AUTH, the envelope, failures) can be tested without a socket.
public struct SMTPConversation: Sendable {
    public enum Action: Sendable, Equatable {
        case send(SMTPCommand)
        /// Put TLS in front of the pipeline now; call `tlsEstablished` when the handshake completes.
        case startTLSHandshake
        /// The server took the message.
        case delivered(SMTPReply)
        /// This attempt failed; later actions (QUIT, close) still apply.
        case fail(SMTPError)
        case close
    }

    /// Which timer should run while the conversation waits.
    public enum Wait: Sendable, Equatable {
        case greeting, command, dataCompletion, tlsHandshake, nothing
    }

    enum State: Sendable {
        case awaitingGreeting
        case awaitingEHLO
        case awaitingHELO
        case awaitingStartTLS
        case handshaking
        case awaitingAuthPlain
        case awaitingAuthLoginUsername
        case awaitingAuthLoginPassword
        case awaitingAuthResult(mechanism: String)
        case awaitingMailFrom
        case awaitingRecipient(index: Int)
        case awaitingDataGo
        case awaitingDataResult
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

    private(set) var state: State = .awaitingGreeting
    private let settings: Settings
    private let mail: SMTPMail
    public private(set) var isSecure: Bool
    public private(set) var isAuthenticated = false
    public private(set) var capabilities = ServerCapabilities()
    /// The command whose reply is awaited, as it may be logged.
    public private(set) var pendingCommand: String?

    public init(settings: Settings, mail: SMTPMail) {
        self.settings = settings
        self.mail = mail
        self.isSecure = settings.security == .implicitTLS
    }

    public var isFinished: Bool {
        if case .finished = state { return true }
        return false
    }

    public var wait: Wait {
        switch state {
        case .awaitingGreeting: .greeting
        case .handshaking: .tlsHandshake
        case .awaitingDataResult: .dataCompletion
        case .finished: .nothing
        default: .command
        }
    }

    /// What the session was doing, for messages such as "closed the connection during RCPT TO".
    public var phase: String {
        switch state {
        case .awaitingGreeting: "the greeting"
        case .handshaking: "the TLS handshake"
        case .quitting, .finished: "QUIT"
        default: pendingCommand ?? "the session"
        }
    }

    // MARK: Inputs

    /// How the step after the message content is named in errors and logs.
    public static let endOfMessage = "end of message"

    public mutating func receive(_ reply: SMTPReply) -> [Action] {
        // RFC 5321 §3.8: 421 may answer any command; the server is closing, whatever we asked.
        if reply.code == 421, !isFinished {
            if case .quitting = state {} else {
                let error = SMTPError.connectionLost(settings.client, during: phase, reply: reply)
                state = .finished
                return [.fail(error), .close]
            }
        }
        switch state {
        case .awaitingGreeting:
            guard reply.code == 220 else {
                return fail(.protocolViolation(settings.client, detail: "the server refused the session with its greeting", reply: reply))
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
            return fail(.protocolViolation(settings.client, detail: "the server rejected EHLO", reply: reply, command: pendingCommand))

        case .awaitingHELO:
            guard reply.code == 250 else {
                return fail(.protocolViolation(settings.client, detail: "the server rejected EHLO and HELO", reply: reply, command: pendingCommand))
            }
            capabilities = ServerCapabilities()
            return afterHello()

        case .awaitingStartTLS:
            guard reply.code == 220 else {
                return fail(.startTLSFailed(settings.client, detail: "the server answered STARTTLS with \(reply.code)", reply: reply))
            }
            state = .handshaking
            pendingCommand = nil
            return [.startTLSHandshake]

        case .handshaking:
            return fail(.protocolViolation(settings.client, detail: "the server sent a reply during the TLS handshake", reply: reply))

        case .awaitingAuthPlain:
            return authResult(reply, mechanism: "PLAIN")

        case .awaitingAuthLoginUsername:
            guard reply.code == 334 else { return authResult(reply, mechanism: "LOGIN") }
            state = .awaitingAuthLoginPassword
            return [.send(.authResponse(Base64.encode(Array((settings.credentials?.username ?? "").utf8))))]

        case .awaitingAuthLoginPassword:
            guard reply.code == 334 else { return authResult(reply, mechanism: "LOGIN") }
            state = .awaitingAuthResult(mechanism: "LOGIN")
            return [.send(.authResponse(Base64.encode(Array((settings.credentials?.password ?? "").utf8))))]

        case .awaitingAuthResult(let mechanism):
            return authResult(reply, mechanism: mechanism)

        case .awaitingMailFrom:
            guard reply.code == 250 else {
                if reply.code == 530 || reply.code == 550 && reply.enhancedStatusCode == "5.7.0" {
                    return fail(.authenticationRequired(reply: reply, command: pendingCommand ?? "MAIL FROM"))
                }
                return fail(.senderRejected(reply: reply, command: pendingCommand ?? "MAIL FROM"))
            }
            return sendRecipient(at: 0)

        case .awaitingRecipient(let index):
            guard reply.code == 250 || reply.code == 251 else {
                if reply.code == 530 {
                    return fail(.authenticationRequired(reply: reply, command: pendingCommand ?? "RCPT TO"))
                }
                return fail(.recipientRejected(reply: reply, command: pendingCommand ?? "RCPT TO", recipient: mail.recipients[index]))
            }
            return sendRecipient(at: index + 1)

        case .awaitingDataGo:
            guard reply.code == 354 else {
                return fail(.messageRejected(reply: reply, command: "DATA"))
            }
            state = .awaitingDataResult
            pendingCommand = Self.endOfMessage
            return [.send(.messageContent(mail.content))]

        case .awaitingDataResult:
            guard reply.code == 250 else {
                return fail(.messageRejected(reply: reply, command: Self.endOfMessage))
            }
            state = .quitting
            pendingCommand = "QUIT"
            return [.delivered(reply), .send(.quit)]

        case .quitting:
            state = .finished
            return [.close]

        case .finished:
            return []
        }
    }

    public mutating func tlsEstablished() -> [Action] {
        isSecure = true
        switch state {
        case .handshaking:
            // RFC 3207 §4.2: everything learnt before TLS is discarded; greet again.
            return sendEHLO()
        default:
            return []
        }
    }

    /// The handler saw the connection close; returns the failure to report if the session was not done.
    public mutating func connectionClosed() -> SMTPError? {
        defer { state = .finished }
        switch state {
        case .quitting, .finished: return nil
        default: return .connectionLost(settings.client, during: phase)
        }
    }

    /// A timer for `wait` expired.
    public mutating func timedOut(after duration: Duration) -> [Action] {
        switch state {
        case .awaitingGreeting:
            return finishWithoutQuit(.greetingTimedOut(settings.client))
        case .handshaking:
            return finishWithoutQuit(.startTLSFailed(settings.client, detail: "no TLS handshake within \(duration)"))
        case .quitting, .finished:
            state = .finished
            return [.close]
        default:
            return finishWithoutQuit(.commandTimedOut(settings.client, command: pendingCommand ?? phase, after: duration))
        }
    }

    /// Any other failure the handler detects (TLS errors, undecodable replies).
    public mutating func failed(with error: SMTPError) -> [Action] {
        finishWithoutQuit(error)
    }

    // MARK: Transitions

    private mutating func sendEHLO() -> [Action] {
        send(.ehlo(settings.heloName), next: .awaitingEHLO)
    }

    private mutating func afterHello() -> [Action] {
        if !isSecure, settings.security == .startTLSWhenOffered, capabilities.startTLS {
            return send(.startTLS, next: .awaitingStartTLS)
        }
        guard let credentials = settings.credentials, !isAuthenticated else {
            return sendMailFrom()
        }
        if !isSecure, !settings.allowInsecureAuth {
            return fail(.insecureAuthRefused(settings.client))
        }
        let offered = capabilities.authMechanisms
        if offered.contains("PLAIN") {
            // RFC 4616: authzid NUL authcid NUL passwd, with an empty authzid.
            let message = [0] + Array(credentials.username.utf8) + [0] + Array(credentials.password.utf8)
            return send(.authPlain(initialResponse: Base64.encode(message)), next: .awaitingAuthPlain)
        }
        if offered.contains("LOGIN") {
            return send(.authLogin, next: .awaitingAuthLoginUsername)
        }
        return fail(.authenticationUnavailable(settings.client, offered: offered, secure: isSecure))
    }

    private mutating func authResult(_ reply: SMTPReply, mechanism: String) -> [Action] {
        guard reply.code == 235 else {
            if reply.code == 334 {
                // An unexpected challenge: answer with "*" to cancel (RFC 4954 §4), then report.
                state = .awaitingAuthResult(mechanism: mechanism)
                return [.send(.authResponse("*"))]
            }
            return fail(.authenticationRejected(reply: reply, command: "AUTH \(mechanism)"))
        }
        isAuthenticated = true
        return sendMailFrom()
    }

    private mutating func sendMailFrom() -> [Action] {
        guard !mail.recipients.isEmpty else {
            return fail(SMTPError(code: .envelope, message: "the message has no recipients", hint: "give at least one recipient"))
        }
        if let limit = capabilities.maximumSize, mail.content.count > limit {
            return fail(SMTPError(
                code: .message,
                message: "the message is \(mail.content.count) bytes; the server accepts at most \(limit)",
                hint: "make the message smaller (attachments, images) or use a server with a larger limit"
            ))
        }
        var parameters: [String] = []
        if capabilities.maximumSize != nil { parameters.append("SIZE=\(mail.content.count)") }
        return send(.mailFrom(mail.sender, parameters: parameters), next: .awaitingMailFrom)
    }

    private mutating func sendRecipient(at index: Int) -> [Action] {
        guard index < mail.recipients.count else {
            return send(.data, next: .awaitingDataGo)
        }
        return send(.rcptTo(mail.recipients[index]), next: .awaitingRecipient(index: index))
    }

    private mutating func send(_ command: SMTPCommand, next: State) -> [Action] {
        state = next
        pendingCommand = command.redactedDescription
        return [.send(command)]
    }

    /// A reply said no: the session itself is intact, so say goodbye properly.
    private mutating func fail(_ error: SMTPError) -> [Action] {
        state = .quitting
        pendingCommand = "QUIT"
        return [.fail(error), .send(.quit)]
    }

    /// The session is broken (timeout, TLS failure): QUIT would not be understood.
    private mutating func finishWithoutQuit(_ error: SMTPError) -> [Action] {
        state = .finished
        return [.fail(error), .close]
    }
}
