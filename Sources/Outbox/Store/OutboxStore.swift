import Foundation
import Synchronization

/// Durable storage and scheduling state of outgoing emails, in one SQLite file.
///
/// Every method is one transaction: when it returns, what it did is committed, and when it throws,
/// nothing of it happened. An enqueue, an operator's change and the probe are on disk when they
/// return (WAL with `synchronous=FULL` survives a power cut). Claims and attempt records survive the
/// process dying but wait for the next fsync to survive a power cut (`CommitDurability`): losing
/// one only sends an email again, never loses it, and delivery does not pay an fsync per batch.
/// Enqueues and attempt records that arrive together share a transaction (group commit), which
/// keeps that promise for each caller while paying one commit per batch.
/// Several stores may open the same file, in one process or several; claims stay exclusive.
public final class OutboxStore: Sendable {
    /// Where the file lives unless MAILER_DATA_DIR says otherwise.
    public static let defaultPath = "./data/outbox.sqlite3"

    public let path: String
    public let configuration: OutboxConfiguration
    let database: OutboxDatabase
    /// Accepted emails waiting for the next commit, many HTTP requests to one fsync.
    let enqueues: GroupCommit<EnqueueJob, EnqueueResult>
    /// Finished attempts waiting for the next commit, many deliveries to one fsync.
    let outcomes: GroupCommit<OutcomeJob, MessageRecord?>
    /// The `data_version` the last `changedElsewhere()` saw.
    let seenDataVersion = Mutex<Int64?>(nil)

    /// Jobs per group commit at most: bounds a statement's parameters (SQLite allows 32 766; a
    /// row takes at most 13) and how long one transaction holds the writer.
    static let maximumBatch = 256

    private init(path: String, configuration: OutboxConfiguration, database: OutboxDatabase) {
        self.path = path
        self.configuration = configuration
        self.database = database
        let keyLifetime = configuration.idempotencyKeyLifetime
        enqueues = GroupCommit(maximumBatch: Self.maximumBatch) { jobs in
            await Self.commitEnqueues(jobs, database: database, keyLifetime: keyLifetime)
        }
        outcomes = GroupCommit(maximumBatch: Self.maximumBatch) { jobs in
            await Self.commitOutcomes(jobs, database: database)
        }
    }

    /// Opens (creating when missing) the database at `path`, its folder included, and brings its
    /// schema up to date.
    ///
    /// Throws `OutboxError.cannotOpen` naming the path and the likely fix when the folder or file is
    /// not writable, the disk is full, or the file is not an outbox database.
    public static func open(path: String = defaultPath, configuration: OutboxConfiguration = .init()) async throws -> OutboxStore {
        try checkWritable(path: path)
        let database: OutboxDatabase
        do {
            database = try await OutboxDatabase.open(path: path)
        } catch {
            let failure = SQLiteFailure(error)
            throw OutboxError.cannotOpen(path: path, reason: failure.reason, hint: failure.hint)
        }
        do {
            try await prepare(database, configuration: configuration)
        } catch {
            try? await database.close()
            if case OutboxError.storage(_, _, let reason, let hint)? = error as? OutboxError {
                throw OutboxError.cannotOpen(path: path, reason: reason, hint: hint)
            }
            if error is OutboxError { throw error }
            let failure = SQLiteFailure(error)
            throw OutboxError.cannotOpen(path: path, reason: failure.reason, hint: failure.hint)
        }
        return OutboxStore(path: path, configuration: configuration, database: database)
    }

    /// Closes the connection. Emails claimed and not recorded stay `sending` until the next
    /// `recoverInterrupted()`.
    public func close() async throws {
        try await database.close()
    }

    /// Write transactions this store has committed (each one fsync): with group commit, far fewer
    /// than the emails stored and attempts recorded under load.
    public var committedWrites: Int { database.committedWrites }

    /// The settings SQLite reports for this connection, to check (and show) that they took.
    public func storageSettings() async throws -> StorageSettings {
        func value(_ pragma: String) async throws -> SQLValue? {
            try await database.execute("PRAGMA \(pragma)").first?.values.first
        }
        return StorageSettings(
            journalMode: try await value("journal_mode")?.string ?? "",
            synchronous: Int(try await value("synchronous")?.integer ?? -1),
            busyTimeoutMilliseconds: Int(try await value("busy_timeout")?.integer ?? -1),
            foreignKeys: try await value("foreign_keys")?.integer == 1,
            schemaVersion: Int(try await value("user_version")?.integer ?? -1)
        )
    }

    private static let notWritableHint = "Mount the data volume read-write and give it to the mailer's user (uid 10001 in the image), or set MAILER_DATA_DIR to a writable folder."

    /// SQLite opens a write-protected file read-only without a word, and WAL needs to create two
    /// files beside the database; finding out at the first enqueue would be too late.
    private static func checkWritable(path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let files = FileManager.default
        do {
            try files.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw OutboxError.cannotOpen(
                path: path, reason: "cannot create the folder \(folder) (\(error.localizedDescription))", hint: notWritableHint)
        }
        if !files.isWritableFile(atPath: folder) {
            throw OutboxError.cannotOpen(path: path, reason: "the folder \(folder) is not writable", hint: notWritableHint)
        }
        if files.fileExists(atPath: path) && !files.isWritableFile(atPath: path) {
            throw OutboxError.cannotOpen(path: path, reason: "the file is not writable", hint: notWritableHint)
        }
    }

    private static func prepare(_ database: OutboxDatabase, configuration: OutboxConfiguration) async throws {
        // Without it a locked database fails at once; a busy wait rides out another writer's commit.
        _ = try await database.execute("PRAGMA busy_timeout = \(max(0, configuration.busyTimeout.wholeMilliseconds))")
        // WAL: readers never block the writer, and a commit is one append to the log.
        let mode = try await database.execute("PRAGMA journal_mode = WAL").first?.values.first?.string
        guard mode?.lowercased() == "wal" else {
            throw OutboxError.cannotOpen(
                path: database.path,
                reason: "the filesystem refused write-ahead logging (journal mode stayed \(mode ?? "unknown"))",
                hint: "Put the data folder on a local disk; network filesystems often lack the shared memory WAL needs.")
        }
        // An accepted email must survive a power cut, so every commit waits for the disk.
        _ = try await database.execute("PRAGMA synchronous = FULL")
        _ = try await database.execute("PRAGMA foreign_keys = ON")
        // 16 MiB of pages (the default is 2): the indexes' hot pages stay in memory under load.
        _ = try await database.execute("PRAGMA cache_size = -16384")
        try await database.write("migrate the schema") { sql in
            try Schema.migrate(sql, path: database.path)
        }
    }
}
