import Foundation
import SQLiteNIO

extension OutboxStore {
    /// The server took the email: appends the attempt and marks it `sent`, in one transaction.
    @discardableResult
    public func recordSent(_ id: String, reply: ServerReply, provider: ProviderName = .primary, now: Date = Date()) async throws -> MessageRecord {
        try await record(
            id, outcome: .sent, error: nil, reply: reply, provider: provider, now: now,
            state: .sent, nextAttemptAt: nil, action: "record a successful delivery of")
    }

    /// A transient failure: appends the attempt and waits until `nextAttemptAt` (from `RetryPolicy`).
    @discardableResult
    public func recordDeferred(_ id: String, error: DeliveryError, nextAttemptAt: Date, provider: ProviderName = .primary, now: Date = Date()) async throws -> MessageRecord {
        try await record(
            id, outcome: .deferred, error: error, reply: error.reply, provider: provider, now: now,
            state: .deferred, nextAttemptAt: nextAttemptAt, action: "defer")
    }

    /// A permanent failure, or the retry policy gave up: appends the attempt and marks it `failed`.
    @discardableResult
    public func recordFailed(_ id: String, error: DeliveryError, provider: ProviderName = .primary, now: Date = Date()) async throws -> MessageRecord {
        try await record(
            id, outcome: .failed, error: error, reply: error.reply, provider: provider, now: now,
            state: .failed, nextAttemptAt: nil, action: "record a failed delivery of")
    }

    private func record(
        _ id: String,
        outcome: AttemptOutcome,
        error: DeliveryError?,
        reply: ServerReply?,
        provider: ProviderName,
        now: Date,
        state: MessageState,
        nextAttemptAt: Date?,
        action: String
    ) async throws -> MessageRecord {
        try await database.write("record an attempt") { sql in
            let rows = try await sql.run("SELECT state, attempts, claimed_at FROM messages WHERE id = ?", [.text(id)])
            guard let row = rows.first else { throw OutboxError.notFound(id: id) }
            let read = RowReader(row: row, table: "messages")
            let current = try read.state("state")
            guard current == .sending else {
                throw OutboxError.illegalTransition(
                    id: id, state: current, action: action,
                    reason: "only an email a worker has claimed (sending) has an attempt to record")
            }
            let number = try read.int("attempts") + 1
            let startedAt = try read.optionalDate("claimed_at") ?? now
            try await sql.run(
                """
                INSERT INTO attempts (message, number, started_at, finished_at, outcome, error_code, hint, detail,
                                      smtp_code, enhanced_code, reply_text, provider)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    .text(id), .int(number), .time(startedAt), .time(now), .text(outcome.rawValue),
                    .text(error?.code), .text(error?.hint), .text(error?.detail),
                    .int(reply?.code), .text(reply?.enhancedCode), .text(reply?.text), .text(provider.rawValue),
                ])
            let updated = try await sql.run(
                """
                UPDATE messages SET state = ?, attempts = ?, next_attempt_at = ?, claimed_at = NULL, last_error = ?,
                                    sent_at = ?, provider = ?, updated_at = ?
                WHERE id = ?
                RETURNING \(Records.messageColumns)
                """,
                [
                    .text(state.rawValue), .int(number), .time(nextAttemptAt), .text(error?.summary),
                    .time(state == .sent ? now : nil), .text(provider.rawValue), .time(now), .text(id),
                ])
            guard let updatedRow = updated.first else { throw OutboxError.notFound(id: id) }
            return try Records.message(updatedRow)
        }
    }
}
