import Foundation
@testable import Outbox
import Testing

/// Claims and attempt records commit without an fsync; everything else, above all an enqueue,
/// still waits for the disk, whatever ran before it on the connection.
@Suite struct CommitDurabilityTests {
    private func synchronous(_ database: OutboxDatabase, _ durability: CommitDurability) async throws -> Int64? {
        try await database.write("read the setting", durability: durability) { sql in
            try sql.run("PRAGMA synchronous").first?.values.first?.integer
        }
    }

    @Test func eachTransactionRunsAtTheDurabilityItAsksFor() async throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let database = try await OutboxDatabase.open(path: path)
        #expect(try await synchronous(database, .disk) == 2)  // FULL
        #expect(try await synchronous(database, .operatingSystem) == 1)  // NORMAL
        #expect(try await synchronous(database, .disk) == 2)
        _ = try await synchronous(database, .operatingSystem)
        // Statements outside a transaction (the settings an operator is shown) see FULL too.
        #expect(try await database.execute("PRAGMA synchronous").first?.values.first?.integer == 2)
        let batch = await database.writeBatch("read the setting", [1, 2], durability: .disk) { jobs, sql in
            let level = try sql.run("PRAGMA synchronous").first?.values.first?.integer
            return jobs.map { _ in .success(level) }
        }
        #expect(try batch.map { try $0.get() } == [2, 2])
        try await database.close()
    }

    @Test func anEnqueueAfterClaimsAndOutcomesStillWaitsForTheDisk() async throws {
        try await withStore { store in
            let record = try await enqueued(store)
            _ = try await store.claimDue(now: t0, limit: 10)
            try await store.recordSent(record.id, reply: ServerReply(code: 250, enhancedCode: nil, text: "ok"))
            _ = try await enqueued(store)
            #expect(try await store.storageSettings().synchronous == 2)
            let level = try await store.database.write("read the setting") { sql in
                try sql.run("PRAGMA synchronous").first?.values.first?.integer
            }
            #expect(level == 2)
        }
    }
}
