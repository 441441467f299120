import Foundation
import SQLiteNIO
import Synchronization

/// One SQLite connection on a thread of its own, running one transaction at a time.
///
/// The thread is not the shared NIO pool on purpose: several stores on one file (tests, or a
/// second process's worth of connections) block in SQLite's busy wait, and on a shared pool of two
/// threads two waiters would starve the very transaction they wait for.
final class OutboxDatabase: Sendable {
    let path: String
    private let connection: SQLiteConnection
    private let threadPool: NIOThreadPool
    private let gate = SerialGate()
    private let commits = Atomic<Int>(0)

    /// Write transactions committed so far on this connection.
    var committedWrites: Int { commits.load(ordering: .relaxed) }

    private init(path: String, connection: SQLiteConnection, threadPool: NIOThreadPool) {
        self.path = path
        self.connection = connection
        self.threadPool = threadPool
    }

    static func open(path: String) async throws -> OutboxDatabase {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        do {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path),
                threadPool: threadPool,
                on: MultiThreadedEventLoopGroup.singleton.any()
            )
            return OutboxDatabase(path: path, connection: connection, threadPool: threadPool)
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    func close() async throws {
        try await gate.run {
            try await connection.close()
        }
        try await threadPool.shutdownGracefully()
    }

    /// Statements outside a transaction (PRAGMAs that refuse to run inside one).
    func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        do {
            return try await gate.run {
                try await connection.query(sql, binds)
            }
        } catch let error as SQLiteError {
            let failure = SQLiteFailure(error)
            throw OutboxError.storage(path: path, operation: sql, reason: failure.reason, hint: failure.hint)
        }
    }

    /// Runs `body` in a write transaction; everything it did is undone if it throws.
    ///
    /// BEGIN IMMEDIATE takes the write lock before the first read, so two connections that both
    /// read-then-update (claims, idempotency checks) queue behind each other instead of both reading
    /// the same rows.
    func write<T>(_ operation: String, _ body: (Statements) async throws -> T) async throws -> T {
        try await transaction(operation, begin: "BEGIN IMMEDIATE", body)
    }

    /// Runs `body` on all `jobs` in one write transaction (a group commit); if that transaction
    /// fails because of one job (a broken constraint, a row in the wrong state), runs it on each job
    /// in a transaction of its own, so that job fails alone instead of taking its neighbours down.
    /// A failure of the file itself (disk full, I/O error, lock held past the busy timeout) would
    /// only repeat for every job, each after its own wait, so all jobs get it at once.
    /// `body` answers one result per job, in order.
    func writeBatch<Job, Output>(
        _ operation: String, _ jobs: [Job],
        _ body: ([Job], Statements) async throws -> [Result<Output, any Error>]
    ) async -> [Result<Output, any Error>] {
        do {
            return try await rawTransaction(begin: "BEGIN IMMEDIATE") { sql in try await body(jobs, sql) }
        } catch {
            let failure = storageError(error, operation: operation)
            if jobs.count == 1 || SQLiteFailure.affectsEveryStatement(error) {
                return jobs.map { _ in .failure(failure) }
            }
        }
        var results: [Result<Output, any Error>] = []
        for job in jobs {
            do {
                results.append(try await write(operation) { sql in try await body([job], sql) }[0])
            } catch {
                results.append(.failure(error))
            }
        }
        return results
    }

    /// Runs `body` in a read transaction, so its statements see one consistent snapshot.
    func read<T>(_ operation: String, _ body: (Statements) async throws -> T) async throws -> T {
        try await transaction(operation, begin: "BEGIN DEFERRED", body)
    }

    private func transaction<T>(_ operation: String, begin: String, _ body: (Statements) async throws -> T) async throws -> T {
        do {
            return try await rawTransaction(begin: begin, body)
        } catch {
            throw storageError(error, operation: operation)
        }
    }

    /// A transaction whose SQLite errors are thrown as they are, for callers that tell them apart.
    private func rawTransaction<T>(begin: String, _ body: (Statements) async throws -> T) async throws -> T {
        try await gate.run {
            _ = try await connection.query(begin, [])
            do {
                let result = try await body(Statements(connection: connection))
                _ = try await connection.query("COMMIT", [])
                if begin == "BEGIN IMMEDIATE" { commits.add(1, ordering: .relaxed) }
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", [])
                throw error
            }
        }
    }

    /// SQLite's errors in words with the likely fix; the outbox's own errors unchanged.
    private func storageError(_ error: any Error, operation: String) -> any Error {
        guard let error = error as? SQLiteError else { return error }
        let failure = SQLiteFailure(error)
        return OutboxError.storage(path: path, operation: operation, reason: failure.reason, hint: failure.hint)
    }

    /// What a transaction body may run.
    struct Statements {
        fileprivate let connection: SQLiteConnection

        @discardableResult
        func run(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
            try await connection.query(sql, binds)
        }
    }
}
