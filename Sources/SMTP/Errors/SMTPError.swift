/// A failed delivery attempt: a stable `code`, what happened, and a one-line `hint` of the likely fix,
/// with the facts a caller branches on (transient or not, reply code, enhanced code, phase,
/// rejected recipients) as properties, so the HTTP layer can return them as JSON.
public struct SMTPError: Error, Sendable, CustomStringConvertible {
    public let code: SMTPErrorCode
    /// What happened, e.g. "connection to smtp.example.com:587 refused".
    public let message: String
    /// What to change, written for the operator who reads `docker compose logs`.
    public let hint: String
    /// The server's reply when the failure is the server saying no.
    public let reply: SMTPReply?
    /// The command the reply answered ("RCPT TO:<a@b>"), credentials redacted.
    public let command: String?
    /// The step of the session: "RCPT TO", "end of message", "TLS handshake", "connect"...
    public internal(set) var phase: SMTPPhase?
    /// For EENVELOPE: every recipient the server refused, in the order they were sent.
    public internal(set) var rejectedRecipients: [String]
    /// For ETLS: the TLS library's reason, e.g. "wrong version number".
    public internal(set) var tlsReason: String?
    /// Whether the same message may succeed later without anyone changing anything:
    /// 4xx replies, timeouts and broken connections. 5xx replies are final.
    public internal(set) var isTransient: Bool
    /// True when the connection ended before the server accepted any part of this message (not even
    /// MAIL FROM), so sending it again on a new connection cannot deliver it twice. A pool that
    /// reused an idle connection the server had meanwhile closed retries on a fresh one only then.
    public internal(set) var isSafeToRetryOnNewConnection = false

    public init(
        code: SMTPErrorCode,
        message: String,
        hint: String,
        reply: SMTPReply? = nil,
        command: String? = nil,
        phase: SMTPPhase? = nil,
        rejectedRecipients: [String] = [],
        tlsReason: String? = nil,
        isTransient: Bool? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.reply = reply
        self.command = command
        self.phase = phase
        self.rejectedRecipients = rejectedRecipients
        self.tlsReason = tlsReason
        self.isTransient = isTransient ?? Self.isTransient(code: code, reply: reply)
    }

    /// 5xx replies and configuration problems stay failures however often the message is sent.
    public var isPermanent: Bool { !isTransient }

    /// The server's three-digit reply code, when a reply caused the failure.
    public var replyCode: Int? { reply?.code }

    /// The RFC 3463 code from the server's reply ("5.1.1"), when it gave one.
    public var enhancedStatusCode: EnhancedStatusCode? { reply?.enhancedStatusCode }

    private static func isTransient(code: SMTPErrorCode, reply: SMTPReply?) -> Bool {
        if let reply { return reply.isTransient }
        switch code {
        case .connectionRefused, .timedOut, .connection, .connectionReset, .hostUnreachable, .dns: return true
        case .tls, .certificate, .authentication, .envelope, .message, .protocolError: return false
        }
    }

    func with(phase: SMTPPhase?) -> SMTPError {
        var copy = self
        if copy.phase == nil { copy.phase = phase }
        return copy
    }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let reply { text += " (server said: \(reply))" }
        return text
    }
}

extension SMTPError: Equatable {
    public static func == (lhs: SMTPError, rhs: SMTPError) -> Bool {
        lhs.code == rhs.code && lhs.message == rhs.message && lhs.reply == rhs.reply && lhs.command == rhs.command
            && lhs.phase == rhs.phase && lhs.rejectedRecipients == rhs.rejectedRecipients
            && lhs.isSafeToRetryOnNewConnection == rhs.isSafeToRetryOnNewConnection
    }
}
