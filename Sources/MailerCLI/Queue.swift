import ArgumentParser
import Foundation
import MailerService
import Outbox
import OutboxPostgres

/// `mailer queue ...`: the outbox of a (running or stopped) service, from the command line; in the
/// container `docker compose exec mailer mailer queue stats`. A running service's worker notices
/// the change within about half a second on SQLite (another connection's commit) and within 2 s on
/// PostgreSQL (its idle look); `POST /v1/queue/flush` wakes it at once.
struct Queue: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect and manage the outbox: list, show, retry, cancel, flush, stats.",
        discussion: "Works on the outbox `mailer serve` uses: the PostgreSQL database of MAILER_DATABASE_URL when set, else the SQLite database in MAILER_DATA_DIR (default ./data; /app/data in the image).",
        subcommands: [List.self, Show.self, Retry.self, Cancel.self, Flush.self, Stats.self]
    )

    struct Location: ParsableArguments {
        @Option(name: .customLong("data-dir"), help: "The SQLite outbox folder (default: MAILER_DATA_DIR, else ./data); given, it wins over MAILER_DATABASE_URL.")
        var dataDirectory: String?

        @Flag(help: "Print JSON (the HTTP API's shapes) instead of text.")
        var json = false

        /// --data-dir names a SQLite folder; otherwise MAILER_DATABASE_URL, as `mailer serve` reads it.
        func open() async throws -> any OutboxStorage {
            let folder: String
            let databaseURL: String?
            do {
                folder = try dataDirectory ?? MailerConfiguration.value(of: "MAILER_DATA_DIR") ?? "./data"
                databaseURL = dataDirectory == nil ? try MailerConfiguration.value(of: "MAILER_DATABASE_URL") : nil
            } catch {
                throw CLIError("invalid configuration: \(error)")
            }
            if let text = databaseURL?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty {
                do {
                    return try await PostgresOutboxStore.open(url: try PostgresURL(parsing: text))
                } catch let error as PostgresURLError {
                    throw CLIError("invalid configuration: \(error)")
                } catch {
                    throw CLIError("\(error)")
                }
            }
            let path = URL(fileURLWithPath: folder).appendingPathComponent("outbox.sqlite3").path
            guard FileManager.default.fileExists(atPath: path) else {
                throw CLIError("no outbox at \(path): set MAILER_DATA_DIR or --data-dir to the folder `mailer serve` uses")
            }
            do {
                return try await OutboxStore.open(path: path)
            } catch {
                throw CLIError("\(error)")
            }
        }

        func output(_ value: JSONValue, text: () -> String) {
            print(json ? String(decoding: value.encoded(), as: UTF8.self) : text())
        }
    }

    static func line(_ record: MessageRecord) -> String {
        let when = record.nextAttemptAt.map { "next \($0.formatted(.iso8601))" } ?? record.sentAt.map { "sent \($0.formatted(.iso8601))" } ?? ""
        return [record.id, record.state.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0), record.template,
                record.recipients.joined(separator: ","), "attempts=\(record.attemptCount)", when, record.lastError ?? ""]
            .filter { !$0.isEmpty }.joined(separator: "  ")
    }

    static func run<T>(_ operation: () async throws -> T) async throws -> T {
        do { return try await operation() } catch let error as OutboxError { throw CLIError("\(error)") }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The mail log, newest first.")
        @OptionGroup var location: Location
        @Option(help: "Only emails in this status: \(MessageState.allCases.map(\.rawValue).joined(separator: ", ")).")
        var status: String?
        @Option(help: "At most this many (1 to 500).") var limit = 50
        @Option(help: "Continue after a previous page (its nextCursor).") var cursor: String?

        func run() async throws {
            var state: MessageState?
            if let status {
                guard let parsed = MessageState(rawValue: status) else {
                    throw ValidationError("--status must be one of \(MessageState.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = parsed
            }
            guard (1...500).contains(limit) else { throw ValidationError("--limit must be from 1 to 500") }
            let store = try await location.open()
            defer { Task { try? await store.close() } }
            let page = try await Queue.run { try await store.list(status: state, limit: limit, cursor: cursor) }
            location.output(.object(["emails": .array(page.messages.map(OutboxJSON.json)), "nextCursor": page.nextCursor.map { .string($0) } ?? .null])) {
                (page.messages.map(Queue.line) + (page.nextCursor.map { ["more: --cursor \($0)"] } ?? [])).joined(separator: "\n")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One email with every attempt.")
        @OptionGroup var location: Location
        @Argument(help: "The email id (from the HTTP answer or `mailer queue list`).") var id: String

        func run() async throws {
            let store = try await location.open()
            defer { Task { try? await store.close() } }
            guard let stored = try await Queue.run({ try await store.message(id) }) else { throw CLIError("no email with id \(id) in the outbox") }
            location.output(OutboxJSON.json(stored)) {
                ([Queue.line(stored.record), "message-id: <\(stored.record.messageID)>"] + stored.attempts.map { attempt in
                    "  attempt \(attempt.number) \(attempt.outcome.rawValue) \(attempt.finishedAt.formatted(.iso8601))"
                        + (attempt.errorCode.map { " \($0)" } ?? "")
                        + (attempt.reply.map { " \($0.code) \($0.text)" } ?? "")
                        + (attempt.hint.map { "\n    hint: \($0)" } ?? "")
                }).joined(separator: "\n")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a deferred or failed email due now.")
        @OptionGroup var location: Location
        @Argument var id: String

        func run() async throws {
            let store = try await location.open()
            defer { Task { try? await store.close() } }
            let record = try await Queue.run { try await store.retry(id) }
            location.output(OutboxJSON.json(record)) { Queue.line(record) }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel an email that has not been sent.")
        @OptionGroup var location: Location
        @Argument var id: String

        func run() async throws {
            let store = try await location.open()
            defer { Task { try? await store.close() } }
            let record = try await Queue.run { try await store.cancel(id) }
            location.output(OutboxJSON.json(record)) { Queue.line(record) }
        }
    }

    struct Flush: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make every deferred email due now (after an outage is fixed).")
        @OptionGroup var location: Location

        func run() async throws {
            let store = try await location.open()
            defer { Task { try? await store.close() } }
            let count = try await Queue.run { try await store.flush() }
            location.output(.object(["flushed": .int(count)])) { "\(count) deferred email\(count == 1 ? "" : "s") due now" }
        }
    }

    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Counts per status, the oldest waiting email, today's sent and failed.")
        @OptionGroup var location: Location

        func run() async throws {
            let store = try await location.open()
            defer { Task { try? await store.close() } }
            let stats = try await Queue.run { try await store.stats() }
            location.output(OutboxJSON.json(stats)) {
                var lines = MessageState.allCases.map { "\($0.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0)) \(stats.counts[$0] ?? 0)" }
                lines.append("oldest waiting: " + (stats.oldestPendingAge.map { "\($0.components.seconds) s" } ?? "none"))
                lines.append("today: \(stats.sentToday) sent, \(stats.failedToday) failed"
                    + (stats.failedTodayByCode.isEmpty ? "" : " (" + stats.failedTodayByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + ")"))
                return lines.joined(separator: "\n")
            }
        }
    }
}
