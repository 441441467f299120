import SMTP

extension SMTPClientConfiguration.Security {
    /// How people name it in the check output and the test message.
    public var label: String {
        switch self {
        case .implicitTLS: "implicit TLS"
        case .startTLSWhenOffered: "STARTTLS"
        case .plaintext: "plaintext"
        }
    }

    /// The stable value of `security` in JSON answers.
    public var jsonName: String {
        switch self {
        case .implicitTLS: "tls"
        case .startTLSWhenOffered: "starttls"
        case .plaintext: "plaintext"
        }
    }
}
