import Foundation
import Hummingbird
import Outbox

/// The mail log and queue management over HTTP: what happened to an email, retry, cancel, flush,
/// and counts per state (the "daily report").
struct QueueRoutes: Sendable {
    let store: any OutboxStorage
    let worker: OutboxWorker

    func register(on router: Router<BasicRequestContext>) {
        // A thrown Problem becomes problem+json in ProblemMiddleware.
        router.get("/v1/emails/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            guard let stored = try await run({ try await store.message(id) }) else {
                throw Problem(status: .notFound, code: "ENOTFOUND", title: "No such email", detail: "no email with id \(id) in the outbox (emails are kept MAILER_RETENTION_DAYS after they are done)")
            }
            return Response.json(OutboxJSON.json(stored), status: .ok)
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
            var body: [String: JSONValue] = ["emails": .array(page.messages.map(OutboxJSON.json))]
            body["nextCursor"] = page.nextCursor.map { .string($0) } ?? .null
            return Response.json(.object(body), status: .ok)
        }
        router.post("/v1/emails/:id/retry") { _, context in
            let id = context.parameters.get("id") ?? ""
            let record = try await run({ try await store.retry(id) })
            worker.wake()
            return Response.json(OutboxJSON.json(record), status: .ok)
        }
        router.delete("/v1/emails/:id") { _, context in
            let id = context.parameters.get("id") ?? ""
            return Response.json(OutboxJSON.json(try await run({ try await store.cancel(id) })), status: .ok)
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
            return Response.json(OutboxJSON.json(stats), status: .ok)
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
                              extra: ["hint": .string("check that the outbox database is writable and its disk not full (MAILER_DATA_DIR, or the PostgreSQL server of MAILER_DATABASE_URL)")])
            }
        } catch {
            throw Problem(status: .internalServerError, code: "EINTERNAL", title: "Internal error", detail: "\(error)")
        }
    }
}
