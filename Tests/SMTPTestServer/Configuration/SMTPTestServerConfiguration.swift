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

    /// The newest TLS version the server negotiates.
    public enum TLSVersionLimit: Sendable, Hashable {
        case tls12
        case tls13
    }

    public var tlsMode: TLSMode = .none
    /// With `.tls12`, the handshake is TLS 1.2 (for testing what a client reports about it).
    public var maximumTLSVersion: TLSVersionLimit = .tls13
    /// The certificate the server presents. Required for `.startTLS` and `.implicit`;
    /// when `nil`, ``SMTPTestServer/start(_:host:port:)`` generates one for "localhost",
    /// 127.0.0.1 and ::1 (see ``SMTPTestServer/certificates``).
    public var certificates: TestCertificates? = nil
    /// The name in the 220 banner and the first line of the EHLO reply.
    public var hostname: String = "smtp.test"
    /// The accepted username and password. AUTH is advertised and accepted only when set.
    public var credentials: TestCredentials? = nil
    /// The mechanisms advertised (and accepted) when ``credentials`` is set; the server
    /// implements "PLAIN", "LOGIN", "CRAM-MD5" (RFC 2195) and "XOAUTH2" (checked against
    /// ``TestCredentials/oauth2Token``). Any other name is advertised but answered 504.
    public var authMechanisms: [String] = ["PLAIN", "LOGIN"]
    /// Like real servers, AUTH is offered (and accepted) only after STARTTLS or on
    /// implicit TLS, unless this is `true`. Before that AUTH is answered `538 5.7.11`.
    public var advertiseAuthBeforeTLS: Bool = false
    /// `MAIL` before a successful AUTH is answered `530 5.7.0`.
    public var requireAuth: Bool = false
    /// RFC 2920. Commands are read line by line either way, so a pipelined group is
    /// answered in order; see ``SMTPTestServer/commandBatches`` for what arrived together.
    public var advertisePipelining: Bool = true
    /// RFC 6152. When false, `BODY=8BITMIME` is refused at MAIL with 555 5.5.4.
    public var advertise8BITMIME: Bool = true
    /// RFC 6531. When false, the `SMTPUTF8` parameter is refused with 555 5.5.4; either way a
    /// non-ASCII address without it is refused with 553 5.6.7.
    public var advertiseSMTPUTF8: Bool = false
    /// RFC 2034. When false, replies carry no enhanced status codes ("250 Ok", not "250 2.0.0 Ok").
    public var advertiseEnhancedStatusCodes: Bool = true
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
        advertise8BITMIME: Bool = true,
        advertiseSMTPUTF8: Bool = false,
        advertiseEnhancedStatusCodes: Bool = true,
        maximumTLSVersion: TLSVersionLimit = .tls13,
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
        self.advertise8BITMIME = advertise8BITMIME
        self.advertiseSMTPUTF8 = advertiseSMTPUTF8
        self.advertiseEnhancedStatusCodes = advertiseEnhancedStatusCodes
        self.maximumTLSVersion = maximumTLSVersion
        self.maxSize = maxSize
        self.faults = faults
    }
}
