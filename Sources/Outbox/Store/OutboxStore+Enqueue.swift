import Foundation

extension OutboxStore {
    /// Stores an accepted email, due at once; call before answering the client.
    ///
    /// With an idempotency key already seen within `configuration.idempotencyKeyLifetime`, nothing is
    /// stored and the first request's id and answer come back instead, however many requests race:
    /// the key check and the insert are one write transaction.
    ///
    /// Concurrent calls share a transaction (group commit): the email is on disk when this returns,
    /// and an email that cannot be stored fails alone, never its neighbours in the batch.
    ///
    /// `claimed`: stored `sending` for this process's worker, which sends it at once; a restart's
    /// `recoverInterrupted()` queues it again like any claimed email.
    public func enqueue(_ message: OutgoingMessage, idempotencyKey: IdempotencyKey? = nil, now: Date = Date(), claimed: Bool = false) async throws -> EnqueueResult {
        try message.validate()
        try idempotencyKey?.validate()
        let job = EnqueueJob(
            message: message, key: idempotencyKey, recipients: Records.recipientsJSON(message.recipients), now: now, claimed: claimed)
        return try await enqueues.run(job)
    }

    struct EnqueueJob: Sendable {
        var message: OutgoingMessage
        var key: IdempotencyKey?
        var recipients: String
        var now: Date
        var claimed: Bool
    }

    /// One transaction for the whole batch; if it fails (say one row breaks a constraint the
    /// validation did not foresee), each email gets a transaction of its own, so only the bad one fails.
    static func commitEnqueues(_ jobs: [EnqueueJob], database: OutboxDatabase, keyLifetime: Duration) async -> [Result<EnqueueResult, any Error>] {
        await database.writeBatch("enqueue", jobs) { jobs, sql in
            try insert(jobs, sql, keyLifetime: keyLifetime)
        }
    }

    private struct StoredKey {
        var message: String
        var answer: [UInt8]
        var createdAt: Int64
    }

    private static func insert(_ jobs: [EnqueueJob], _ sql: OutboxDatabase.Statements, keyLifetime: Duration) throws -> [Result<EnqueueResult, any Error>] {
        let lifetime = keyLifetime.wholeMilliseconds
        var storedKeys: [String: StoredKey] = [:]
        let keys = Array(Set(jobs.compactMap { $0.key?.value }))
        if !keys.isEmpty {
            let rows = try sql.run(
                "SELECT key, message, answer, created_at FROM idempotency_keys WHERE key IN (\(SQLList.placeholders(keys.count)))",
                keys.map { .text($0) })
            for row in rows {
                let read = RowReader(row: row, table: "idempotency_keys")
                storedKeys[try read.string("key")] = StoredKey(
                    message: try read.string("message"), answer: try read.bytes("answer"),
                    createdAt: Int64(try read.int("created_at")))
            }
        }
        // Ids already stored are found by the UNIQUE constraint below, not by a look-up per batch:
        // the service makes a new UUIDv7 for every email, so a clash is a caller's bug.
        var takenIDs: Set<String> = []

        var results = [Result<EnqueueResult, any Error>?](repeating: nil, count: jobs.count)
        var accepted: [Int] = []
        var expiredKeys: [String] = []
        for (index, job) in jobs.enumerated() {
            if let key = job.key {
                if let stored = storedKeys[key.value] {
                    if stored.createdAt > Timestamp.milliseconds(job.now) - lifetime {
                        results[index] = .success(.duplicate(id: stored.message, answer: stored.answer))
                        continue
                    }
                    expiredKeys.append(key.value)
                    storedKeys[key.value] = nil
                }
            }
            if takenIDs.contains(job.message.id) {
                results[index] = .failure(OutboxError.invalidArgument("an email with id \(job.message.id) is already in the outbox"))
                continue
            }
            takenIDs.insert(job.message.id)
            accepted.append(index)
            // A later request with the same key in this very batch replays this one's answer.
            if let key = job.key {
                storedKeys[key.value] = StoredKey(message: job.message.id, answer: key.answer, createdAt: Timestamp.milliseconds(job.now))
            }
        }

        if !expiredKeys.isEmpty {
            try sql.run(
                "DELETE FROM idempotency_keys WHERE key IN (\(SQLList.placeholders(expiredKeys.count)))", expiredKeys.map { .text($0) })
        }
        if !accepted.isEmpty {
            do {
                try insertRows(accepted.map { jobs[$0] }, sql)
            } catch let error as SQLiteResultError where error.isUniqueViolation && accepted.count == 1 {
                // Alone in its transaction (a batch that failed is retried job by job): this email's id is taken.
                results[accepted[0]] = .failure(OutboxError.invalidArgument("an email with id \(jobs[accepted[0]].message.id) is already in the outbox"))
                return results.map { $0 ?? .failure(OutboxError.unreadableRow(table: "messages", column: "id")) }
            }
            try sql.run(
                "INSERT INTO message_bodies (message, content) VALUES \(SQLList.rows(accepted.count, "(?, ?)"))",
                accepted.flatMap { index -> [SQLValue] in [.text(jobs[index].message.id), .bytes(jobs[index].message.content)] })
            let keyed = accepted.filter { jobs[$0].key != nil }
            if !keyed.isEmpty {
                try sql.run(
                    "INSERT INTO idempotency_keys (key, message, created_at, answer) VALUES \(SQLList.rows(keyed.count, "(?, ?, ?, ?)"))",
                    keyed.flatMap { index -> [SQLValue] in
                        let job = jobs[index]
                        return [.text(job.key!.value), .text(job.message.id), .time(job.now), .bytes(job.key!.answer)]
                    })
            }
            // The record is what was just written, so it is built here rather than read back.
            for index in accepted {
                results[index] = .success(.queued(.accepted(jobs[index].message, at: jobs[index].now, claimed: jobs[index].claimed)))
            }
        }
        return results.map { $0 ?? .failure(OutboxError.unreadableRow(table: "messages", column: "id")) }
    }

    private static func insertRows(_ jobs: [EnqueueJob], _ sql: OutboxDatabase.Statements) throws {
        try sql.run(
            """
            INSERT INTO messages (id, created_at, template, locale, sender, recipients, message_id, size,
                                  state, attempts, next_attempt_at, claimed_at, updated_at, request_id)
            VALUES \(SQLList.rows(jobs.count, "(?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)"))
            """,
            jobs.flatMap { job -> [SQLValue] in
                let message = job.message
                // Claimed: as claimDue leaves an email, not due (so not in the due index) until its outcome.
                return [
                    .text(message.id), .time(job.now), .text(message.template), .text(message.locale),
                    .text(message.sender), .text(job.recipients), .text(message.messageID), .int(message.content.count),
                    .text(job.claimed ? MessageState.sending.rawValue : MessageState.queued.rawValue),
                    job.claimed ? .null : .time(job.now), job.claimed ? .time(job.now) : .null,
                    .time(job.now), message.requestID.map { .text($0) } ?? .null,
                ]
            })
    }
}
