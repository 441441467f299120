import Foundation
import Outbox
import PostgresNIO

extension PostgresOutboxStore {
    /// One outcome into the next group commit (many workers' outcomes share one transaction).
    public func record(_ outcome: OutcomeJob) async throws -> MessageRecord? {
        try await outcomes.run(outcome)
    }

    /// Records a batch of attempts in one transaction (many workers' outcomes share one commit);
    /// when the server refuses it, each gets one of its own, so only the bad one fails.
    func commitOutcomes(_ jobs: [OutcomeJob]) async -> [Result<MessageRecord?, any Error>] {
        do {
            return try await rawTransaction { connection in try await self.record(jobs, connection) }
        } catch {
            guard jobs.count > 1, Self.refusedByServer(error) else {
                let failure = storageError("record an attempt", error)
                return jobs.map { _ in .failure(failure) }
            }
        }
        var results: [Result<MessageRecord?, any Error>] = []
        for job in jobs {
            do {
                results.append(try await rawTransaction { connection in try await self.record([job], connection) }[0])
            } catch {
                results.append(.failure(storageError("record an attempt", error)))
            }
        }
        return results
    }

    private struct Claim {
        var state: MessageState
        var attempts: Int
        var claimedAt: Date?
        var claimedBy: String?
    }

    private func record(_ jobs: [OutcomeJob], _ connection: PostgresConnection) async throws -> [Result<MessageRecord?, any Error>] {
        // Locked in id order, the same in every batch: a deferral and an operator's cancel of the
        // same email wait for each other rather than deadlock.
        let ids = Array(Set(jobs.map(\.id))).sorted()
        var claims: [String: Claim] = [:]
        for row in try await connection.query(
            "SELECT id, state, attempts, claimed_at, claimed_by FROM messages WHERE id = ANY(\(ids)) ORDER BY id FOR UPDATE",
            logger: logger
        ).collect() {
            let read = RowReader(row, table: "messages")
            claims[try read.string("id")] = Claim(
                state: try read.state("state"), attempts: try read.int("attempts"),
                claimedAt: try read.optionalDate("claimed_at"), claimedBy: try read.optionalString("claimed_by"))
        }

        var results = [Result<MessageRecord?, any Error>?](repeating: nil, count: jobs.count)
        var accepted: [(index: Int, number: Int, startedAt: Date)] = []
        for (index, job) in jobs.enumerated() {
            guard let claim = claims[job.id] else {
                results[index] = .failure(OutboxError.notFound(id: job.id))
                continue
            }
            guard claim.state == .sending else {
                results[index] = .failure(OutboxError.illegalTransition(
                    id: job.id, state: claim.state, action: job.action,
                    reason: "only an email a worker has claimed (sending) has an attempt to record"))
                continue
            }
            guard claim.claimedBy == replica else {
                results[index] = .failure(OutboxError.illegalTransition(
                    id: job.id, state: claim.state, action: job.action,
                    reason: "replica \(claim.claimedBy ?? "unknown") claimed it after this replica's (\(replica)) lease expired; that replica records its attempt"))
                continue
            }
            let number = claim.attempts + 1
            accepted.append((index, number, job.startedAt ?? claim.claimedAt ?? job.now))
            claims[job.id] = Claim(state: job.state, attempts: number, claimedAt: nil, claimedBy: nil)
        }
        guard !accepted.isEmpty else { return results.map { $0 ?? .failure(OutboxError.notFound(id: "")) } }

        var binds = PostgresBindings()
        var rows: [String] = []
        for entry in accepted {
            let job = jobs[entry.index]
            let base = binds.count
            binds.append(job.id)
            binds.append(Int64(entry.number))
            binds.append(Timestamp.milliseconds(entry.startedAt))
            binds.append(Timestamp.milliseconds(job.now))
            binds.append(job.outcome.rawValue)
            binds.append(job.error?.code)
            binds.append(job.error?.hint)
            binds.append(job.error?.detail)
            binds.append(job.reply.map { Int64($0.code) })
            binds.append(job.reply?.enhancedCode)
            binds.append(job.reply?.text)
            binds.append(job.provider.rawValue)
            rows.append("($\(base + 1), $\(base + 2), $\(base + 3), $\(base + 4), $\(base + 5), $\(base + 6)::text, $\(base + 7)::text, $\(base + 8)::text, $\(base + 9)::bigint, $\(base + 10)::text, $\(base + 11)::text, $\(base + 12))")
        }
        try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    INSERT INTO attempts (message, number, started_at, finished_at, outcome, error_code, hint, detail,
                                          smtp_code, enhanced_code, reply_text, provider)
                    VALUES \(rows.joined(separator: ", "))
                    """,
                binds: binds),
            logger: logger)

        binds = PostgresBindings()
        rows = []
        for entry in accepted {
            let job = jobs[entry.index]
            let base = binds.count
            binds.append(job.id)
            binds.append(job.state.rawValue)
            binds.append(Int64(entry.number))
            binds.append(job.nextAttemptAt.map(Timestamp.milliseconds))
            binds.append(job.error?.summary)
            binds.append(job.state == .sent ? Timestamp.milliseconds(job.now) : nil)
            binds.append(job.provider.rawValue)
            binds.append(Timestamp.milliseconds(job.now))
            rows.append("($\(base + 1)::text, $\(base + 2)::text, $\(base + 3)::bigint, $\(base + 4)::bigint, $\(base + 5)::text, $\(base + 6)::bigint, $\(base + 7)::text, $\(base + 8)::bigint)")
        }
        // RETURNING only when a caller wants its record back: the worker's jobs do not.
        let readBack = accepted.contains { jobs[$0.index].readBack }
        let updated = try await connection.query(
            PostgresQuery(
                unsafeSQL: """
                    UPDATE messages SET state = v.state, attempts = v.attempts, next_attempt_at = v.next_attempt_at,
                                        claimed_at = NULL, claimed_by = NULL, lease_expires_at = NULL, last_error = v.last_error,
                                        sent_at = v.sent_at, provider = v.provider, updated_at = v.updated_at
                    FROM (VALUES \(rows.joined(separator: ", "))) AS v(id, state, attempts, next_attempt_at, last_error, sent_at, provider, updated_at)
                    WHERE messages.id = v.id
                    \(readBack ? "RETURNING \(PostgresRecords.messageColumns(of: "messages"))" : "")
                    """,
                binds: binds),
            logger: logger
        ).collect()
        return try OutcomeJob.answers(jobs, accepted: accepted.map(\.index), updated: try updated.map(PostgresRecords.message), results: results)
    }
}
