/// Why an attempt did not deliver, as plain values so the outbox stays below the SMTP module.
public struct DeliveryError: Sendable, Equatable {
    /// Stable code such as "ETIMEDOUT" or "ESMTPREJECTED".
    public var code: String
    /// The likely fix, for the operator.
    public var hint: String?
    /// What happened, in words.
    public var detail: String?
    /// The server's reply, when the failure was an SMTP answer.
    public var reply: ServerReply?

    public init(code: String, hint: String? = nil, detail: String? = nil, reply: ServerReply? = nil) {
        self.code = code
        self.hint = hint
        self.detail = detail
        self.reply = reply
    }

    /// One line for the message row: the code, the server's reply or the detail.
    public var summary: String {
        var parts = [code]
        if let reply {
            parts.append(reply.summary)
        } else if let detail, !detail.isEmpty {
            parts.append(detail)
        }
        return parts.joined(separator: ": ")
    }
}
