import Foundation
import Outbox

/// The outbox's records as JSON, shared by the HTTP API and `mailer queue --json`, so both show
/// the same fields under the same names.
public enum OutboxJSON {
    public static func json(_ record: MessageRecord) -> JSONValue {
        var members: [String: JSONValue] = [
            "id": .string(record.id),
            "status": .string(record.state.rawValue),
            "template": .string(record.template),
            "locale": .string(record.locale),
            "recipients": .array(record.recipients.map { .string($0) }),
            "messageId": .string(record.messageID),
            "size": .int(record.size),
            "attempts": .int(record.attemptCount),
            "createdAt": .string(record.createdAt.formatted(.iso8601)),
            "updatedAt": .string(record.updatedAt.formatted(.iso8601)),
        ]
        members["nextAttemptAt"] = record.nextAttemptAt.map { .string($0.formatted(.iso8601)) } ?? .null
        members["sentAt"] = record.sentAt.map { .string($0.formatted(.iso8601)) } ?? .null
        members["lastError"] = record.lastError.map { .string($0) } ?? .null
        members["provider"] = record.provider.map { .string($0.rawValue) } ?? .null
        members["requestId"] = record.requestID.map { .string($0) } ?? .null
        return .object(members)
    }

    public static func json(_ stored: StoredMessage) -> JSONValue {
        guard case .object(var members) = json(stored.record) else { return json(stored.record) }
        members["attemptLog"] = .array(stored.attempts.map { attempt in
            var entry: [String: JSONValue] = [
                "number": .int(attempt.number),
                "startedAt": .string(attempt.startedAt.formatted(.iso8601)),
                "finishedAt": .string(attempt.finishedAt.formatted(.iso8601)),
                "outcome": .string(attempt.outcome.rawValue),
                "provider": .string(attempt.provider.rawValue),
            ]
            entry["code"] = attempt.errorCode.map { .string($0) } ?? .null
            entry["hint"] = attempt.hint.map { .string($0) } ?? .null
            entry["detail"] = attempt.detail.map { .string($0) } ?? .null
            if let reply = attempt.reply {
                var smtp: [String: JSONValue] = ["code": .int(reply.code), "message": .string(reply.text)]
                if let enhanced = reply.enhancedCode { smtp["enhancedCode"] = .string(enhanced) }
                entry["smtp"] = .object(smtp)
            }
            return .object(entry)
        })
        return .object(members)
    }

    public static func json(_ stats: OutboxStats) -> JSONValue {
        var counts: [String: JSONValue] = [:]
        for state in MessageState.allCases { counts[state.rawValue] = .int(stats.counts[state] ?? 0) }
        return .object([
            "counts": .object(counts),
            "oldestPendingSeconds": stats.oldestPendingAge.map { .int(Int($0.components.seconds)) } ?? .null,
            "sentToday": .int(stats.sentToday),
            "failedToday": .int(stats.failedToday),
            "failedTodayByCode": .object(stats.failedTodayByCode.mapValues { .int($0) }),
        ])
    }
}
