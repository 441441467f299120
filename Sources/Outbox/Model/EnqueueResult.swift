/// What `enqueue` did.
public enum EnqueueResult: Sendable, Equatable {
    /// The email is stored and will be delivered.
    case queued(MessageRecord)
    /// The idempotency key was used before and has not expired: nothing was stored; here is the
    /// first request's email id and the answer stored with the key.
    case duplicate(id: String, answer: [UInt8])

    /// The id of the email that will be delivered for this request.
    public var id: String {
        switch self {
        case .queued(let record): record.id
        case .duplicate(let id, _): id
        }
    }
}
