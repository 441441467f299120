import Foundation
import Hummingbird
import Outbox

/// The mail log and queue management over HTTP: what happened to an email, retry, cancel, flush,
/// and counts per state (the "daily report").
struct QueueRoutes: Sendable {
    let store: OutboxStore
    let worker: OutboxWorker

    func register(on router: Router<BasicRequestContext>) {
        // A thrown Problem becomes problem+json in ProblemMiddleware.
        router.get("/v1/emails/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let stored = try await run({ try await store.message(id) }) else {
                throw Problem(status: .notFound, code: "ENOTFOUND", title: "No such email", detail: "no email with id \(id) in the outbox (emails are kept MAILER_RETENTION_DAYS after they are done)")
            }
            return Response.json(Self.json(stored), status: .ok)
        }
        router.get("/v1/emails") { request, _ in
            let query = request.uri.queryParameters
            var state: MessageState?
            if let text = query.get("status") {
                guard let parsed = MessageState(rawValue: text) else {
                    throw Problem.validation("status", "'status' must be one of \(MessageState.allCases.map(\.rawValue).joined(separator: ", ")), got \"\(text)\"")
                }
                state = parsed
            }
            var limit = 50
            if let text = query.get("limit") {
                guard let number = Int(text), (1...500).contains(number) else {
                    throw Problem.validation("limit", "'limit' must be a whole number from 1 to 500, got \"\(text)\"")
                }
                limit = number
            }
            let page = try await run({ try await store.list(status: state, limit: limit, cursor: query.get("cursor")) })
            var body: [String: JSONValue] = ["emails": .array(page.messages.map(Self.json))]
            body["nextCursor"] = page.nextCursor.map { .string($0) } ?? .null
            return Response.json(.object(body), status: .ok)
        }
        router.post("/v1/emails/:id/retry") { _, context in
            let id = context.parameters.get("id") ?? ""
            let record = try await run({ try await store.retry(id) })
            worker.wake()
            return Response.json(Self.json(record), status: .ok)
        }
        router.delete("/v1/emails/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return Response.json(Self.json(try await run({ try await store.cancel(id) })), status: .ok)
        }
        router.post("/v1/queue/flush") { _, _ in
            let due = try await run({ try await store.flush() })
            worker.wake()
            return Response.json(.object(["flushed": .int(due)]), status: .ok)
        }
        router.delete("/v1/queue") { request, _ in
            // Cancelling everything is not undone: a typo must not do it.
            guard request.uri.queryParameters.get("confirm") == "cancel-all" else {
                throw Problem.validation("confirm", "add ?confirm=cancel-all to cancel every queued and deferred email; sent emails are not affected")
            }
            return Response.json(.object(["cancelled": .int(try await run({ try await store.cancelAll() }))]), status: .ok)
        }
        router.get("/v1/queue/stats") { _, _ in
            let stats = try await run({ try await store.stats() })
            var counts: [String: JSONValue] = [:]
            for state in MessageState.allCases { counts[state.rawValue] = .int(stats.counts[state] ?? 0) }
            return Response.json(.object([
                "counts": .object(counts),
                "oldestPendingSeconds": stats.oldestPendingAge.map { .int(Int($0.components.seconds)) } ?? .null,
                "sentToday": .int(stats.sentToday),
                "failedToday": .int(stats.failedToday),
                "failedTodayByCode": .object(stats.failedTodayByCode.mapValues { .int($0) }),
            ]), status: .ok)
        }
    }

    /// Outbox errors as problem+json: 404 for an unknown id, 409 for a state that forbids the action.
    private func run<T: Sendable>(_ operation: () async throws -> T) async throws(Problem) -> T {
        do {
            return try await operation()
        } catch let error as OutboxError {
            switch error {
            case .notFound:
                throw Problem(status: .notFound, code: "ENOTFOUND", title: "No such email", detail: "\(error)")
            case .illegalTransition:
                throw Problem(status: .conflict, code: "ESTATE", title: "Not possible in this state", detail: "\(error)")
            case .invalidCursor, .invalidArgument:
                throw Problem(status: .unprocessableContent, code: "EVALIDATION", title: "Invalid request", detail: "\(error)")
            default:
                throw Problem(status: .serviceUnavailable, code: "EOUTBOX", title: "Outbox unavailable", detail: "\(error)",
                              extra: ["hint": .string("check that MAILER_DATA_DIR is writable and its disk not full")])
            }
        } catch {
            throw Problem(status: .internalServerError, code: "EINTERNAL", title: "Internal error", detail: "\(error)")
        }
    }

    static func json(_ record: MessageRecord) -> JSONValue {
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
        return .object(members)
    }

    static func json(_ stored: StoredMessage) -> JSONValue {
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
}
