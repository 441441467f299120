import Foundation

extension OutboxStore {
    /// One outcome into the next group commit (many workers' outcomes share one transaction).
    public func record(_ outcome: OutcomeJob) async throws -> MessageRecord? {
        try await outcomes.run(outcome)
    }

    /// Records a batch of attempts in one transaction (many workers' outcomes share one commit);
    /// if that transaction fails, each gets one of its own, so only the bad one fails.
    static func commitOutcomes(_ jobs: [OutcomeJob], database: OutboxDatabase) async -> [Result<MessageRecord?, any Error>] {
        await database.writeBatch("record an attempt", jobs, durability: .operatingSystem) { jobs, sql in try record(jobs, sql) }
    }

    private struct Claim {
        var state: MessageState
        var attempts: Int
        var claimedAt: Date?
    }

    private static func record(_ jobs: [OutcomeJob], _ sql: OutboxDatabase.Statements) throws -> [Result<MessageRecord?, any Error>] {
        let ids = Array(Set(jobs.map(\.id)))
        var claims: [String: Claim] = [:]
        for row in try sql.run(
            "SELECT id, state, attempts, claimed_at FROM messages WHERE id IN (\(SQLList.placeholders(ids.count)))",
            ids.map { .text($0) })
        {
            let read = RowReader(row: row, table: "messages")
            claims[try read.string("id")] = Claim(
                state: try read.state("state"), attempts: try read.int("attempts"), claimedAt: try read.optionalDate("claimed_at"))
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
            let number = claim.attempts + 1
            accepted.append((index, number, job.startedAt ?? claim.claimedAt ?? job.now))
            claims[job.id] = Claim(state: job.state, attempts: number, claimedAt: nil)
        }
        guard !accepted.isEmpty else { return results.map { $0 ?? .failure(OutboxError.notFound(id: "")) } }

        try sql.run(
            """
            INSERT INTO attempts (message, number, started_at, finished_at, outcome, error_code, hint, detail,
                                  smtp_code, enhanced_code, reply_text, provider)
            VALUES \(SQLList.rows(accepted.count, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"))
            """,
            accepted.flatMap { entry -> [SQLValue] in
                let job = jobs[entry.index]
                return [
                    .text(job.id), .int(entry.number), .time(entry.startedAt), .time(job.now), .text(job.outcome.rawValue),
                    .text(job.error?.code), .text(job.error?.hint), .text(job.error?.detail),
                    .int(job.reply?.code), .text(job.reply?.enhancedCode), .text(job.reply?.text), .text(job.provider.rawValue),
                ]
            })
        // UPDATE ... FROM (VALUES ...): one statement for the whole batch; VALUES names its columns column1...
        // RETURNING only when a caller wants its record back: the worker's jobs do not.
        let readBack = accepted.contains { jobs[$0.index].readBack }
        let updated = try sql.run(
            """
            UPDATE messages SET state = v.column2, attempts = v.column3, next_attempt_at = v.column4, claimed_at = NULL,
                                last_error = v.column5, sent_at = v.column6, provider = v.column7, updated_at = v.column8
            FROM (VALUES \(SQLList.rows(accepted.count, "(?, ?, ?, ?, ?, ?, ?, ?)"))) AS v
            WHERE messages.id = v.column1
            \(readBack ? "RETURNING \(Records.messageColumns)" : "")
            """,
            accepted.flatMap { entry -> [SQLValue] in
                let job = jobs[entry.index]
                return [
                    .text(job.id), .text(job.state.rawValue), .int(entry.number), .time(job.nextAttemptAt), .text(job.error?.summary),
                    .time(job.state == .sent ? job.now : nil), .text(job.provider.rawValue), .time(job.now),
                ]
            })
        return try OutcomeJob.answers(jobs, accepted: accepted.map(\.index), updated: try updated.map(Records.message), results: results)
    }
}
