import NIOPosix
import Synchronization

/// One SQLite connection on a thread of its own, running one transaction at a time, each as one
/// call on that thread: a transaction costs one hand-off however many statements it runs.
///
/// The thread is not the shared NIO pool on purpose: several stores on one file (tests, or a
/// second process's worth of connections) block in SQLite's busy wait, and on a shared pool of two
/// threads two waiters would starve the very transaction they wait for. A single thread also
/// orders the transactions: a second caller's BEGIN can never land inside the first's.
final class OutboxDatabase: Sendable {
    let path: String
    private let connection: SQLiteHandle
    private let thread: NIOThreadPool
    private let commits = Atomic<Int>(0)

    /// Write transactions committed so far on this connection.
    var committedWrites: Int { commits.load(ordering: .relaxed) }

    private init(path: String, connection: SQLiteHandle, thread: NIOThreadPool) {
        self.path = path
        self.connection = connection
        self.thread = thread
    }

    static func open(path: String) async throws -> OutboxDatabase {
        let thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
        do {
            let connection = try await thread.runIfActive { try SQLiteHandle(path: path) }
            return OutboxDatabase(path: path, connection: connection, thread: thread)
        } catch {
            try? await thread.shutdownGracefully()
            throw error
        }
    }

    func close() async throws {
        let connection = connection
        try await thread.runIfActive { connection.close() }
        try await thread.shutdownGracefully()
    }

    /// Statements outside a transaction (PRAGMAs that refuse to run inside one).
    func execute(_ sql: String, _ binds: [SQLValue] = []) async throws -> [SQLRow] {
        let connection = connection
        do {
            return try await thread.runIfActive {
                try connection.setCommitDurability(.disk)
                return try connection.run(sql, binds)
            }
        } catch let error as SQLiteResultError {
            let failure = SQLiteFailure(error)
            throw OutboxError.storage(path: path, operation: sql, reason: failure.reason, hint: failure.hint)
        }
    }

    /// `PRAGMA data_version`: it changes when another connection commits to the file, never for
    /// this connection's own commits, and is read from the shared memory without a transaction.
    func dataVersion() async throws -> Int64 {
        let connection = connection
        do {
            return try await thread.runIfActive {
                try connection.run("PRAGMA data_version").first?.values.first?.integer ?? 0
            }
        } catch {
            throw Self.storageError(error, path: path, operation: "PRAGMA data_version")
        }
    }

    /// Runs `body` in a write transaction; everything it did is undone if it throws.
    ///
    /// BEGIN IMMEDIATE takes the write lock before the first read, so two connections that both
    /// read-then-update (claims, idempotency checks) queue behind each other instead of both reading
    /// the same rows.
    func write<T: Sendable>(
        _ operation: String, durability: CommitDurability = .disk, _ body: @escaping @Sendable (Statements) throws -> T
    ) async throws -> T {
        try await transaction(operation, begin: "BEGIN IMMEDIATE", durability: durability, body)
    }

    /// Runs `body` on all `jobs` in one write transaction (a group commit); if that transaction
    /// fails because of one job (a broken constraint, a row in the wrong state), runs it on each job
    /// in a transaction of its own, so that job fails alone instead of taking its neighbours down.
    /// A failure of the file itself (disk full, I/O error, lock held past the busy timeout) would
    /// only repeat for every job, each after its own wait, so all jobs get it at once.
    /// `body` answers one result per job, in order.
    func writeBatch<Job: Sendable, Output: Sendable>(
        _ operation: String, _ jobs: [Job], durability: CommitDurability = .disk,
        _ body: @escaping @Sendable ([Job], Statements) throws -> [Result<Output, any Error>]
    ) async -> [Result<Output, any Error>] {
        let path = path
        do {
            return try await thread.runIfActive {
                do {
                    return try self.rawTransaction(begin: "BEGIN IMMEDIATE", durability: durability) { sql in try body(jobs, sql) }
                } catch {
                    let failure = Self.storageError(error, path: path, operation: operation)
                    if jobs.count == 1 || SQLiteFailure.affectsEveryStatement(error) {
                        return jobs.map { _ in .failure(failure) }
                    }
                }
                // Still on the database thread: the retries one by one cannot be overtaken either.
                return jobs.map { job in
                    do {
                        return try self.rawTransaction(begin: "BEGIN IMMEDIATE", durability: durability) { sql in
                            try body([job], sql)
                        }[0]
                    } catch {
                        return .failure(Self.storageError(error, path: path, operation: operation))
                    }
                }
            }
        } catch {
            return jobs.map { _ in .failure(Self.storageError(error, path: path, operation: operation)) }
        }
    }

    /// Runs `body` in a read transaction, so its statements see one consistent snapshot.
    func read<T: Sendable>(_ operation: String, _ body: @escaping @Sendable (Statements) throws -> T) async throws -> T {
        try await transaction(operation, begin: "BEGIN DEFERRED", durability: .disk, body)
    }

    private func transaction<T: Sendable>(
        _ operation: String, begin: String, durability: CommitDurability, _ body: @escaping @Sendable (Statements) throws -> T
    ) async throws -> T {
        do {
            return try await thread.runIfActive {
                try self.rawTransaction(begin: begin, durability: durability, body)
            }
        } catch {
            throw Self.storageError(error, path: path, operation: operation)
        }
    }

    /// A transaction on the database thread; SQLite's errors are thrown as they are, for callers
    /// that tell them apart.
    private func rawTransaction<T>(begin: String, durability: CommitDurability, _ body: (Statements) throws -> T) throws -> T {
        try connection.setCommitDurability(durability)
        try connection.run(begin)
        do {
            let result = try body(Statements(connection: connection))
            try connection.run("COMMIT")
            if begin == "BEGIN IMMEDIATE" { commits.add(1, ordering: .relaxed) }
            return result
        } catch {
            // A failed COMMIT may leave the transaction open (SQLITE_BUSY); a ROLLBACK after an
            // automatic rollback fails harmlessly.
            _ = try? connection.run("ROLLBACK")
            throw error
        }
    }

    /// SQLite's errors in words with the likely fix; the outbox's own errors unchanged.
    private static func storageError(_ error: any Error, path: String, operation: String) -> any Error {
        guard let error = error as? SQLiteResultError else { return error }
        let failure = SQLiteFailure(error)
        return OutboxError.storage(path: path, operation: operation, reason: failure.reason, hint: failure.hint)
    }

    /// What a transaction body may run; valid only inside that body, on the database thread.
    struct Statements {
        fileprivate let connection: SQLiteHandle

        @discardableResult
        func run(_ sql: String, _ binds: [SQLValue] = []) throws -> [SQLRow] {
            try connection.run(sql, binds)
        }
    }
}
