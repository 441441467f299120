/// How an ``SMTPTestServer`` behaves.
public struct SMTPTestServerConfiguration: Sendable {
    public enum TLSMode: Sendable, Hashable {
        /// Plain text only; STARTTLS is neither advertised nor accepted (502).
        case none
        /// Plain text first; STARTTLS is advertised and upgrades the session.
        case startTLS
        /// TLS from the first byte (SMTPS, "port 465" style); the banner follows the handshake.
        case implicit
    }

    public var tlsMode: TLSMode = .none
    /// The certificate the server presents. Required for `.startTLS` and `.implicit`;
    /// when `nil`, ``SMTPTestServer/start(_:host:port:)`` generates one for "localhost",
    /// 127.0.0.1 and ::1 (see ``SMTPTestServer/certificates``).
    public var certificates: TestCertificates? = nil
    /// The name in the 220 banner and the first line of the EHLO reply.
    public var hostname: String = "smtp.test"
    /// The accepted username and password. AUTH is advertised and accepted only when set.
    public var credentials: TestCredentials? = nil
    /// The mechanisms advertised (and accepted) when ``credentials`` is set; the server
    /// implements "PLAIN" and "LOGIN". Any other name is advertised but answered 504.
    public var authMechanisms: [String] = ["PLAIN", "LOGIN"]
    /// Like real servers, AUTH is offered (and accepted) only after STARTTLS or on
    /// implicit TLS, unless this is `true`. Before that AUTH is answered `538 5.7.11`.
    public var advertiseAuthBeforeTLS: Bool = false
    /// `MAIL` before a successful AUTH is answered `530 5.7.0`.
    public var requireAuth: Bool = false
    public var advertisePipelining: Bool = true
    /// When set, `SIZE n` is advertised; a `SIZE=` parameter above it is refused at MAIL,
    /// and a larger message is refused after the final "." (552 5.3.4).
    public var maxSize: Int? = nil
    public var faults: [SMTPTestFault] = []

    public init() {}

    public init(
        tlsMode: TLSMode = .none,
        certificates: TestCertificates? = nil,
        hostname: String = "smtp.test",
        credentials: TestCredentials? = nil,
        authMechanisms: [String] = ["PLAIN", "LOGIN"],
        advertiseAuthBeforeTLS: Bool = false,
        requireAuth: Bool = false,
        advertisePipelining: Bool = true,
        maxSize: Int? = nil,
        faults: [SMTPTestFault] = []
    ) {
        self.tlsMode = tlsMode
        self.certificates = certificates
        self.hostname = hostname
        self.credentials = credentials
        self.authMechanisms = authMechanisms
        self.advertiseAuthBeforeTLS = advertiseAuthBeforeTLS
        self.requireAuth = requireAuth
        self.advertisePipelining = advertisePipelining
        self.maxSize = maxSize
        self.faults = faults
    }
}
