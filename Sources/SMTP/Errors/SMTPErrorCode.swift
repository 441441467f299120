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
    /// The connection broke (or the server announced 421) before the server accepted any part of
    /// the message; sending it again cannot deliver it twice.
    case connection = "ECONNECTION"
    /// The connection was closed or reset in the middle of a mail transaction, after the server had
    /// accepted part of it (MAIL FROM, recipients, or the whole message awaiting its verdict).
    case connectionReset = "ECONNRESET"
    /// No route to SMTP_HOST, or the network is unreachable (EHOSTUNREACH, ENETUNREACH).
    case hostUnreachable = "EHOSTUNREACH"
}
