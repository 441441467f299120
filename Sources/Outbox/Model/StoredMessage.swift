/// Everything the outbox knows about one email: record, bytes and every recorded attempt.
public struct StoredMessage: Sendable, Equatable {
    public var record: MessageRecord
    public var content: [UInt8]
    /// Oldest first.
    public var attempts: [DeliveryAttempt]
}
