/// An email a worker has taken for one delivery attempt, with the bytes to send.
public struct ClaimedMessage: Sendable, Equatable {
    public var record: MessageRecord
    public var content: [UInt8]

    /// The number the attempt now under way will be recorded with.
    public var attemptNumber: Int { record.attemptCount + 1 }

    public var id: String { record.id }

    /// Memberwise, for the storages in other modules of this package.
    package init(record: MessageRecord, content: [UInt8]) {
        self.record = record
        self.content = content
    }
}
