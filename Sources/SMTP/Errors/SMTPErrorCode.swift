/// Stable failure codes, named as nodemailer users know them. They are a contract: logs,
/// API responses and users' alerting match on these strings, so add codes, never rename them.
public enum SMTPErrorCode: String, Sendable, Equatable, CaseIterable, Codable {
    /// Nothing listens on host:port.
    case connectionRefused = "ECONNREFUSED"
    /// No answer in time: connect, greeting or a command.
    case timedOut = "ETIMEDOUT"
    /// SMTP_HOST does not resolve.
    case dns = "EDNS"
    /// TLS could not be set up: implicit TLS against a plaintext port, STARTTLS refused, handshake failure.
    case tls = "ETLS"
    /// The server certificate was not trusted or does not match the host name.
    case certificate = "ECERT"
    /// Credentials rejected, AUTH unavailable, or AUTH required but not configured.
    case authentication = "EAUTH"
    /// Sender or a recipient rejected (MAIL FROM / RCPT TO).
    case envelope = "EENVELOPE"
    /// The message was refused at or after DATA.
    case message = "EMESSAGE"
    /// The server broke the protocol or refused the session outright.
    case protocolError = "EPROTOCOL"
    /// The connection broke before the server accepted the message.
    case connection = "ECONNECTION"
}
