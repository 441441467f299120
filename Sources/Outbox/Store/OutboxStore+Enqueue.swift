import Foundation
import SQLiteNIO

extension OutboxStore {
    /// Stores an accepted email, due at once; call before answering the client.
    ///
    /// With an idempotency key already seen within `configuration.idempotencyKeyLifetime`, nothing is
    /// stored and the first request's id and answer come back instead, however many requests race:
    /// the key check and the insert are one write transaction.
    public func enqueue(_ message: OutgoingMessage, idempotencyKey: IdempotencyKey? = nil, now: Date = Date()) async throws -> EnqueueResult {
        try Self.validate(message)
        if let idempotencyKey { try Self.validate(idempotencyKey) }
        let recipients = try Records.recipientsJSON(message.recipients)
        let expiredBefore = Timestamp.milliseconds(now) - configuration.idempotencyKeyLifetime.wholeMilliseconds

        return try await database.write("enqueue") { sql in
            if let idempotencyKey {
                let rows = try await sql.run(
                    "SELECT message, answer, created_at FROM idempotency_keys WHERE key = ?", [.text(idempotencyKey.value)])
                if let row = rows.first {
                    let read = RowReader(row: row, table: "idempotency_keys")
                    if Int64(try read.int("created_at")) > expiredBefore {
                        return .duplicate(id: try read.string("message"), answer: try read.bytes("answer"))
                    }
                    try await sql.run("DELETE FROM idempotency_keys WHERE key = ?", [.text(idempotencyKey.value)])
                }
            }
            if try await !sql.run("SELECT 1 FROM messages WHERE id = ?", [.text(message.id)]).isEmpty {
                throw OutboxError.invalidArgument("an email with id \(message.id) is already in the outbox")
            }
            let rows = try await sql.run(
                """
                INSERT INTO messages (id, created_at, template, locale, sender, recipients, message_id, size,
                                      state, attempts, next_attempt_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', 0, ?2, ?2)
                RETURNING \(Records.messageColumns)
                """,
                [
                    .text(message.id), .time(now), .text(message.template), .text(message.locale),
                    .text(message.sender), .text(recipients), .text(message.messageID), .int(message.content.count),
                ])
            try await sql.run(
                "INSERT INTO message_bodies (message, content) VALUES (?, ?)", [.text(message.id), .bytes(message.content)])
            if let idempotencyKey {
                try await sql.run(
                    "INSERT INTO idempotency_keys (key, message, created_at, answer) VALUES (?, ?, ?, ?)",
                    [.text(idempotencyKey.value), .text(message.id), .time(now), .bytes(idempotencyKey.answer)])
            }
            guard let row = rows.first else { throw OutboxError.unreadableRow(table: "messages", column: "id") }
            return .queued(try Records.message(row))
        }
    }

    private static func validate(_ message: OutgoingMessage) throws {
        if message.id.isEmpty || message.id.utf8.count > 255 {
            throw OutboxError.invalidArgument("an email id must have 1 to 255 bytes, got \(message.id.utf8.count)")
        }
        if message.recipients.isEmpty {
            throw OutboxError.invalidArgument("email \(message.id) has no recipients")
        }
        if message.content.isEmpty {
            throw OutboxError.invalidArgument("email \(message.id) has no content: the rendered message is empty")
        }
    }

    private static func validate(_ key: IdempotencyKey) throws {
        let length = key.value.utf8.count
        if length == 0 || length > IdempotencyKey.maximumLength {
            throw OutboxError.invalidArgument(
                "an Idempotency-Key must have 1 to \(IdempotencyKey.maximumLength) bytes, got \(length)")
        }
    }
}
