/// Where in the session something happened: the step a timeout, a refusal or a broken
/// connection belongs to. The raw values are stable strings for logs and API responses
/// ("RCPT TO", "end of message"), like `SMTPErrorCode`: add cases, never rename them.
public enum SMTPPhase: String, Sendable, Equatable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    /// Establishing the TCP connection.
    case connect = "connect"
    /// The TLS handshake: at connect for implicit TLS, or after STARTTLS.
    case tlsHandshake = "TLS handshake"
    /// Waiting for the server's 220 banner.
    case greeting = "greeting"
    case ehlo = "EHLO"
    case helo = "HELO"
    case startTLS = "STARTTLS"
    case auth = "AUTH"
    /// RSET before a message, after an earlier transaction on the connection failed.
    case reset = "RSET"
    case mailFrom = "MAIL FROM"
    case rcptTo = "RCPT TO"
    case data = "DATA"
    /// The message was sent and terminated with "."; the server's verdict is awaited.
    case endOfMessage = "end of message"
    case quit = "QUIT"
    /// An established connection waiting for the next message.
    case idle = "idle"

    public var description: String { rawValue }
}

extension SMTPCommand {
    /// The phase whose reply this command waits for.
    var phase: SMTPPhase {
        switch self {
        case .ehlo: .ehlo
        case .helo: .helo
        case .startTLS: .startTLS
        case .authPlain, .authLogin, .authCRAMMD5, .authXOAUTH2, .authResponse: .auth
        case .mailFrom: .mailFrom
        case .rcptTo: .rcptTo
        case .data: .data
        case .messageContent: .endOfMessage
        case .reset: .reset
        case .quit: .quit
        }
    }
}
