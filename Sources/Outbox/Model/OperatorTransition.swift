/// Which states an operator's retry and cancel may move an email from, and why not from the
/// others: one rule that every storage applies inside its own transaction.
extension MessageState {
    /// Throws `illegalTransition`, with the reason, unless a retry may queue the email again
    /// (deferred or failed).
    public func checkRetryable(id: String) throws {
        let reason: String
        switch self {
        case .deferred, .failed:
            return
        case .queued:
            reason = "it is already waiting for a worker"
        case .sending:
            reason = "a worker is delivering it right now"
        case .sent:
            reason = "it was delivered already"
        case .cancelled:
            reason = "it was cancelled; send it again as a new email"
        }
        throw OutboxError.illegalTransition(id: id, state: self, action: "retry", reason: reason)
    }

    /// Whether a cancel changes the email: true when it has not gone out, false when it is
    /// cancelled already (cancelling it again changes nothing). Throws `illegalTransition`, with
    /// the reason, when it is being sent or was sent.
    public func cancelChangesIt(id: String) throws -> Bool {
        let reason: String
        switch self {
        case .queued, .deferred, .failed:
            return true
        case .cancelled:
            return false
        case .sending:
            reason = "a worker is handing it to the SMTP server right now; if that attempt is deferred, cancel it then"
        case .sent:
            reason = "it was delivered already and cannot be recalled"
        }
        throw OutboxError.illegalTransition(id: id, state: self, action: "cancel", reason: reason)
    }
}
