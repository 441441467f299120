/// Everything the client needs to reach one SMTP server. Built from environment variables by the service.
public struct SMTPClientConfiguration: Sendable {
    public enum Security: Sendable, Equatable {
        /// TLS from the first byte (SMTPS, usually port 465).
        case implicitTLS
        /// Plaintext first; upgrade with STARTTLS when offered (usually port 587 or 25).
        case startTLSWhenOffered
        /// Never encrypt (local relays and test servers).
        case plaintext
    }

    public struct Credentials: Sendable, Equatable, CustomStringConvertible {
        public var username: String
        public var password: String
        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }
        /// Never the password: credentials end up in interpolated strings by accident.
        public var description: String { "\(username):<redacted>" }
    }

    /// An OAuth2 access token for AUTH XOAUTH2 (Gmail, Outlook). A wrapper so that the token never
    /// reaches a log through string interpolation of the configuration.
    public struct OAuth2Token: Sendable, Equatable, CustomStringConvertible {
        public var value: String
        public init(_ value: String) { self.value = value }
        public var description: String { "<redacted>" }
    }

    public struct TLSSettings: Sendable, Equatable {
        /// "TLSv1.2" / "TLSv1.3" set the minimum version; anything else is a cipher list.
        public var cipherSpec: String = "TLSv1.2"
        /// PEM file with extra CA certificates to trust.
        public var caFile: String?
        public var skipVerify: Bool = false
        public init(cipherSpec: String = "TLSv1.2", caFile: String? = nil, skipVerify: Bool = false) {
            self.cipherSpec = cipherSpec
            self.caFile = caFile
            self.skipVerify = skipVerify
        }
    }

    public struct Timeouts: Sendable, Equatable {
        public var connect: Duration = .seconds(10)
        public var greeting: Duration = .seconds(10)
        public var command: Duration = .seconds(30)
        /// After the final "." the server may scan the message; RFC 5321 suggests 10 minutes, we cap at one.
        public var dataCompletion: Duration = .seconds(60)
        public init() {}
        public init(connect: Duration, greeting: Duration, command: Duration, dataCompletion: Duration) {
            self.connect = connect
            self.greeting = greeting
            self.command = command
            self.dataCompletion = dataCompletion
        }
    }

    public var host: String
    public var port: Int
    public var security: Security
    public var credentials: Credentials?
    /// Sending credentials over an unencrypted connection exposes them to anyone on the path.
    public var allowInsecureAuth: Bool = false
    /// With `.startTLSWhenOffered`: fail with ETLS when the server does not offer STARTTLS, instead
    /// of continuing in plaintext (an attacker on the path can strip the STARTTLS keyword).
    public var requireStartTLS: Bool = false
    /// Log in with AUTH XOAUTH2 as `credentials.username` with this token instead of the password.
    public var oauth2Token: OAuth2Token?
    public var tls: TLSSettings = TLSSettings()
    /// The EHLO name; nil means the host's FQDN, or the local address literal when it has none.
    public var heloName: String?
    public var timeouts: Timeouts = Timeouts()

    public init(host: String, port: Int, security: Security = .startTLSWhenOffered, credentials: Credentials? = nil) {
        self.host = host
        self.port = port
        self.security = security
        self.credentials = credentials
    }
}
