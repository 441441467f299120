import Foundation
import Outbox
import SQLiteNIO
import Testing

/// What readiness and metrics ask the outbox: can it still store an email, and how much waits.
@Suite struct HealthTests {
    @Test func theWriteProbeCommitsAPageAndChangesNothing() async throws {
        let path = temporaryDatabasePath()
        try await withStore(path: path) { store in
            let version = try await store.storageSettings().schemaVersion
            let wal = path + "-wal"
            let walBefore = try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int ?? 0
            let commitsBefore = store.committedWrites
            try await store.probeWrite()
            #expect(store.committedWrites == commitsBefore + 1)
            let walAfter = try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int ?? 0
            #expect(walAfter > walBefore, "the probe reached the log on disk")
            #expect(try await store.storageSettings().schemaVersion == version)
        }
    }

    @Test(arguments: StorageKind.testable) func theWriteProbeFailsOnAClosedStore(_ kind: StorageKind) async throws {
        let store = try await kind.makeLocation().open()
        try await store.close()
        await #expect(throws: (any Error).self) { try await store.probeWrite() }
    }

    @Test func theWriteProbeFailsWhileAnotherProcessHoldsTheWriteLock() async throws {
        let path = temporaryDatabasePath()
        try await withStore(path: path, configuration: OutboxConfiguration(busyTimeout: .milliseconds(100))) { store in
            try await withRawConnection(path: path) { other in
                _ = try await other.query("BEGIN IMMEDIATE")
                do {
                    try await store.probeWrite()
                    Issue.record("the write lock is held elsewhere; the probe must fail")
                } catch let error as OutboxError {
                    #expect(error.description.contains("probe a write"))
                }
                _ = try await other.query("ROLLBACK")
            }
            try await store.probeWrite()
        }
    }

    @Test(arguments: StorageKind.testable) func queueDepthCountsOnlyWaitingStates(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.queueDepth() == [.queued: 0, .sending: 0, .deferred: 0])
            for id in ["a", "b", "c", "d"] { try await enqueued(store, sampleMessage(id: id)) }
            let claimed = try await store.claimDue(now: t0, limit: 3)
            try await store.recordSent(claimed[0].id, reply: ServerReply(code: 250, text: "Ok"), now: t0)
            try await store.recordDeferred(claimed[1].id, error: DeliveryError(code: "ETIMEDOUT"), nextAttemptAt: t0 + 60, now: t0)
            #expect(try await store.queueDepth() == [.queued: 1, .sending: 1, .deferred: 1])
        }
    }
}
