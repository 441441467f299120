import Foundation
import Outbox
import PostgresNIO

/// What an operator may do to queued emails, from any replica or the CLI.
extension PostgresOutboxStore {
    /// Queues a deferred or failed email again, due now. Its attempt count is kept, so the retry
    /// policy sees the whole history.
    @discardableResult
    public func retry(_ id: String, now: Date = Date()) async throws -> MessageRecord {
        let time = Timestamp.milliseconds(now)
        return try await transaction("retry an email") { connection in
            try await self.lockedState(of: id, connection).checkRetryable(id: id)
            return try await self.updated(
                "UPDATE messages SET state = 'queued', next_attempt_at = \(time), updated_at = \(time) WHERE id = \(id) RETURNING \(unescaped: PostgresRecords.messageColumns)",
                id: id, connection)
        }
    }

    /// Cancels an email that has not gone out. Cancelling a cancelled email changes nothing.
    @discardableResult
    public func cancel(_ id: String, now: Date = Date()) async throws -> MessageRecord {
        let time = Timestamp.milliseconds(now)
        return try await transaction("cancel an email") { connection in
            guard try await self.lockedState(of: id, connection).cancelChangesIt(id: id) else {
                return try await self.updated(
                    "SELECT \(unescaped: PostgresRecords.messageColumns) FROM messages WHERE id = \(id)", id: id, connection)
            }
            return try await self.updated(
                "UPDATE messages SET state = 'cancelled', next_attempt_at = NULL, updated_at = \(time) WHERE id = \(id) RETURNING \(unescaped: PostgresRecords.messageColumns)",
                id: id, connection)
        }
    }

    /// Makes every deferred email due now (after the SMTP server is fixed, say); returns how many.
    public func flush(now: Date = Date()) async throws -> Int {
        let time = Timestamp.milliseconds(now)
        return try await run(
            "flush deferred emails",
            "UPDATE messages SET next_attempt_at = LEAST(next_attempt_at, \(time)) WHERE state = 'deferred' RETURNING seq"
        ).count
    }

    /// Cancels every queued and deferred email; returns how many. Emails being sent carry on.
    public func cancelAll(now: Date = Date()) async throws -> Int {
        let time = Timestamp.milliseconds(now)
        return try await run(
            "cancel all waiting emails",
            """
            UPDATE messages SET state = 'cancelled', next_attempt_at = NULL, updated_at = \(time)
            WHERE state IN ('queued', 'deferred')
            RETURNING seq
            """
        ).count
    }

    /// Deletes sent, failed and cancelled emails whose last change is older than `cutoff`, with
    /// their bytes, attempts and idempotency keys (ON DELETE CASCADE); returns how many emails.
    public func prune(olderThan cutoff: Date) async throws -> Int {
        try await run(
            "prune finished emails",
            """
            DELETE FROM messages WHERE state IN ('sent', 'failed', 'cancelled') AND updated_at < \(Timestamp.milliseconds(cutoff))
            RETURNING seq
            """
        ).count
    }

    /// Forgets idempotency keys older than their lifetime; returns how many. Their emails stay.
    public func pruneIdempotencyKeys(now: Date = Date()) async throws -> Int {
        let expiredBefore = Timestamp.milliseconds(now) - configuration.idempotencyKeyLifetime.wholeMilliseconds
        return try await run(
            "prune idempotency keys",
            "DELETE FROM idempotency_keys WHERE created_at <= \(expiredBefore) RETURNING key"
        ).count
    }

    /// The email's state, its row locked until the transaction ends, so that a worker's outcome
    /// cannot slip in between the check and the change.
    private func lockedState(of id: String, _ connection: PostgresConnection) async throws -> MessageState {
        let rows = try await connection.query("SELECT state FROM messages WHERE id = \(id) FOR UPDATE", logger: logger).collect()
        guard let row = rows.first else { throw OutboxError.notFound(id: id) }
        return try RowReader(row, table: "messages").state("state")
    }

    private func updated(_ query: PostgresQuery, id: String, _ connection: PostgresConnection) async throws -> MessageRecord {
        let rows = try await connection.query(query, logger: logger).collect()
        guard let row = rows.first else { throw OutboxError.notFound(id: id) }
        return try PostgresRecords.message(row)
    }
}
