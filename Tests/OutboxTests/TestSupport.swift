import Foundation
import Outbox
import SQLiteNIO

/// A fresh folder under the system's temporary directory; the database goes in a subfolder that
/// does not exist yet, so every test also exercises its creation.
func temporaryDatabasePath() -> String {
    FileManager.default.temporaryDirectory
        .appendingPathComponent("outbox-tests-\(UUID().uuidString)")
        .appendingPathComponent("data")
        .appendingPathComponent("outbox.sqlite3").path
}

/// Opens a store on a new file, runs `body`, and closes the store whatever happens.
func withStore<T>(
    path: String = temporaryDatabasePath(),
    configuration: OutboxConfiguration = .init(),
    _ body: (OutboxStore) async throws -> T
) async throws -> T {
    let store = try await OutboxStore.open(path: path, configuration: configuration)
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// A second, independent connection to the file, to check what really is on disk.
func withRawConnection<T>(path: String, _ body: (SQLiteConnection) async throws -> T) async throws -> T {
    let connection = try await SQLiteConnection.open(storage: .file(path: path))
    do {
        let result = try await body(connection)
        try await connection.close()
        return result
    } catch {
        try? await connection.close()
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
func enqueued(_ store: OutboxStore, _ message: OutgoingMessage = sampleMessage(), now: Date = t0) async throws -> MessageRecord {
    let result = try await store.enqueue(message, now: now)
    guard let record = result.record else { throw TestFailure("expected a new email, got \(result)") }
    return record
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
