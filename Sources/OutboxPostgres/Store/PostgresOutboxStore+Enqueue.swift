import Foundation
import NIOCore
import Outbox
import PostgresNIO

extension PostgresOutboxStore {
    /// Stores an accepted email, due at once; call before answering the client.
    ///
    /// With an idempotency key already seen within `configuration.idempotencyKeyLifetime`, nothing is
    /// stored and the first request's id and answer come back instead, however many requests race
    /// on however many replicas: the key is taken with INSERT ... ON CONFLICT DO NOTHING, which
    /// waits for a racing transaction holding the same key and then loses to it.
    ///
    /// Concurrent calls share a transaction (group commit); an email that cannot be stored fails
    /// alone, never its neighbours in the batch.
    ///
    /// `claimed`: stored `sending` under this replica's name and a lease, as a claim leaves it,
    /// for this replica's worker to send at once.
    public func enqueue(_ message: OutgoingMessage, idempotencyKey: IdempotencyKey? = nil, now: Date = Date(), claimed: Bool = false) async throws -> EnqueueResult {
        try message.validate()
        try idempotencyKey?.validate()
        return try await enqueues.run(EnqueueJob(message: message, key: idempotencyKey, now: now, claimed: claimed))
    }

    struct EnqueueJob: Sendable {
        var message: OutgoingMessage
        var key: IdempotencyKey?
        var now: Date
        var claimed: Bool
    }

    /// One transaction for the batch; when the server refuses it (a constraint the validation did
    /// not foresee), each email gets a transaction of its own, so only the bad one fails. A lost
    /// connection fails the batch at once: retrying job by job would only wait longer.
    func commitEnqueues(_ jobs: [EnqueueJob], keyLifetime: Duration) async -> [Result<EnqueueResult, any Error>] {
        do {
            return try await rawTransaction { connection in try await self.insert(jobs, connection, keyLifetime: keyLifetime) }
        } catch {
            guard jobs.count > 1, Self.refusedByServer(error) else {
                return jobs.map { job in .failure(self.enqueueError(job, error)) }
            }
        }
        var results: [Result<EnqueueResult, any Error>] = []
        for job in jobs {
            do {
                let result = try await rawTransaction { connection in try await self.insert([job], connection, keyLifetime: keyLifetime) }
                results.append(result[0])
            } catch {
                results.append(.failure(enqueueError(job, error)))
            }
        }
        return results
    }

    /// A clash on the email's id, alone in its transaction, is the caller's mistake, said plainly.
    private func enqueueError(_ job: EnqueueJob, _ error: any Error) -> any Error {
        let failure = PostgresFailure(error)
        if failure.isUniqueViolation && failure.constraint == "messages_id_key" {
            return OutboxError.invalidArgument("an email with id \(job.message.id) is already in the outbox")
        }
        return storageError("enqueue", error)
    }

    /// The server refused a statement (a constraint, a deadlock it broke): the connection is
    /// fine, and the other jobs of the batch may well go through on their own.
    static func refusedByServer(_ error: any Error) -> Bool {
        if PostgresFailure.unwrap(error) is OutboxError { return false }
        return PostgresFailure(error).isStatementError
    }

    private struct StoredKey {
        var message: String
        var answer: [UInt8]
    }

