import Foundation
import Outbox
import OutboxPostgres
import PostgresTestSupport
import PostgresNIO
import SQLiteNIO
import Testing

/// A fresh folder under the system's temporary directory; the database goes in a subfolder that
/// does not exist yet, so every test also exercises its creation.
func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("outbox-tests-\(UUID().uuidString)")
        .appendingPathComponent("data")
        .appendingPathComponent("outbox.sqlite3").path
}

/// Which implementation of `OutboxStorage` a test runs against.
enum StorageKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    /// What the behavioural tests run against: SQLite always; PostgreSQL when its binaries are
    /// installed, and always in CI, where missing binaries fail those cases instead of skipping them.
    static let testable: [StorageKind] = PostgresTestServer.enabled ? [.sqlite, .postgres] : [.sqlite]

    var testDescription: String { rawValue }

    /// A new, empty outbox of this kind: a file that does not exist yet, or a database of its own.
    func makeLocation() async throws -> StorageLocation {
        switch self {
        case .sqlite: .sqlite(path: temporaryDatabasePath())
        case .postgres: .postgres(try await PostgresTestServer.shared.makeDatabase())
        }
    }
}

/// Where one test's outbox lives; several stores may open it, as several processes (or
/// replicas) would.
enum StorageLocation: Sendable {
    case sqlite(path: String)
    case postgres(PostgresURL)

    func open(configuration: OutboxConfiguration = .init(), leaseDuration: Duration = PostgresOutboxStore.defaultLeaseDuration) async throws -> any OutboxStorage {
        switch self {
        case .sqlite(let path):
            try await OutboxStore.open(path: path, configuration: configuration)
        case .postgres(let url):
            try await PostgresOutboxStore.open(url: url, configuration: configuration, leaseDuration: leaseDuration, logger: PostgresTestServer.quiet)
        }
    }

    /// Rows in `table`, counted through a connection of the test's own.
    func count(_ table: String) async throws -> Int {
        switch self {
        case .sqlite(let path):
            try await OutboxTests.count(table, path: path)
        case .postgres(let url):
            try await PostgresTestServer.shared.withConnection(to: url) { connection in
                let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT COUNT(*) AS n FROM \(table)"), logger: PostgresTestServer.quiet).collect()
                return Int(try rows.first?.decode(Int64.self) ?? -1)
            }
        }
    }
}

/// Opens a store of `kind` on a new outbox, runs `body`, and closes the store whatever happens.
func withStore<T>(
    _ kind: StorageKind,
    configuration: OutboxConfiguration = .init(),
    _ body: (any OutboxStorage) async throws -> T
) async throws -> T {
    try await withStore(at: try await kind.makeLocation(), configuration: configuration, body)
}

/// Opens a store on `location`, runs `body`, and closes the store whatever happens.
func withStore<T>(
    at location: StorageLocation,
    configuration: OutboxConfiguration = .init(),
    leaseDuration: Duration = PostgresOutboxStore.defaultLeaseDuration,
    _ body: (any OutboxStorage) async throws -> T
) async throws -> T {
    try await closing(try await location.open(configuration: configuration, leaseDuration: leaseDuration), close: { try await $0.close() }, body)
}

/// Opens a store on a new file, runs `body`, and closes the store whatever happens.
func withStore<T>(
    path: String = temporaryDatabasePath(),
    configuration: OutboxConfiguration = .init(),
    _ body: (OutboxStore) async throws -> T
) async throws -> T {
    try await closing(try await OutboxStore.open(path: path, configuration: configuration), close: { try await $0.close() }, body)
}

/// A second, independent connection to the file, to check what really is on disk.
func withRawConnection<T>(path: String, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
    try await closing(try await SQLiteConnection.open(storage: .file(path: path)), close: { try await $0.close() }, body)
}

/// Runs `body` with `resource`, then closes it whatever happens; a failed body's error is the one
/// thrown, not the close's.
func closing<Resource, T>(
    _ resource: Resource,
    close: (Resource) async throws -> Void,
    _ body: (Resource) async throws -> T
) async throws -> T {
    do {
        let result = try await body(resource)
        try await close(resource)
        return result
    } catch {
        try? await close(resource)
        throw error
    }
}

func count(_ table: String, path: String) async throws -> Int {
    try await withRawConnection(path: path) { connection in
        Int(try await connection.query("SELECT COUNT(*) AS n FROM \(table)").first?.column("n")?.integer ?? -1)
    }
}

/// A small but realistic message; `content` defaults to a short CRLF email.
func sampleMessage(
    id: String = UUID().uuidString.lowercased(),
    recipients: [String] = ["ada@example.com"],
    content: [UInt8]? = nil
) -> OutgoingMessage {
    OutgoingMessage(
        id: id,
        template: "verification",
        locale: "en",
        sender: "noreply@example.com",
        recipients: recipients,
        content: content ?? Array("From: noreply@example.com\r\nTo: ada@example.com\r\nSubject: Code\r\n\r\n493817\r\n".utf8),
        messageID: "<\(id)@mailer.example.com>"
    )
}

/// Whole seconds, so times survive the millisecond storage exactly.
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

extension EnqueueResult {
    var record: MessageRecord? {
        if case .queued(let record) = self { return record }
        return nil
    }
}

/// Enqueues `message` and returns its record, failing the test's expectations loudly otherwise.
@discardableResult
func enqueued(_ store: any OutboxStorage, _ message: OutgoingMessage = sampleMessage(), now: Date = t0) async throws -> MessageRecord {
    let result = try await store.enqueue(message, now: now)
    guard let record = result.record else { throw TestFailure("expected a new email, got \(result)") }
    return record
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The defaults the tests lean on, for any storage: the protocol's requirements take every
/// argument, and its own conveniences use the current time.
extension OutboxStorage {
    func enqueue(_ message: OutgoingMessage, now: Date) async throws -> EnqueueResult {
        try await enqueue(message, idempotencyKey: nil, now: now)
    }

    @discardableResult
    func recordSent(_ id: String, reply: ServerReply, provider: ProviderName = .primary, now: Date) async throws -> MessageRecord {
        try await recordSent(id, reply: reply, provider: provider, startedAt: nil, now: now)
    }

    @discardableResult
    func recordSent(_ id: String, reply: ServerReply, startedAt: Date, now: Date) async throws -> MessageRecord {
        try await recordSent(id, reply: reply, provider: .primary, startedAt: startedAt, now: now)
    }

    @discardableResult
    func recordDeferred(_ id: String, error: DeliveryError, nextAttemptAt: Date, provider: ProviderName = .primary, now: Date) async throws -> MessageRecord {
        try await recordDeferred(id, error: error, nextAttemptAt: nextAttemptAt, provider: provider, startedAt: nil, now: now)
    }

    @discardableResult
    func recordFailed(_ id: String, error: DeliveryError, provider: ProviderName = .primary, now: Date) async throws -> MessageRecord {
        try await recordFailed(id, error: error, provider: provider, startedAt: nil, now: now)
    }

    func recordFailedOnly(_ id: String, error: DeliveryError, now: Date) async throws {
        try await recordFailedOnly(id, error: error, provider: .primary, startedAt: nil, now: now)
    }

    func list(limit: Int = 50, cursor: String?) async throws -> MessagePage {
        try await list(status: nil, limit: limit, cursor: cursor)
    }
}
