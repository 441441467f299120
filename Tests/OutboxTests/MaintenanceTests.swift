import Foundation
import Outbox
import Testing

@Suite struct MaintenanceTests {
    let timeout = DeliveryError(code: "ETIMEDOUT")
    let rejected = DeliveryError(code: "ESMTPREJECTED", reply: ServerReply(code: 550, text: "No such user"))

    @Test(arguments: StorageKind.testable) func pruneDeletesOldFinishedEmailsWithTheirBodiesAttemptsAndKeys(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        try await withStore(at: location) { store in
            for id in ["sent", "failed", "cancelled", "deferred", "sending", "queued"] {
                _ = try await store.enqueue(
                    sampleMessage(id: id), idempotencyKey: IdempotencyKey("key-\(id)", answer: []), now: t0)
            }
            #expect(try await store.claimDue(now: t0, limit: 2).map(\.id) == ["sent", "failed"])
            try await store.recordSent("sent", reply: ServerReply(code: 250, text: "Ok"), now: t0 + 10)
            try await store.recordFailed("failed", error: rejected, now: t0 + 20)
            try await store.cancel("cancelled", now: t0 + 30)
            #expect(try await store.claimDue(now: t0, limit: 2).map(\.id) == ["deferred", "sending"])
            try await store.recordDeferred("deferred", error: timeout, nextAttemptAt: t0 + 60, now: t0 + 20)

            #expect(try await store.prune(olderThan: t0 + 25) == 2)
            #expect(try await store.message("sent") == nil)
            #expect(try await store.message("failed") == nil)
            for id in ["cancelled", "queued", "deferred", "sending"] {
                #expect(try await store.message(id) != nil, "\(id) should stay")
            }
            #expect(try await store.prune(olderThan: t0 + 25) == 0)
        }
        #expect(try await location.count("messages") == 4)
        #expect(try await location.count("message_bodies") == 4)
        #expect(try await location.count("attempts") == 1)
        #expect(try await location.count("idempotency_keys") == 4)
    }

    @Test(arguments: StorageKind.testable) func statsCountStatesTheOldestWaitAndTodaysOutcomes(_ kind: StorageKind) async throws {
        // t0 is 08:00 UTC; nine hours earlier is yesterday.
        let yesterday = t0 - 9 * 3600
        try await withStore(kind) { store in
            let empty = try await store.stats(now: t0)
            #expect(empty.counts == Dictionary(uniqueKeysWithValues: MessageState.allCases.map { ($0, 0) }))
            #expect(empty.oldestPendingAge == nil)
            #expect(empty.sentToday == 0)
            #expect(empty.failedTodayByCode.isEmpty)

            for id in ["old-sent", "old-failed"] { try await enqueued(store, sampleMessage(id: id), now: yesterday) }
            _ = try await store.claimDue(now: yesterday, limit: 2)
            try await store.recordSent("old-sent", reply: ServerReply(code: 250, text: "Ok"), now: yesterday + 1)
            try await store.recordFailed("old-failed", error: rejected, now: yesterday + 1)

            for id in ["s1", "s2", "f1", "f2", "f3", "d"] { try await enqueued(store, sampleMessage(id: id), now: t0) }
            _ = try await store.claimDue(now: t0, limit: 6)
            try await store.recordSent("s1", reply: ServerReply(code: 250, text: "Ok"), now: t0 + 1)
            try await store.recordSent("s2", reply: ServerReply(code: 250, text: "Ok"), now: t0 + 1)
            try await store.recordFailed("f1", error: rejected, now: t0 + 1)
            try await store.recordFailed("f2", error: rejected, now: t0 + 1)
            try await store.recordFailed("f3", error: timeout, now: t0 + 1)
            try await store.recordDeferred("d", error: timeout, nextAttemptAt: t0 + 60, now: t0 + 1)
            try await enqueued(store, sampleMessage(id: "q"), now: t0 + 100)

            let stats = try await store.stats(now: t0 + 130)
            // Counts per state include yesterday's emails; only the "today" figures leave them out.
            #expect(stats.counts == [.queued: 1, .sending: 0, .deferred: 1, .sent: 3, .failed: 4, .cancelled: 0])
            // The deferred email has waited since t0.
            #expect(stats.oldestPendingAge == .seconds(130))
            #expect(stats.sentToday == 2)
            #expect(stats.failedTodayByCode == ["ESMTPREJECTED": 2, "ETIMEDOUT": 1])
            #expect(stats.failedToday == 3)
        }
    }

    @Test(arguments: StorageKind.testable) func expiredIdempotencyKeysArePrunedAndTheirEmailsStay(_ kind: StorageKind) async throws {
        try await withStore(kind, configuration: OutboxConfiguration(idempotencyKeyLifetime: .seconds(60))) { store in
            _ = try await store.enqueue(sampleMessage(id: "a"), idempotencyKey: IdempotencyKey("k1", answer: []), now: t0)
            _ = try await store.enqueue(sampleMessage(id: "b"), idempotencyKey: IdempotencyKey("k2", answer: []), now: t0 + 30)
            #expect(try await store.pruneIdempotencyKeys(now: t0 + 59) == 0)
            #expect(try await store.pruneIdempotencyKeys(now: t0 + 60) == 1)
            #expect(try await store.message("a") != nil)
            // k1 is gone, so it queues a new email; k2 still answers its first one.
            #expect(try await store.enqueue(sampleMessage(id: "c"), idempotencyKey: IdempotencyKey("k1", answer: []), now: t0 + 61).record?.id == "c")
            #expect(try await store.enqueue(sampleMessage(id: "d"), idempotencyKey: IdempotencyKey("k2", answer: []), now: t0 + 61) == .duplicate(id: "b", answer: []))
        }
    }

    @Test(arguments: StorageKind.testable) func nextDueDateIsTheEarliestWaitingEmail(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            #expect(try await store.nextDueDate() == nil)
            try await enqueued(store, sampleMessage(id: "a"), now: t0)
            #expect(try await store.nextDueDate() == t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            #expect(try await store.nextDueDate() == nil)
            try await store.recordDeferred("a", error: timeout, nextAttemptAt: t0 + 300, now: t0 + 1)
            try await enqueued(store, sampleMessage(id: "b"), now: t0 + 10)
            #expect(try await store.nextDueDate() == t0 + 10)
            try await store.cancel("b", now: t0 + 11)
            #expect(try await store.nextDueDate() == t0 + 300)
        }
    }
}
