/// Everything the outbox knows about one email: record, bytes and every recorded attempt.
public struct StoredMessage: Sendable, Equatable {
    public var record: MessageRecord
    public var content: [UInt8]
    /// Oldest first.
    public var attempts: [DeliveryAttempt]

    /// Memberwise, for the storages in other modules of this package.
    package init(record: MessageRecord, content: [UInt8], attempts: [DeliveryAttempt]) {
        self.record = record
        self.content = content
        self.attempts = attempts
    }
}
