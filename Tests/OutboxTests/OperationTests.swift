import Foundation
import Outbox
import Testing

@Suite struct OperationTests {
    let timeout = DeliveryError(code: "ETIMEDOUT", detail: "no answer within 30 s")
    let rejected = DeliveryError(
        code: "ESMTPREJECTED", reply: ServerReply(code: 550, enhancedCode: "5.1.1", text: "User unknown"))

    @Test(arguments: StorageKind.testable) func retryQueuesDeferredAndFailedEmailsDueNow(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let failed = try await enqueued(store, sampleMessage(id: "failed"), now: t0)
            let deferred = try await enqueued(store, sampleMessage(id: "deferred"), now: t0)
            _ = try await store.claimDue(now: t0, limit: 2)
            try await store.recordFailed(failed.id, error: rejected, now: t0 + 1)
            try await store.recordDeferred(deferred.id, error: timeout, nextAttemptAt: t0 + 3600, now: t0 + 1)

            let retried = try await store.retry(failed.id, now: t0 + 5)
            #expect(retried.state == .queued && retried.nextAttemptAt == t0 + 5)
            #expect(retried.attemptCount == 1)
            #expect(try await store.retry(deferred.id, now: t0 + 5).nextAttemptAt == t0 + 5)
            #expect(Set(try await store.claimDue(now: t0 + 5, limit: 10).map(\.id)) == ["failed", "deferred"])
        }
    }

    @Test(arguments: StorageKind.testable) func retryIsRefusedWithTheReason(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let queued = try await enqueued(store, sampleMessage(id: "queued"), now: t0)
            await #expect(throws: OutboxError.illegalTransition(
                id: queued.id, state: .queued, action: "retry", reason: "it is already waiting for a worker")) {
                try await store.retry(queued.id, now: t0)
            }
            _ = try await store.claimDue(now: t0, limit: 1)
            await #expect(throws: OutboxError.illegalTransition(
                id: queued.id, state: .sending, action: "retry", reason: "a worker is delivering it right now")) {
                try await store.retry(queued.id, now: t0)
            }
            try await store.recordSent(queued.id, reply: ServerReply(code: 250, text: "Ok"), now: t0)
            await #expect(throws: OutboxError.illegalTransition(
                id: queued.id, state: .sent, action: "retry", reason: "it was delivered already")) {
                try await store.retry(queued.id, now: t0)
            }
            await #expect(throws: OutboxError.notFound(id: "missing")) { try await store.retry("missing") }
        }
    }

    @Test(arguments: StorageKind.testable) func cancelStopsWaitingEmailsOnly(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let waiting = try await enqueued(store, sampleMessage(id: "waiting"), now: t0)
            let cancelled = try await store.cancel(waiting.id, now: t0 + 1)
            #expect(cancelled.state == .cancelled && cancelled.nextAttemptAt == nil)
            #expect(try await store.cancel(waiting.id, now: t0 + 2) == cancelled)
            #expect(try await store.claimDue(now: t0 + 10, limit: 10).isEmpty)
            await #expect(throws: OutboxError.self) { try await store.retry(waiting.id) }

            let busy = try await enqueued(store, sampleMessage(id: "busy"), now: t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            let error = await #expect(throws: OutboxError.self) { try await store.cancel(busy.id, now: t0) }
            #expect(error?.description.contains("right now") == true)

            try await store.recordSent(busy.id, reply: ServerReply(code: 250, text: "Ok"), now: t0 + 1)
            await #expect(throws: OutboxError.illegalTransition(
                id: busy.id, state: .sent, action: "cancel", reason: "it was delivered already and cannot be recalled")) {
                try await store.cancel(busy.id, now: t0 + 2)
            }

            let failed = try await enqueued(store, sampleMessage(id: "failed"), now: t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            try await store.recordFailed(failed.id, error: rejected, now: t0 + 1)
            #expect(try await store.cancel(failed.id, now: t0 + 2).state == .cancelled)
        }
    }

    @Test(arguments: StorageKind.testable) func flushMakesEveryDeferredEmailDueNow(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            for id in ["d1", "d2", "q"] { try await enqueued(store, sampleMessage(id: id), now: t0) }
            _ = try await store.claimDue(now: t0, limit: 2)
            try await store.recordDeferred("d1", error: timeout, nextAttemptAt: t0 + 600, now: t0 + 1)
            try await store.recordDeferred("d2", error: timeout, nextAttemptAt: t0 + 3600, now: t0 + 1)

            #expect(try await store.flush(now: t0 + 2) == 2)
            #expect(try await store.message("d2")?.record.nextAttemptAt == t0 + 2)
            #expect(Set(try await store.claimDue(now: t0 + 2, limit: 10).map(\.id)) == ["d1", "d2", "q"])
            #expect(try await store.flush(now: t0 + 3) == 0)
        }
    }

    @Test(arguments: StorageKind.testable) func cancelAllCancelsWaitingEmailsAndLeavesTheOthers(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            for id in ["sending", "sent", "deferred", "q1", "q2"] { try await enqueued(store, sampleMessage(id: id), now: t0) }
            _ = try await store.claimDue(now: t0, limit: 3)
            try await store.recordSent("sent", reply: ServerReply(code: 250, text: "Ok"), now: t0 + 1)
            try await store.recordDeferred("deferred", error: timeout, nextAttemptAt: t0 + 60, now: t0 + 1)

            #expect(try await store.cancelAll(now: t0 + 2) == 3)
            let counts = try await store.stats(now: t0 + 2).counts
            #expect(counts == [.queued: 0, .sending: 1, .deferred: 0, .sent: 1, .failed: 0, .cancelled: 3])
        }
    }
}
