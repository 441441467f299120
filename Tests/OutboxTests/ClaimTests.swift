import Foundation
import Outbox
import OutboxPostgres
import Testing

@Suite struct ClaimTests {
    @Test(arguments: StorageKind.testable) func claimsOnlyDueEmailsEarliestFirstUpToTheLimit(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let a = try await enqueued(store, sampleMessage(id: "a"), now: t0)
            let b = try await enqueued(store, sampleMessage(id: "b"), now: t0 + 1)
            _ = try await enqueued(store, sampleMessage(id: "c"), now: t0 + 2)
            _ = try await enqueued(store, sampleMessage(id: "later"), now: t0 + 100)

            let first = try await store.claimDue(now: t0 + 10, limit: 2)
            #expect(first.map(\.id) == [a.id, b.id])
            #expect(first.allSatisfy { $0.record.state == .sending && $0.record.nextAttemptAt == nil })
            #expect(first.first?.attemptNumber == 1)

            #expect(try await store.claimDue(now: t0 + 10, limit: 10).map(\.id) == ["c"])
            #expect(try await store.claimDue(now: t0 + 10, limit: 10).isEmpty)
            #expect(try await store.claimDue(now: t0 + 100, limit: 10).map(\.id) == ["later"])
            await #expect(throws: OutboxError.self) { try await store.claimDue(now: t0, limit: 0) }
        }
    }

    @Test(arguments: StorageKind.testable) func aByteBudgetCutsTheBatchButTheFirstEmailAlwaysComes(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let kilobytes = { (count: Int) in [UInt8](repeating: UInt8(ascii: "a"), count: count * 1024) }
            for (index, size) in [3, 3, 3, 10, 1].enumerated() {
                try await enqueued(store, sampleMessage(id: "m\(index)", content: kilobytes(size)), now: t0 + Double(index))
            }
            // 3 + 3 = 6 KiB fit in 7; the third would make 9.
            #expect(try await store.claimDue(now: t0 + 10, limit: 10, maximumBytes: 7 * 1024).map(\.id) == ["m0", "m1"])
            // Larger than the budget alone: it comes all the same, or it would never be sent.
            #expect(try await store.claimDue(now: t0 + 10, limit: 10, maximumBytes: 1024).map(\.id) == ["m2"])
            #expect(try await store.claimDue(now: t0 + 10, limit: 10, maximumBytes: 1024).map(\.id) == ["m3"])
            let last = try await store.claimDue(now: t0 + 10, limit: 10, maximumBytes: 1 << 20)
            #expect(last.map(\.id) == ["m4"])
            #expect(last.first?.content == kilobytes(1))
        }
    }

    @Test(arguments: StorageKind.testable) func fourStoresClaimingFrom200EmailsGetEachExactlyOnce(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        try await withStore(at: location) { store in
            for index in 0..<200 { try await enqueued(store, sampleMessage(id: "m\(index)"), now: t0) }
        }
        var stores: [any OutboxStorage] = []
        for _ in 0..<4 { stores.append(try await location.open()) }
        let claimers = stores
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for store in claimers {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let batch = try await store.claimDue(now: t0 + 1, limit: 3)
                        if batch.isEmpty { return mine }
                        mine += batch.map(\.id)
                    }
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        for store in stores { try await store.close() }

        let all = claimed.flatMap { $0 }
        #expect(all.count == 200)
        #expect(Set(all) == Set((0..<200).map { "m\($0)" }))
        let sending = try await withStore(at: location) { store in try await store.list(status: .sending, limit: 1000) }
        #expect(sending.messages.count == 200)
    }

    @Test(arguments: StorageKind.testable) func concurrentTasksOnOneStoreGetEachEmailExactlyOnce(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            for index in 0..<200 { try await enqueued(store, sampleMessage(id: "m\(index)"), now: t0) }
            let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var mine: [String] = []
                        while true {
                            let batch = try await store.claimDue(now: t0 + 1, limit: 5)
                            if batch.isEmpty { return mine }
                            mine += batch.map(\.id)
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(claimed.count == 200)
            #expect(Set(claimed).count == 200)
        }
    }

    @Test(arguments: StorageKind.testable) func eachClaimedEmailOfABatchComesWithItsOwnBytesAndRecord(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            // Sent emails keep their bodies too: the claim must pick each email's own.
            let done = try await enqueued(store, sampleMessage(id: "done", content: Array("done".utf8)), now: t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            try await store.recordSent(done.id, reply: ServerReply(code: 250, enhancedCode: nil, text: "ok"), now: t0 + 1)
            let messages = (0..<5).map { index in
                sampleMessage(id: "m\(index)", recipients: ["r\(index)@example.org", "x@example.net"],
                              content: Array("Subject: \(index)\r\n\r\nbody \(index)\r\n".utf8))
            }
            for (index, message) in messages.enumerated() { try await enqueued(store, message, now: t0 + Double(index)) }

            let claimed = try await store.claimDue(now: t0 + 10, limit: 10)
            #expect(claimed.map(\.id) == messages.map(\.id))
            for (claim, message) in zip(claimed, messages) {
                #expect(claim.content == message.content)
                #expect(claim.record.recipients == message.recipients)
                #expect(claim.record.template == message.template)
                #expect(claim.record.state == .sending)
                #expect(claim.attemptNumber == 1)
            }
        }
    }

    @Test(arguments: StorageKind.testable) func anEmailClaimedWhenTheProcessDiedIsRecoveredAfterReopening(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        let message = sampleMessage(content: Array("Subject: survive\r\n\r\n".utf8) + [0, 0xFF])
        // SQLite: one process per file, so whatever is `sending` at start-up was interrupted.
        // PostgreSQL: the claimer may be another replica, alive; its claim is recovered only once
        // its lease has run out.
        func recoverable(claimedAt claim: Date) -> Date {
            kind == .sqlite ? claim + 1 : claim + Double(PostgresOutboxStore.defaultLeaseDuration.components.seconds)
        }
        // First run: accepted, claimed, then the process goes away before the outcome is recorded.
        try await withStore(at: location) { store in
            try await enqueued(store, message, now: t0)
            #expect(try await store.claimDue(now: t0 + 1, limit: 10).map(\.id) == [message.id])
        }
        // Second run.
        try await withStore(at: location) { store in
            #expect(try await store.message(message.id)?.record.state == .sending)
            #expect(try await store.claimDue(now: t0 + 2, limit: 10).isEmpty)
            if kind == .postgres {
                #expect(try await store.recoverInterrupted(now: t0 + 2) == 0, "the lease still holds")
            }

            let recovery = recoverable(claimedAt: t0 + 1)
            #expect(try await store.recoverInterrupted(now: recovery) == 1)
            let recovered = try #require(try await store.message(message.id))
            #expect(recovered.record.state == .queued)
            #expect(recovered.record.nextAttemptAt == recovery)
            // The cut-short attempt left no record and does not count against the retry limit.
            #expect(recovered.record.attemptCount == 0)
            #expect(recovered.attempts.isEmpty)

            let again = try await store.claimDue(now: recovery, limit: 10)
            #expect(again.map(\.id) == [message.id])
            #expect(again.first?.content == message.content)
            #expect(try await store.recoverInterrupted(now: recoverable(claimedAt: recovery)) == 1)
            #expect(try await store.recoverInterrupted(now: recoverable(claimedAt: recovery)) == 0)
        }
    }

    @Test(arguments: StorageKind.testable) func aDeferredEmailWaitsForItsTime(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let record = try await enqueued(store, now: t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            try await store.recordDeferred(record.id, error: DeliveryError(code: "ETIMEDOUT"), nextAttemptAt: t0 + 30, now: t0 + 1)
            #expect(try await store.nextDueDate() == t0 + 30)
            #expect(try await store.claimDue(now: t0 + 29, limit: 10).isEmpty)
            let claimed = try await store.claimDue(now: t0 + 30, limit: 10)
            #expect(claimed.map(\.id) == [record.id])
            #expect(claimed.first?.attemptNumber == 2)
        }
    }

    @Test(arguments: StorageKind.testable) func anEmailEnqueuedClaimedIsThisClaimersAndRecoveredLikeAnyClaim(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        let handed = sampleMessage(id: "handed", content: Array("Subject: straight\r\n\r\n".utf8))
        try await withStore(at: location) { store in
            guard case .queued(let record) = try await store.enqueue(handed, idempotencyKey: IdempotencyKey("k", answer: [1]), now: t0, claimed: true) else {
                Issue.record("a first request with its key is stored")
                return
            }
            #expect(record.state == .sending && record.nextAttemptAt == nil && record.attemptCount == 0)
            #expect(try await store.message(handed.id)?.record == record, "what enqueue answers is what it wrote")
            try await enqueued(store, sampleMessage(id: "queued"), now: t0)
            // Not due: a claim gets only the email stored queued.
            #expect(try await store.claimDue(now: t0 + 10, limit: 10).map(\.id) == ["queued"])
            #expect(try await store.nextDueDate() == nil)
            try await store.recordSent("queued", reply: ServerReply(code: 250, text: "ok"), now: t0 + 11)
            // The key holds whether the first email was stored claimed or not.
            let again = try await store.enqueue(sampleMessage(id: "retry"), idempotencyKey: IdempotencyKey("k", answer: [2]), now: t0 + 1, claimed: true)
            #expect(again == .duplicate(id: handed.id, answer: [1]))

            // Put back when the worker stops before sending it, as a claimed email.
            #expect(try await store.unclaim([handed.id], now: t0 + 2) == 1)
            let claimed = try await store.claimDue(now: t0 + 2, limit: 10)
            #expect(claimed.map(\.id) == [handed.id] && claimed.first?.content == handed.content && claimed.first?.attemptNumber == 1)
            try await store.recordSent(handed.id, reply: ServerReply(code: 250, text: "ok"), now: t0 + 3)
            #expect(try await store.message(handed.id)?.attempts.count == 1)

            // Stored claimed, then the process goes away.
            _ = try await store.enqueue(sampleMessage(id: "interrupted"), idempotencyKey: nil, now: t0 + 4, claimed: true)
        }
        let lease = Double(PostgresOutboxStore.defaultLeaseDuration.components.seconds)
        let expiry: Date = kind == .sqlite ? t0 + 5 : t0 + 4 + lease
        try await withStore(at: location) { (store: any OutboxStorage) async throws in
            if kind == .postgres {
                #expect(try await store.recoverInterrupted(now: expiry - 1) == 0, "the lease still holds")
            }
            #expect(try await store.recoverInterrupted(now: expiry) == 1)
            #expect(try await store.claimDue(now: expiry, limit: 10).map(\.id) == ["interrupted"])
        }
    }

    @Test(arguments: StorageKind.testable) func claimedAndQueuedEnqueuesShareABatch(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let results = try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
                for index in 0..<40 {
                    group.addTask { try await store.enqueue(sampleMessage(id: "m\(index)"), idempotencyKey: nil, now: t0, claimed: index % 2 == 0) }
                }
                return try await group.reduce(into: [EnqueueResult]()) { $0.append($1) }
            }
            #expect(results.count == 40)
            let depth = try await store.queueDepth()
            #expect(depth[.sending] == 20 && depth[.queued] == 20)
            let due = try await store.claimDue(now: t0, limit: 100)
            #expect(Set(due.map(\.id)) == Set(stride(from: 1, to: 40, by: 2).map { "m\($0)" }))
        }
    }
}
