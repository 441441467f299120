import Foundation

/// One finished attempt for `OutboxStorage.record(_:)`, which both storages group-commit: what to
/// record, the state it leaves the email in, and whether the caller wants the updated record back.
/// Built by the `record*` methods of `OutboxStorage`.
public struct OutcomeJob: Sendable {
    package var id: String
    package var outcome: AttemptOutcome
    package var error: DeliveryError?
    package var reply: ServerReply?
    package var provider: ProviderName
    package var startedAt: Date?
    package var now: Date
    package var state: MessageState
    package var nextAttemptAt: Date?
    /// How an error about it reads: "cannot \(action) email ...".
    package var action: String
    /// Whether the caller gets the updated record; nil is recorded for it otherwise.
    package var readBack: Bool

    package static func sent(_ id: String, reply: ServerReply, provider: ProviderName, startedAt: Date?, now: Date, readBack: Bool) -> Self {
        Self(id: id, outcome: .sent, error: nil, reply: reply, provider: provider, startedAt: startedAt, now: now,
             state: .sent, nextAttemptAt: nil, action: "record a successful delivery of", readBack: readBack)
    }

    package static func deferred(_ id: String, error: DeliveryError, nextAttemptAt: Date, provider: ProviderName, startedAt: Date?, now: Date, readBack: Bool) -> Self {
        Self(id: id, outcome: .deferred, error: error, reply: error.reply, provider: provider, startedAt: startedAt, now: now,
             state: .deferred, nextAttemptAt: nextAttemptAt, action: "defer", readBack: readBack)
    }

    package static func failed(_ id: String, error: DeliveryError, provider: ProviderName, startedAt: Date?, now: Date, readBack: Bool) -> Self {
        Self(id: id, outcome: .failed, error: error, reply: error.reply, provider: provider, startedAt: startedAt, now: now,
             state: .failed, nextAttemptAt: nil, action: "record a failed delivery of", readBack: readBack)
    }

    /// The record a caller that asked for it gets, or the email was not there.
    package static func readBack(_ id: String, _ record: MessageRecord?) throws -> MessageRecord {
        guard let record else { throw OutboxError.notFound(id: id) }
        return record
    }

    /// Each job's answer once its batch is committed: for the jobs in `accepted` (indexes into
    /// `jobs`), the updated record when the job asked for it, nil when it did not; every other job
    /// keeps the failure it already has in `results`. `updated` holds the rows the batch's update
    /// returned, read by the storage's own driver.
    package static func answers(
        _ jobs: [OutcomeJob], accepted: [Int], updated: [MessageRecord], results: [Result<MessageRecord?, any Error>?]
    ) throws -> [Result<MessageRecord?, any Error>] {
        let records = Dictionary(updated.map { ($0.id, $0) }, uniquingKeysWith: { _, last in last })
        var results = results
        for index in accepted {
            let job = jobs[index]
            guard job.readBack else {
                results[index] = .success(nil)
                continue
            }
            guard let record = records[job.id] else { throw OutboxError.notFound(id: job.id) }
            results[index] = .success(record)
        }
        return results.map { $0 ?? .failure(OutboxError.notFound(id: "")) }
    }
}
