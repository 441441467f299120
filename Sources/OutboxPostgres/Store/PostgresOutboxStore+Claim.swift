import Foundation
import Outbox
import PostgresNIO

extension PostgresOutboxStore {
    /// Moves up to `limit` due emails to `sending` under this replica's name and a lease, and
    /// returns them with their bytes, earliest due first.
    ///
    /// Due are queued and deferred emails whose time has come, and emails whose claim's lease has
    /// expired (their replica died mid-send, or is stuck): the latter go out again, at least once.
    /// One statement selects with `FOR UPDATE SKIP LOCKED` and updates: replicas claiming at the
    /// same moment skip each other's rows instead of waiting, and never get the same email.
    ///
    /// With `maximumBytes`, stops before the email that would take the batch's stored bytes past
    /// it (the first email always comes): claimed emails wait in memory.
    public func claimDue(now: Date = Date(), limit: Int, maximumBytes: Int? = nil) async throws -> [ClaimedMessage] {
        guard limit > 0 else { throw OutboxError.invalidArgument("claimDue needs a limit of at least 1, got \(limit)") }
        let time = Timestamp.milliseconds(now)
        let leaseEnd = time + leaseDuration.wholeMilliseconds
        // No budget: every candidate fits.
        let budget = Int64(maximumBytes ?? Int(Int64.max / 2))
        let rows = try await run(
            "claim due emails",
            """
            WITH expired AS (
                SELECT seq, size, lease_expires_at AS due_at FROM messages
                WHERE state = 'sending' AND lease_expires_at <= \(time)
                ORDER BY lease_expires_at LIMIT \(Int64(limit))
                FOR UPDATE SKIP LOCKED
            ), waiting AS (
                SELECT seq, size, next_attempt_at AS due_at FROM messages
                WHERE state IN ('queued', 'deferred') AND next_attempt_at <= \(time)
                ORDER BY next_attempt_at, seq LIMIT \(Int64(limit))
                FOR UPDATE SKIP LOCKED
            ), first AS (
                SELECT seq, due_at, size FROM (SELECT seq, due_at, size FROM expired UNION ALL SELECT seq, due_at, size FROM waiting) AS candidates
                ORDER BY due_at, seq LIMIT \(Int64(limit))
            ), due AS (
                -- The byte budget: the running total up to each email, the first one always in.
                SELECT seq, due_at FROM (
                    SELECT seq, due_at, SUM(size) OVER (ORDER BY due_at, seq) AS total,
                           ROW_NUMBER() OVER (ORDER BY due_at, seq) AS position
                    FROM first
                ) AS running
                WHERE position = 1 OR total <= \(budget)
            ), claimed AS (
                UPDATE messages SET state = 'sending', claimed_at = \(time), claimed_by = \(replica),
                                    lease_expires_at = \(leaseEnd), next_attempt_at = NULL, updated_at = \(time)
                FROM due WHERE messages.seq = due.seq
                RETURNING \(unescaped: PostgresRecords.messageColumns(of: "messages")), due.due_at
            )
            SELECT claimed.*, message_bodies.content AS content
            FROM claimed LEFT JOIN message_bodies ON message_bodies.message = claimed.id
            ORDER BY claimed.due_at, claimed.seq
            """)
        return try rows.map { row in
            // A missing body reads as empty content, as in the SQLite store.
            ClaimedMessage(
                record: try PostgresRecords.message(row),
                content: try RowReader(row, table: "message_bodies").optionalBytes("content") ?? [])
        }
    }

    /// Gives this replica's claimed emails whose attempt never started back to the queue, due
    /// now, their attempt count untouched; returns how many. Ids that are no longer `sending`, or
    /// that another replica claimed after this one's lease expired, are left alone.
    @discardableResult
    public func unclaim(_ ids: [String], now: Date = Date()) async throws -> Int {
        guard !ids.isEmpty else { return 0 }
        let time = Timestamp.milliseconds(now)
        return try await run(
            "put claimed emails back in the queue",
            """
            UPDATE messages SET state = 'queued', next_attempt_at = \(time), claimed_at = NULL, claimed_by = NULL,
                                lease_expires_at = NULL, updated_at = \(time)
            WHERE state = 'sending' AND claimed_by = \(replica) AND id = ANY(\(ids))
            RETURNING seq
            """
        ).count
    }

    /// When the next waiting email is due, so a worker can sleep until then; nil when none waits.
    ///
    /// Expired leases are not in it: an idle worker looks again every `idleLookInterval` (2 s), and a claim
    /// whose replica died is taken by the first look after its lease ran out.
    public func nextDueDate() async throws -> Date? {
        let rows = try await run(
            "find the next due email",
            "SELECT MIN(next_attempt_at) AS due FROM messages WHERE state IN ('queued', 'deferred')",
            writes: false)
        guard let row = rows.first else { return nil }
        return try RowReader(row, table: "messages").optionalDate("due")
    }

    /// Queues again the emails left `sending` whose lease has expired by `now` (their replica
    /// stopped without recording the attempt), due now; returns how many. Claims of replicas still
    /// within their lease are left alone: those replicas are delivering them.
    ///
    /// The interrupted attempt may have reached the SMTP server, so such an email can arrive
    /// twice: at least once, never lost.
    public func recoverInterrupted(now: Date = Date()) async throws -> Int {
        let time = Timestamp.milliseconds(now)
        return try await run(
            "recover interrupted deliveries",
            """
            UPDATE messages SET state = 'queued', next_attempt_at = \(time), claimed_at = NULL, claimed_by = NULL,
                                lease_expires_at = NULL, updated_at = \(time)
            WHERE seq IN (
                SELECT seq FROM messages WHERE state = 'sending' AND lease_expires_at <= \(time)
                FOR UPDATE SKIP LOCKED
            )
            RETURNING seq
            """
        ).count
    }
}
