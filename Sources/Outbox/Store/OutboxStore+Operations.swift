import Foundation

/// What an operator may do to queued emails.
extension OutboxStore {
    /// Queues a deferred or failed email again, due now. Its attempt count is kept, so the retry
    /// policy sees the whole history.
    @discardableResult
    public func retry(_ id: String, now: Date = Date()) async throws -> MessageRecord {
        try await database.write("retry an email") { sql in
            try Self.state(of: id, sql).checkRetryable(id: id)
            return try Self.update(
                id, sql,
                set: "state = 'queued', next_attempt_at = ?, updated_at = ?", [.time(now), .time(now)])
        }
    }

    /// Cancels an email that has not gone out. Cancelling a cancelled email changes nothing.
    @discardableResult
    public func cancel(_ id: String, now: Date = Date()) async throws -> MessageRecord {
        try await database.write("cancel an email") { sql in
            guard try Self.state(of: id, sql).cancelChangesIt(id: id) else {
                let rows = try sql.run("SELECT \(Records.messageColumns) FROM messages WHERE id = ?", [.text(id)])
                guard let row = rows.first else { throw OutboxError.notFound(id: id) }
                return try Records.message(row)
            }
            return try Self.update(
                id, sql,
                set: "state = 'cancelled', next_attempt_at = NULL, updated_at = ?", [.time(now)])
        }
    }

    /// Makes every deferred email due now (after the SMTP server is fixed, say); returns how many.
    public func flush(now: Date = Date()) async throws -> Int {
        try await database.write("flush deferred emails") { sql in
            try sql.run(
                "UPDATE messages SET next_attempt_at = MIN(next_attempt_at, ?) WHERE state = 'deferred' RETURNING seq",
                [.time(now)]
            ).count
        }
    }

    /// Cancels every queued and deferred email; returns how many. Emails being sent carry on.
    public func cancelAll(now: Date = Date()) async throws -> Int {
        try await database.write("cancel all waiting emails") { sql in
            try sql.run(
                """
                UPDATE messages SET state = 'cancelled', next_attempt_at = NULL, updated_at = ?
                WHERE state IN ('queued', 'deferred')
                RETURNING seq
                """,
                [.time(now)]
            ).count
        }
    }

    private static func state(of id: String, _ sql: OutboxDatabase.Statements) throws -> MessageState {
        let rows = try sql.run("SELECT state FROM messages WHERE id = ?", [.text(id)])
        guard let row = rows.first else { throw OutboxError.notFound(id: id) }
        return try RowReader(row: row, table: "messages").state("state")
    }

    private static func update(
        _ id: String, _ sql: OutboxDatabase.Statements, set assignments: String, _ binds: [SQLValue]
    ) throws -> MessageRecord {
        let rows = try sql.run(
            "UPDATE messages SET \(assignments) WHERE id = ? RETURNING \(Records.messageColumns)",
            binds + [.text(id)])
        guard let row = rows.first else { throw OutboxError.notFound(id: id) }
        return try Records.message(row)
    }
}
