
extension OutboxStore {
    /// Emails per waiting state (queued, sending, deferred), zero included: what a metrics scrape
    /// asks every few seconds. Unlike `stats()`, it counts only waiting rows (the state index),
    /// not the week of sent emails kept for the log.
    public func queueDepth() async throws -> [MessageState: Int] {
        try await database.read("count waiting emails") { sql in
            var counts: [MessageState: Int] = [.queued: 0, .sending: 0, .deferred: 0]
            let rows = try sql.run(
                "SELECT state, COUNT(*) AS count FROM messages WHERE state IN ('queued', 'sending', 'deferred') GROUP BY state")
            for row in rows {
                let read = RowReader(row: row, table: "messages")
                counts[try read.state("state")] = try read.int("count")
            }
            return counts
        }
    }

    /// Commits a write that changes nothing, to prove the outbox can still store an email: the
    /// connection is open, the write lock can be had, and the log can be appended and synced (a
    /// full disk or a volume remounted read-only fail here as an enqueue would). It rewrites the
    /// schema version it reads, which dirties one page and costs one fsync: cheap enough for a
    /// readiness probe, and no table of its own that an older build would call a newer schema.
    public func probeWrite() async throws {
        try await database.write("probe a write") { sql in
            let version = try Schema.version(sql)
            // PRAGMA takes no bound parameters; the value is the integer just read.
            try sql.run("PRAGMA user_version = \(version)")
        }
    }
}
