/// What one connection negotiated: where it goes, its TLS, its login and the server's extensions.
/// Logged at debug level when the session is ready, and carried by every delivery receipt.
public struct SMTPSessionInfo: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// "TLSv1.2", "TLSv1.3"; nil on a plaintext session.
    public var tlsVersion: String?
    /// The IANA name of the negotiated cipher suite, e.g. "TLS_AES_256_GCM_SHA384" or
    /// "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"; nil on a plaintext session.
    public var cipherSuite: String?
    /// The AUTH mechanism that logged in, nil without AUTH.
    public var authenticationMechanism: SASLMechanism?
    /// The extensions of the EHLO reply after TLS and before AUTH.
    public var capabilities: ServerCapabilities
    /// The server's leaf certificate; nil on a plaintext session.
    public var serverCertificate: SMTPServerCertificate?

    public init(host: String, port: Int, tlsVersion: String? = nil, cipherSuite: String? = nil,
                authenticationMechanism: SASLMechanism? = nil, capabilities: ServerCapabilities = ServerCapabilities(),
                serverCertificate: SMTPServerCertificate? = nil) {
        self.host = host
        self.port = port
        self.tlsVersion = tlsVersion
        self.cipherSuite = cipherSuite
        self.authenticationMechanism = authenticationMechanism
        self.capabilities = capabilities
        self.serverCertificate = serverCertificate
    }
}
