/// One step of `mailer check-smtp`: what was checked, how it went, how long it took and what the
/// server said. The names are stable strings for the JSON report, like `SMTPPhase`.
public struct SMTPCheckStep: Sendable {
    public enum Name: String, Sendable, CaseIterable, Codable {
        case connect = "connect"
        case greeting = "greeting"
        /// EHLO, or HELO when the server does not know EHLO. Twice with STARTTLS: before and after TLS.
        case ehlo = "EHLO"
        /// STARTTLS and its handshake, or the handshake of implicit TLS.
        case tls = "TLS"
        case auth = "AUTH"
        case mailFrom = "MAIL FROM"
        case rcptTo = "RCPT TO"
        case reset = "RSET"
        case quit = "QUIT"
    }

    public enum Status: String, Sendable, Codable {
        case passed, failed, skipped
    }

    public var name: Name
    public var status: Status
    /// True when the step passed, or was skipped because it does not apply (no credentials: no
    /// AUTH); false when it failed or could not run because an earlier step failed.
    public var ok: Bool
    /// Nil for a skipped step.
    public var duration: Duration?
    /// What people read: the server's reply, the extensions, the TLS version and certificate...
    public var detail: [String]
    /// Set when the step failed: the same error, code and hint a real delivery would get.
    public var error: SMTPError?

    public init(name: Name, status: Status, ok: Bool, duration: Duration? = nil, detail: [String] = [], error: SMTPError? = nil) {
        self.name = name
        self.status = status
        self.ok = ok
        self.duration = duration
        self.detail = detail
        self.error = error
    }

    /// Milliseconds, rounded; nil for a skipped step.
    public var durationMilliseconds: Int? {
        duration.map { duration in
            let (seconds, attoseconds) = duration.components
            return Int(seconds) * 1000 + Int((Double(attoseconds) / 1e15).rounded())
        }
    }
}
