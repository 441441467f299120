import Foundation
@testable import Outbox
import SQLiteNIO
import Testing

@Suite struct StoreOpeningTests {
    @Test func createsTheFolderAndSetsDurabilitySettings() async throws {
        let path = temporaryDatabasePath()
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        #expect(!FileManager.default.fileExists(atPath: folder))

        let settings = try await withStore(path: path, configuration: .init(busyTimeout: .milliseconds(2500))) { store in
            try await store.storageSettings()
        }
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2)
        #expect(settings.busyTimeoutMilliseconds == 2500)
        #expect(settings.foreignKeys)
        #expect(settings.schemaVersion == Schema.currentVersion)
        #expect(FileManager.default.fileExists(atPath: path))

        // WAL mode and the schema version belong to the file: a connection of our own sees them.
        try await withRawConnection(path: path) { connection in
            let journalMode = try await connection.query("PRAGMA journal_mode").first?.column("journal_mode")
            let version = try await connection.query("PRAGMA user_version").first?.column("user_version")
            #expect(journalMode?.string == "wal")
            #expect(version?.integer == Schema.currentVersion)
        }
    }

    @Test func anUncreatableFolderIsReportedWithThePathAndTheFix() async throws {
        // A regular file where the data folder should be: not even root can create the folder.
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("outbox-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let blocker = root.appendingPathComponent("data")
        try Data("not a folder".utf8).write(to: blocker)
        let path = blocker.appendingPathComponent("outbox.sqlite3").path

        let error = await #expect(throws: OutboxError.self) { try await OutboxStore.open(path: path) }
        guard case .cannotOpen(let reportedPath, _, let hint) = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(hint.contains("MAILER_DATA_DIR"))
        #expect(error?.description.contains(path) == true)
    }

    @Test func aFileThatIsNotADatabaseIsReportedWithThePathAndTheFix() async throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try Data(repeating: UInt8(ascii: "x"), count: 8192).write(to: URL(fileURLWithPath: path))

        let error = await #expect(throws: OutboxError.self) { try await OutboxStore.open(path: path) }
        guard case .cannotOpen(let reportedPath, _, let hint) = error else {
            Issue.record("expected cannotOpen, got \(String(describing: error))")
            return
        }
        #expect(reportedPath == path)
        #expect(hint.contains("not an SQLite database"))
    }

    @Test func aSchemaFromANewerBuildIsRefused() async throws {
        let path = temporaryDatabasePath()
        try await withStore(path: path) { _ in }
        try await withRawConnection(path: path) { connection in
            _ = try await connection.query("PRAGMA user_version = 99")
        }
        await #expect(throws: OutboxError.schemaTooNew(path: path, found: 99, supported: Schema.currentVersion)) {
            try await OutboxStore.open(path: path)
        }
    }

    @Test func reopeningKeepsEmailsAndDoesNotMigrateAgain() async throws {
        let path = temporaryDatabasePath()
        let record = try await withStore(path: path) { store in try await enqueued(store) }
        let stored = try await withStore(path: path) { store in try await store.message(record.id) }
        #expect(stored?.record == record)
    }

    @Test func theDefaultLocationIsTheDataFolder() {
        #expect(OutboxStore.defaultPath == "./data/outbox.sqlite3")
    }

    /// A file written before request ids were stored: its emails stay readable and sendable, and
    /// new emails keep their request id.
    @Test func aVersion1OutboxIsMigratedWithItsEmails() async throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try await withRawConnection(path: path) { connection in
            for statement in Schema.migrations[0] { _ = try await connection.query(statement) }
            _ = try await connection.query("""
                INSERT INTO messages (id, created_at, template, locale, sender, recipients, message_id, size, state, next_attempt_at, updated_at)
                VALUES ('old-1', 1700000000000, 'verification', 'en', 'a@example.com', '["b@example.com"]', '<old-1@example.com>', 3, 'queued', 1700000000000, 1700000000000)
                """)
            _ = try await connection.query("INSERT INTO message_bodies (message, content) VALUES ('old-1', x'616263')")
            _ = try await connection.query("PRAGMA user_version = 1")
        }
        try await withStore(path: path) { store in
            #expect(try await store.storageSettings().schemaVersion == Schema.currentVersion)
            let old = try #require(try await store.message("old-1"))
            #expect(old.record.state == .queued && old.record.requestID == nil)
            var message = sampleMessage()
            message.requestID = "req-42"
            let queued = try #require(try await store.enqueue(message).record)
            #expect(queued.requestID == "req-42")
            #expect(try await store.message(message.id)?.record.requestID == "req-42")
            #expect(try await store.claimDue(limit: 10).map(\.id).sorted() == ["old-1", message.id].sorted())
        }
    }

    /// Retention finds finished emails through an index that holds only them, so that waiting and
    /// sending emails, the hot rows, keep no entry by their last change (schema version 3).
    @Test func retentionReadsAnIndexOfFinishedEmailsOnly() async throws {
        let path = temporaryDatabasePath()
        try await withStore(path: path) { _ in }
        try await withRawConnection(path: path) { connection in
            let plan = try await connection.query("EXPLAIN QUERY PLAN " + OutboxStore.pruneFinishedStatement, [.integer(5)])
            let details = plan.compactMap { $0.column("detail")?.string }
            #expect(details.contains { $0.contains("USING INDEX messages_finished") }, "\(details)")
            let indexes = try await connection.query("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'")
            let names = indexes.compactMap { $0.column("name")?.string }
            #expect(names.contains("messages_finished") && !names.contains("messages_updated_at"), "\(names)")
        }
    }
}
