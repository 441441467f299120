import Foundation

extension OutboxStore {
    /// One email with its bytes and every recorded attempt; nil when the id is unknown (or pruned).
    public func message(_ id: String) async throws -> StoredMessage? {
        try await database.read("read an email") { sql in
            let rows = try sql.run("SELECT \(Records.messageColumns) FROM messages WHERE id = ?", [.text(id)])
            guard let row = rows.first else { return nil }
            let body = try sql.run("SELECT content FROM message_bodies WHERE message = ?", [.text(id)])
            guard let bodyRow = body.first else { throw OutboxError.unreadableRow(table: "message_bodies", column: "content") }
            let attempts = try sql.run(
                "SELECT * FROM attempts WHERE message = ? ORDER BY number", [.text(id)])
            return StoredMessage(
                record: try Records.message(row),
                content: try RowReader(row: bodyRow, table: "message_bodies").bytes("content"),
                attempts: try attempts.map(Records.attempt))
        }
    }

    /// Emails newest first, optionally in one state only, `limit` per page (1…1000).
    ///
    /// `cursor` is a page's `nextCursor`. Pages do not shift while emails arrive or change state:
    /// a new email never pushes an old one onto the next page twice.
    public func list(status: MessageState? = nil, limit: Int = 50, cursor: String? = nil) async throws -> MessagePage {
        guard (1...1000).contains(limit) else {
            throw OutboxError.invalidArgument("list takes a limit from 1 to 1000, got \(limit)")
        }
        let before = try cursor.map { try ListCursor(token: $0).sequence } ?? Int64.max
        return try await database.read("list emails") { sql in
            // One row more than asked tells whether another page exists.
            var binds: [SQLValue] = [.integer(Int64(before)), .int(limit + 1)]
            var filter = ""
            if let status {
                filter = "state = ?3 AND"
                binds.append(.text(status.rawValue))
            }
            let rows = try sql.run(
                "SELECT \(Records.messageColumns) FROM messages WHERE \(filter) seq < ?1 ORDER BY seq DESC LIMIT ?2",
                binds)
            let page = rows.prefix(limit)
            var nextCursor: String?
            if rows.count > limit, let last = page.last {
                nextCursor = ListCursor(sequence: try Records.sequence(last)).token
            }
            return MessagePage(messages: try page.map(Records.message), nextCursor: nextCursor)
        }
    }
}
