import Foundation
import Outbox
import PostgresNIO

extension PostgresOutboxStore {
    /// One email with its bytes and every recorded attempt; nil when the id is unknown (or pruned).
    public func message(_ id: String) async throws -> StoredMessage? {
        do {
            // One connection, one snapshot: the row, its body and its attempts agree.
            return try await client.withTransaction(logger: logger) { connection -> StoredMessage? in
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
                let rows = try await connection.query(
                    "SELECT \(unescaped: PostgresRecords.messageColumns) FROM messages WHERE id = \(id)", logger: self.logger
                ).collect()
                guard let row = rows.first else { return nil }
                let body = try await connection.query("SELECT content FROM message_bodies WHERE message = \(id)", logger: self.logger).collect()
                guard let bodyRow = body.first else { throw OutboxError.unreadableRow(table: "message_bodies", column: "content") }
                let attempts = try await connection.query(
                    "SELECT * FROM attempts WHERE message = \(id) ORDER BY number", logger: self.logger
                ).collect()
                return StoredMessage(
                    record: try PostgresRecords.message(row),
                    content: try RowReader(bodyRow, table: "message_bodies").bytes("content"),
                    attempts: try attempts.map(PostgresRecords.attempt))
            }
        } catch {
            throw storageError("read an email", error)
        }
    }

    /// Emails newest first, optionally in one state only, `limit` per page (1…1000).
    ///
    /// `cursor` is a page's `nextCursor`; pages hold still while emails arrive and change state.
    public func list(status: MessageState? = nil, limit: Int = 50, cursor: String? = nil) async throws -> MessagePage {
        guard (1...1000).contains(limit) else {
            throw OutboxError.invalidArgument("list takes a limit from 1 to 1000, got \(limit)")
        }
        let before = try cursor.map { try ListCursor(token: $0).sequence } ?? Int64.max
        // One row more than asked tells whether another page exists.
        let fetch = Int64(limit + 1)
        let rows: [PostgresRow]
        if let status {
            rows = try await run(
                "list emails",
                "SELECT \(unescaped: PostgresRecords.messageColumns) FROM messages WHERE state = \(status.rawValue) AND seq < \(before) ORDER BY seq DESC LIMIT \(fetch)",
                writes: false)
        } else {
            rows = try await run(
                "list emails",
                "SELECT \(unescaped: PostgresRecords.messageColumns) FROM messages WHERE seq < \(before) ORDER BY seq DESC LIMIT \(fetch)",
                writes: false)
        }
        let page = rows.prefix(limit)
        var nextCursor: String?
        if rows.count > limit, let last = page.last {
            nextCursor = ListCursor(sequence: try PostgresRecords.sequence(last)).token
        }
        return MessagePage(messages: try page.map(PostgresRecords.message), nextCursor: nextCursor)
    }

    /// Counts per state, the oldest wait, and today's (UTC) deliveries and failures.
    public func stats(now: Date = Date()) async throws -> OutboxStats {
        let today = Timestamp.startOfUTCDay(now)
        let time = Timestamp.milliseconds(now)
        do {
            return try await client.withTransaction(logger: logger) { connection in
                // The four counts from one snapshot, so they add up.
                try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: self.logger)
                var counts = Dictionary(uniqueKeysWithValues: MessageState.allCases.map { ($0, 0) })
                for row in try await connection.query("SELECT state, COUNT(*) AS count FROM messages GROUP BY state", logger: self.logger).collect() {
                    let read = RowReader(row, table: "messages")
                    counts[try read.state("state")] = try read.int("count")
                }
                let oldest = try await connection.query(
                    "SELECT MIN(created_at) AS oldest FROM messages WHERE state IN ('queued', 'deferred')", logger: self.logger
                ).collect()
                var oldestPendingAge: Duration?
                if let row = oldest.first, let created = try RowReader(row, table: "messages").optionalInt("oldest") {
                    oldestPendingAge = .milliseconds(max(0, time - Int64(created)))
                }
                let sent = try await connection.query(
                    "SELECT COUNT(*) AS count FROM messages WHERE state = 'sent' AND sent_at >= \(today)", logger: self.logger
                ).collect()
                let sentToday = try sent.first.map { try RowReader($0, table: "messages").int("count") } ?? 0
                var failedTodayByCode: [String: Int] = [:]
                for row in try await connection.query(
                    """
                    SELECT COALESCE(error_code, 'unknown') AS code, COUNT(*) AS count FROM attempts
                    WHERE outcome = 'failed' AND finished_at >= \(today)
                    GROUP BY 1
                    """,
                    logger: self.logger
                ).collect() {
                    let read = RowReader(row, table: "attempts")
                    failedTodayByCode[try read.string("code")] = try read.int("count")
                }
                return OutboxStats(counts: counts, oldestPendingAge: oldestPendingAge, sentToday: sentToday, failedTodayByCode: failedTodayByCode)
            }
        } catch {
            throw storageError("compute statistics", error)
        }
    }

    /// Emails per waiting state (queued, sending, deferred), zero included: what a metrics
    /// scrape asks every few seconds, answered from the state index.
    public func queueDepth() async throws -> [MessageState: Int] {
        var counts: [MessageState: Int] = [.queued: 0, .sending: 0, .deferred: 0]
        let rows = try await run(
            "count waiting emails",
            "SELECT state, COUNT(*) AS count FROM messages WHERE state IN ('queued', 'sending', 'deferred') GROUP BY state",
            writes: false)
        for row in rows {
            let read = RowReader(row, table: "messages")
            counts[try read.state("state")] = try read.int("count")
        }
        return counts
    }
}
