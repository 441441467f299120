/// A failed delivery attempt: a stable `code`, what happened, and a one-line `hint` of the likely fix.
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

    public init(code: SMTPErrorCode, message: String, hint: String, reply: SMTPReply? = nil, command: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
        self.reply = reply
        self.command = command
    }

    /// Whether the same message may succeed later without anyone changing anything:
    /// 4xx replies, timeouts and broken connections. 5xx replies are final.
    public var isTransient: Bool {
        if let reply { return reply.isTransient }
        switch code {
        case .connectionRefused, .timedOut, .connection, .dns: return true
        case .tls, .certificate, .authentication, .envelope, .message, .protocolError: return false
        }
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
    }
}
