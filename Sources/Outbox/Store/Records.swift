import Foundation

/// Reading rows back into public values.
enum Records {
    /// The `messages` columns every record query selects (or returns), in one place.
    static let messageColumns = """
        seq, id, created_at, template, locale, sender, recipients, message_id, size, state, attempts, \
        next_attempt_at, last_error, sent_at, provider, updated_at, request_id
        """

    static func message(_ row: SQLRow) throws -> MessageRecord {
        let read = RowReader(row: row, table: "messages")
        guard let recipients = recipients(fromJSON: try read.string("recipients")) else {
            throw OutboxError.unreadableRow(table: "messages", column: "recipients")
        }
        return MessageRecord(
            id: try read.string("id"),
            createdAt: try read.date("created_at"),
            template: try read.string("template"),
            locale: try read.string("locale"),
            sender: try read.string("sender"),
            recipients: recipients,
            messageID: try read.string("message_id"),
            size: try read.int("size"),
            state: try read.state("state"),
            attemptCount: try read.int("attempts"),
            nextAttemptAt: try read.optionalDate("next_attempt_at"),
            lastError: try read.optionalString("last_error"),
            sentAt: try read.optionalDate("sent_at"),
            provider: try read.optionalString("provider").map(ProviderName.init(rawValue:)),
            updatedAt: try read.date("updated_at"),
            requestID: try read.optionalString("request_id")
        )
    }

    static func sequence(_ row: SQLRow) throws -> Int64 {
        Int64(try RowReader(row: row, table: "messages").int("seq"))
    }

    static func attempt(_ row: SQLRow) throws -> DeliveryAttempt {
        let read = RowReader(row: row, table: "attempts")
        guard let outcome = AttemptOutcome(rawValue: try read.string("outcome")) else {
            throw OutboxError.unreadableRow(table: "attempts", column: "outcome")
        }
        var reply: ServerReply?
        if let code = try read.optionalInt("smtp_code") {
            reply = ServerReply(
                code: code,
                enhancedCode: try read.optionalString("enhanced_code"),
                text: try read.optionalString("reply_text") ?? "")
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
            provider: ProviderName(rawValue: try read.string("provider"))
        )
    }

    /// The recipients as a JSON array of strings, the column's format. Written by hand: every
    /// enqueue and every record read goes through it, and JSONEncoder/JSONDecoder cost more than
    /// the row's SQL.
    static func recipientsJSON(_ recipients: [String]) -> String {
        var json = "["
        for (index, recipient) in recipients.enumerated() {
            if index > 0 { json += "," }
            json += "\""
            for scalar in recipient.unicodeScalars {
                switch scalar {
                case "\"": json += "\\\""
                case "\\": json += "\\\\"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    json += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: json.unicodeScalars.append(scalar)
                }
            }
            json += "\""
        }
        return json + "]"
    }

    /// Reads what `recipientsJSON` wrote. Escaped text (never in a valid address) goes through
    /// JSONDecoder; so does anything else unexpected, which then fails as unreadable.
    static func recipients(fromJSON json: String) -> [String]? {
        var utf8 = Substring(json).utf8
        var recipients: [String] = []
        guard utf8.popFirst() == UInt8(ascii: "["), utf8.popLast() == UInt8(ascii: "]") else { return decoded(json) }
        while !utf8.isEmpty {
            guard utf8.popFirst() == UInt8(ascii: "\"") else { return decoded(json) }
            guard let end = utf8.firstIndex(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 }),
                  utf8[end] == UInt8(ascii: "\"")
            else { return decoded(json) }
            recipients.append(String(Substring(utf8[utf8.startIndex..<end])))
            utf8 = utf8[utf8.index(after: end)...]
            if utf8.first == UInt8(ascii: ",") {
                utf8 = utf8.dropFirst()
                if utf8.isEmpty { return decoded(json) }
            } else if !utf8.isEmpty {
                return decoded(json)
            }
        }
        return recipients
    }

    private static func decoded(_ json: String) -> [String]? {
        try? JSONDecoder().decode([String].self, from: Data(json.utf8))
    }
}