    private func insert(_ jobs: [EnqueueJob], _ connection: PostgresConnection, keyLifetime: Duration) async throws -> [Result<EnqueueResult, any Error>] {
        var results = [Result<EnqueueResult, any Error>?](repeating: nil, count: jobs.count)
        // The first job with a key in the batch tries to take it; later ones replay its answer.
        var firstWithKey: [String: Int] = [:]
        var keyed: [Int] = []
        for (index, job) in jobs.enumerated() {
            guard let key = job.key?.value else { continue }
            if firstWithKey[key] == nil {
                firstWithKey[key] = index
                keyed.append(index)
            }
        }
        // Keys taken in one order by every batch: two batches racing on the same keys wait for
        // each other instead of deadlocking.
        keyed.sort { jobs[$0].key!.value < jobs[$1].key!.value }
        var lostKeys: [String] = []
        if !keyed.isEmpty {
            // A key past its lifetime stands for nothing any more; a racing replica that deleted it
            // first leaves nothing to delete, and the INSERT below settles who takes it anew.
            var binds = PostgresBindings()
            var conditions: [String] = []
            for index in keyed {
                let job = jobs[index]
                binds.append(job.key!.value)
                binds.append(Timestamp.milliseconds(job.now) - keyLifetime.wholeMilliseconds)
                conditions.append("(key = $\(binds.count - 1) AND created_at <= $\(binds.count))")
            }
            try await connection.query(
                PostgresQuery(unsafeSQL: "DELETE FROM idempotency_keys WHERE \(conditions.joined(separator: " OR "))", binds: binds),
                logger: logger)

            binds = PostgresBindings()
            var rows: [String] = []
            for index in keyed {
                let job = jobs[index]
                binds.append(job.key!.value)
                binds.append(job.message.id)
                binds.append(Timestamp.milliseconds(job.now))
                binds.append(ByteBuffer(bytes: job.key!.answer))
                let base = binds.count - 4
                rows.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4))")
            }
            let taken = try await connection.query(
                PostgresQuery(
                    unsafeSQL: """
                        INSERT INTO idempotency_keys (key, message, created_at, answer) VALUES \(rows.joined(separator: ", "))
                        ON CONFLICT (key) DO NOTHING RETURNING key
                        """,
                    binds: binds),
                logger: logger
            ).collect()
            let won = Set(try taken.map { try RowReader($0, table: "idempotency_keys").string("key") })
            lostKeys = keyed.compactMap { won.contains(jobs[$0].key!.value) ? nil : jobs[$0].key!.value }
        }

        // Keys another request holds (committed before this statement began, or just now by a
        // racing transaction this one waited for): their answer is replayed.
        var stored: [String: StoredKey] = [:]
        if !lostKeys.isEmpty {
            let rows = try await connection.query(
                "SELECT key, message, answer FROM idempotency_keys WHERE key = ANY(\(lostKeys))", logger: logger
            ).collect()
            for row in rows {
                let read = RowReader(row, table: "idempotency_keys")
                stored[try read.string("key")] = StoredKey(message: try read.string("message"), answer: try read.optionalBytes("answer") ?? [])
            }
        }

        var accepted: [Int] = []
        for (index, job) in jobs.enumerated() {
            if let key = job.key?.value {
                if let holder = stored[key] {
                    results[index] = .success(.duplicate(id: holder.message, answer: holder.answer))
                    continue
                }
                if firstWithKey[key] != index {
                    let first = jobs[firstWithKey[key]!]
                    results[index] = .success(.duplicate(id: first.message.id, answer: first.key!.answer))
                    continue
                }
                if lostKeys.contains(key) {
                    // Taken by a transaction that has since deleted it: not this request's to replay.
                    results[index] = .failure(OutboxError.invalidArgument(
                        "the Idempotency-Key \(key) was taken and released by another request at the same time; send the request again"))
                    continue
                }
            }
            accepted.append(index)
        }
        guard !accepted.isEmpty else { return results.map { $0 ?? .failure(OutboxError.unreadableRow(table: "messages", column: "id")) } }

        var binds = PostgresBindings()
        var rows: [String] = []
        for index in accepted {
            let job = jobs[index]
            let message = job.message
            let now = Timestamp.milliseconds(job.now)
            let base = binds.count
            binds.append(message.id)
            binds.append(now)
            binds.append(message.template)
            binds.append(message.locale)
            binds.append(message.sender)
            binds.append(message.recipients)
            binds.append(message.messageID)
            binds.append(Int64(message.content.count))
            binds.append(message.requestID)
            if job.claimed {
                // As a claim leaves it: this replica's, under a lease, not due.
                binds.append(replica)
                binds.append(now + leaseDuration.wholeMilliseconds)
                rows.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5), $\(base + 6), $\(base + 7), $\(base + 8), 'sending', 0, NULL, $\(base + 2), $\(base + 2), $\(base + 9)::text, $\(base + 10)::text, $\(base + 11)::bigint)")
            } else {
                rows.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5), $\(base + 6), $\(base + 7), $\(base + 8), 'queued', 0, $\(base + 2), NULL, $\(base + 2), $\(base + 9)::text, NULL, NULL)")
            }
        }
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO messages (id, created_at, template, locale, sender, recipients, message_id, size,
                                          state, attempts, next_attempt_at, claimed_at, updated_at, request_id,
                                          claimed_by, lease_expires_at)
                    VALUES \(rows.joined(separator: ", "))
                    """,
                binds: binds),
            logger: logger)

        binds = PostgresBindings()
        rows = []
        for index in accepted {
            binds.append(jobs[index].message.id)
            binds.append(ByteBuffer(bytes: jobs[index].message.content))
            rows.append("($\(binds.count - 1), $\(binds.count))")
        }
        try await connection.query(
            PostgresQuery(unsafeSQL: "INSERT INTO message_bodies (message, content) VALUES \(rows.joined(separator: ", "))", binds: binds),
            logger: logger)

        // The record is what was just written, so it is built here rather than read back.
        for index in accepted {
            results[index] = .success(.queued(.accepted(jobs[index].message, at: jobs[index].now, claimed: jobs[index].claimed)))
        }
        return results.map { $0 ?? .failure(OutboxError.unreadableRow(table: "messages", column: "id")) }
    }
}
