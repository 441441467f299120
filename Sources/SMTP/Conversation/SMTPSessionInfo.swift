/// What one connection negotiated: where it goes, its TLS version, its login and the server's extensions.
/// Logged at debug level when the session is ready, and carried by every delivery receipt.
public struct SMTPSessionInfo: Sendable, Equatable {
    public var host: String
    public var port: Int
    /// "TLSv1.2", "TLSv1.3"; nil on a plaintext session.
    public var tlsVersion: String?
    /// The AUTH mechanism that logged in, nil without AUTH.
    public var authenticationMechanism: SASLMechanism?
    /// The extensions of the EHLO reply after TLS and before AUTH.
    public var capabilities: ServerCapabilities

    public init(host: String, port: Int, tlsVersion: String? = nil,
                authenticationMechanism: SASLMechanism? = nil, capabilities: ServerCapabilities = ServerCapabilities()) {
        self.host = host
        self.port = port
        self.tlsVersion = tlsVersion
        self.authenticationMechanism = authenticationMechanism
        self.capabilities = capabilities
    }
}
