import Foundation

extension OutboxStore {
    /// Counts per state, the oldest wait, and today's (UTC) deliveries and failures.
    public func stats(now: Date = Date()) async throws -> OutboxStats {
        let today = Timestamp.startOfUTCDay(now)
        return try await database.read("compute statistics") { sql in
            var counts = Dictionary(uniqueKeysWithValues: MessageState.allCases.map { ($0, 0) })
            for row in try sql.run("SELECT state, COUNT(*) AS count FROM messages GROUP BY state") {
                let read = RowReader(row: row, table: "messages")
                counts[try read.state("state")] = try read.int("count")
            }

            let oldest = try sql.run(
                "SELECT MIN(created_at) AS oldest FROM messages WHERE state IN ('queued', 'deferred')")
            var oldestPendingAge: Duration?
            if let row = oldest.first, let created = try RowReader(row: row, table: "messages").optionalInt("oldest") {
                oldestPendingAge = .milliseconds(max(0, Timestamp.milliseconds(now) - Int64(created)))
            }

            let sent = try sql.run(
                "SELECT COUNT(*) AS count FROM messages WHERE state = 'sent' AND sent_at >= ?",
                [.integer(Int64(today))])
            let sentToday = try sent.first.map { try RowReader(row: $0, table: "messages").int("count") } ?? 0

            var failedTodayByCode: [String: Int] = [:]
            let failed = try sql.run(
                """
                SELECT COALESCE(error_code, 'unknown') AS code, COUNT(*) AS count FROM attempts
                WHERE outcome = 'failed' AND finished_at >= ?
                GROUP BY 1
                """,
                [.integer(Int64(today))])
            for row in failed {
                let read = RowReader(row: row, table: "attempts")
                failedTodayByCode[try read.string("code")] = try read.int("count")
            }
            return OutboxStats(
                counts: counts, oldestPendingAge: oldestPendingAge, sentToday: sentToday,
                failedTodayByCode: failedTodayByCode)
        }
    }

    /// INDEXED BY: without statistics SQLite picks messages_state for the IN, which walks every
    /// finished email; messages_finished holds only those, by age, so only the old ones are read.
    static let pruneFinishedStatement = """
        DELETE FROM messages INDEXED BY messages_finished
        WHERE state IN ('sent', 'failed', 'cancelled') AND updated_at < ?
        RETURNING seq
        """

    /// Deletes sent, failed and cancelled emails whose last change is older than `cutoff`, with
    /// their bytes, attempts and idempotency keys; returns how many emails.
    public func prune(olderThan cutoff: Date) async throws -> Int {
        try await database.write("prune finished emails") { sql in
            // Bodies, attempts and keys go by ON DELETE CASCADE (foreign_keys is on for this connection).
            try sql.run(Self.pruneFinishedStatement, [.time(cutoff)]).count
        }
    }

    /// Forgets idempotency keys older than their lifetime; returns how many. Their emails stay.
    public func pruneIdempotencyKeys(now: Date = Date()) async throws -> Int {
        let expiredBefore = Timestamp.milliseconds(now) - configuration.idempotencyKeyLifetime.wholeMilliseconds
        return try await database.write("prune idempotency keys") { sql in
            try sql.run(
                "DELETE FROM idempotency_keys WHERE created_at <= ? RETURNING key",
                [.integer(Int64(expiredBefore))]
            ).count
        }
    }
}
