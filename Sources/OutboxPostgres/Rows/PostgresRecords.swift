import Foundation
import Outbox
import PostgresNIO

/// Reading rows back into the outbox's public values.
enum PostgresRecords {
    /// The `messages` columns every record query selects (or returns), in one place.
    static let messageColumns = """
        seq, id, created_at, template, locale, sender, recipients, message_id, size, state, attempts, \
        next_attempt_at, last_error, sent_at, provider, updated_at, request_id
        """

    /// `messageColumns` qualified by a table or alias, for joins.
    static func messageColumns(of table: String) -> String {
        messageColumns.split(separator: ",").map { "\(table).\($0.trimmingCharacters(in: .whitespaces))" }.joined(separator: ", ")
    }

    static func message(_ row: PostgresRow) throws -> MessageRecord {
        let read = RowReader(row, table: "messages")
        return MessageRecord(
            id: try read.string("id"),
            createdAt: try read.date("created_at"),
            template: try read.string("template"),
            locale: try read.string("locale"),
            sender: try read.string("sender"),
            recipients: try read.value("recipients", as: [String].self),
            messageID: try read.string("message_id"),
            size: try read.int("size"),
            state: try read.state("state"),
            attemptCount: try read.int("attempts"),
            nextAttemptAt: try read.optionalDate("next_attempt_at"),
            lastError: try read.optionalString("last_error"),
            sentAt: try read.optionalDate("sent_at"),
            provider: try read.optionalString("provider").map(ProviderName.init(rawValue:)),
            updatedAt: try read.date("updated_at"),
            requestID: try read.optionalString("request_id"))
    }

    static func sequence(_ row: PostgresRow) throws -> Int64 {
        try RowReader(row, table: "messages").value("seq", as: Int64.self)
    }

    static func attempt(_ row: PostgresRow) throws -> DeliveryAttempt {
        let read = RowReader(row, table: "attempts")
        guard let outcome = AttemptOutcome(rawValue: try read.string("outcome")) else {
            throw OutboxError.unreadableRow(table: "attempts", column: "outcome")
        }
        var reply: ServerReply?
        if let code = try read.optionalInt("smtp_code") {
            reply = ServerReply(code: code, enhancedCode: try read.optionalString("enhanced_code"), text: try read.optionalString("reply_text") ?? "")
        }
        return DeliveryAttempt(
            messageID: try read.string("message"),
            number: try read.int("number"),
            startedAt: try read.date("started_at"),
            finishedAt: try read.date("finished_at"),
            outcome: outcome,
            errorCode: try read.optionalString("error_code"),
            hint: try read.optionalString("hint"),
            detail: try read.optionalString("detail"),
            reply: reply,
            provider: ProviderName(rawValue: try read.string("provider")))
    }
}
