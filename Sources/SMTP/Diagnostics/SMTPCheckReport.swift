/// The outcome of `SMTPDiagnostics.check`: every step in order (failed and skipped ones included),
/// and what the session negotiated.
public struct SMTPCheckReport: Sendable {
    public var host: String
    public var port: Int
    public var security: SMTPClientConfiguration.Security
    /// The envelope the probe used: MAIL FROM and RCPT TO, followed by RSET.
    public var sender: String
    public var recipient: String
    public var steps: [SMTPCheckStep]
    /// TLS version, cipher suite and certificate; nil when the session was not encrypted.
    public var tls: SMTPSessionInfo?
    /// The extensions of the last EHLO reply, as the server wrote them ("SIZE 10240000", "AUTH PLAIN LOGIN").
    public var extensions: [String]
    /// The mechanism that logged in (or was refused); nil without AUTH.
    public var authenticationMechanism: String?
    public var duration: Duration

    public init(
        host: String, port: Int, security: SMTPClientConfiguration.Security, sender: String, recipient: String,
        steps: [SMTPCheckStep], tls: SMTPSessionInfo? = nil, extensions: [String] = [], authenticationMechanism: String? = nil,
        duration: Duration = .zero
    ) {
        self.host = host
        self.port = port
        self.security = security
        self.sender = sender
        self.recipient = recipient
        self.steps = steps
        self.tls = tls
        self.extensions = extensions
        self.authenticationMechanism = authenticationMechanism
        self.duration = duration
    }

    /// Every step passed or did not apply.
    public var ok: Bool { !steps.contains { $0.status == .failed } }

    /// The failed step, whose error has the code and hint.
    public var failedStep: SMTPCheckStep? { steps.first { $0.status == .failed } }

    public func step(_ name: SMTPCheckStep.Name) -> SMTPCheckStep? { steps.first { $0.name == name } }
}
