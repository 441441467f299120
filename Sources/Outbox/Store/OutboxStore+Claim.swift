import Foundation

extension OutboxStore {
    /// Moves up to `limit` due emails (queued or deferred, `nextAttemptAt <= now`) to `sending` and
    /// returns them with their bytes, earliest due first.
    ///
    /// With `maximumBytes`, stops before the email that would take the batch's stored bytes past it
    /// (the first email always comes): claimed emails wait in memory, and a batch of large
    /// attachments must not be held all at once.
    ///
    /// The selection and the update are one write transaction, so concurrent
    /// claimers — tasks on this store, other stores, other processes — never get the same email.
    public func claimDue(now: Date = Date(), limit: Int, maximumBytes: Int? = nil) async throws -> [ClaimedMessage] {
        guard limit > 0 else { throw OutboxError.invalidArgument("claimDue needs a limit of at least 1, got \(limit)") }
        return try await database.write("claim due emails", durability: .operatingSystem) { sql in
            // INDEXED BY: without statistics SQLite picks messages_state (state, seq) for the IN,
            // then reads every waiting row and sorts them to keep `limit`: under a backlog each
            // claim cost as much as the backlog. The partial due index gives the rows in order.
            let candidates = try sql.run(
                """
                SELECT seq, size FROM messages INDEXED BY messages_due
                WHERE state IN ('queued', 'deferred') AND next_attempt_at <= ?
                ORDER BY next_attempt_at, seq
                LIMIT ?
                """,
                [.time(now), .int(limit)])
            var due: [Int64] = []
            var bytes = 0
            for row in candidates {
                let size = try RowReader(row: row, table: "messages").int("size")
                if let maximumBytes, !due.isEmpty, bytes + size > maximumBytes { break }
                bytes += size
                due.append(try Records.sequence(row))
            }
            if due.isEmpty { return [] }
            let seqs = due.map { SQLValue.integer($0) }
            try sql.run(
                """
                UPDATE messages SET state = 'sending', claimed_at = ?, next_attempt_at = NULL, updated_at = ?
                WHERE seq IN (\(SQLList.placeholders(due.count)))
                """,
                [.time(now), .time(now)] + seqs)
            // Read back in the same transaction, not through UPDATE ... RETURNING: SQLite runs a
            // subquery in RETURNING without the index, so fetching each body that way scanned the
            // whole message_bodies table once per claimed email. A LEFT JOIN keeps an email whose
            // body row were missing (it reads as empty content, as the subquery's NULL did).
            let rows = try sql.run(
                """
                SELECT \(Records.messageColumns), message_bodies.content AS content
                FROM messages LEFT JOIN message_bodies ON message_bodies.message = messages.id
                WHERE messages.seq IN (\(SQLList.placeholders(due.count)))
                """,
                seqs)
            // The rows come in no promised order; put the batch back in due order.
            let position = Dictionary(uniqueKeysWithValues: due.enumerated().map { ($0.element, $0.offset) })
            return try rows
                .map { row in
                    (position: position[try Records.sequence(row)] ?? Int.max,
                     message: ClaimedMessage(
                        record: try Records.message(row),
                        content: try RowReader(row: row, table: "message_bodies").bytes("content")))
                }
                .sorted { $0.position < $1.position }
                .map(\.message)
        }
    }

    /// Gives claimed emails whose attempt never started back to the queue, due now, their attempt
    /// count untouched; returns how many. Ids that are no longer `sending` are left alone.
    ///
    /// A worker that stops calls this for what it claimed ahead and did not hand to the SMTP server.
    @discardableResult
    public func unclaim(_ ids: [String], now: Date = Date()) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        var released = 0
        // Chunks keep each statement under SQLite's limit on bound parameters.
        for start in stride(from: 0, to: ids.count, by: Self.maximumBatch) {
            let chunk = Array(ids[start..<min(start + Self.maximumBatch, ids.count)])
            released += try await database.write("put claimed emails back in the queue", durability: .operatingSystem) { sql in
                try sql.run(
                    """
                    UPDATE messages SET state = 'queued', next_attempt_at = ?, claimed_at = NULL, updated_at = ?
                    WHERE state = 'sending' AND id IN (\(SQLList.placeholders(chunk.count)))
                    RETURNING seq
                    """,
                    [.time(now), .time(now)] + chunk.map { .text($0) }
                ).count
            }
        }
        return released
    }

    /// When the next waiting email is due, so a worker can sleep until then; nil when none waits.
    public func nextDueDate() async throws -> Date? {
        try await database.read("find the next due email") { sql in
            let rows = try sql.run(
                "SELECT MIN(next_attempt_at) AS due FROM messages INDEXED BY messages_due WHERE state IN ('queued', 'deferred')")
            guard let row = rows.first else { return nil }
            return try RowReader(row: row, table: "messages").optionalDate("due")
        }
    }

    /// Puts every email left `sending` by a previous run back in the queue, due now; returns how many.
    ///
    /// Call once at start-up, before any worker claims. The interrupted attempt may have reached the
    /// SMTP server, so such an email can arrive twice: at least once, never lost.
    public func recoverInterrupted(now: Date = Date()) async throws -> Int {
        try await database.write("recover interrupted deliveries") { sql in
            try sql.run(
                """
                UPDATE messages SET state = 'queued', next_attempt_at = ?1, claimed_at = NULL, updated_at = ?1
                WHERE state = 'sending'
                RETURNING seq
                """,
                [.time(now)]
            ).count
        }
    }
}
