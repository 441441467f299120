import Foundation
import Outbox
import Testing

@Suite struct OutcomeTests {
    let timeout = DeliveryError(
        code: "ETIMEDOUT", hint: "Check SMTP_HOST and the firewall", detail: "no answer within 30 s")
    let rejected = DeliveryError(
        code: "ESMTPREJECTED", hint: "Check the recipient address",
        reply: ServerReply(code: 550, enhancedCode: "5.1.1", text: "User unknown"))

    @Test(arguments: StorageKind.testable) func aSentAttemptIsRecordedWithTheReply(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let record = try await enqueued(store, now: t0)
            _ = try await store.claimDue(now: t0 + 1, limit: 1)
            let reply = ServerReply(code: 250, enhancedCode: "2.0.0", text: "Ok: queued as 4F2A")
            let sent = try await store.recordSent(record.id, reply: reply, provider: .fallback, now: t0 + 2)
            #expect(sent.state == .sent)
            #expect(sent.sentAt == t0 + 2)
            #expect(sent.attemptCount == 1)
            #expect(sent.provider == .fallback)
            #expect(sent.nextAttemptAt == nil && sent.lastError == nil)

            let stored = try #require(try await store.message(record.id))
            #expect(stored.record == sent)
            let attempt = try #require(stored.attempts.first)
            #expect(stored.attempts.count == 1)
            #expect(attempt.messageID == record.id)
            #expect(attempt.number == 1)
            #expect(attempt.startedAt == t0 + 1)
            #expect(attempt.finishedAt == t0 + 2)
            #expect(attempt.outcome == .sent)
            #expect(attempt.errorCode == nil && attempt.hint == nil && attempt.detail == nil)
            #expect(attempt.reply == reply)
            #expect(attempt.provider == .fallback)
        }
    }

    /// A worker that claims ahead starts an attempt after its claim: the attempt says when it began.
    @Test(arguments: StorageKind.testable) func anAttemptRecordsWhenItStartedNotWhenItWasClaimed(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let record = try await enqueued(store, now: t0)
            _ = try await store.claimDue(now: t0 + 1, limit: 1)
            let reply = ServerReply(code: 250, enhancedCode: nil, text: "Ok")
            _ = try await store.recordSent(record.id, reply: reply, startedAt: t0 + 7, now: t0 + 8)
            let attempt = try #require(try await store.message(record.id)?.attempts.first)
            #expect(attempt.startedAt == t0 + 7)
            #expect(attempt.finishedAt == t0 + 8)
        }
    }

    @Test(arguments: StorageKind.testable) func deferredThenSentKeepsBothAttemptsInOrder(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let record = try await enqueued(store, now: t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            let deferred = try await store.recordDeferred(record.id, error: timeout, nextAttemptAt: t0 + 30, now: t0 + 1)
            #expect(deferred.state == .deferred)
            #expect(deferred.nextAttemptAt == t0 + 30)
            #expect(deferred.attemptCount == 1)
            #expect(deferred.lastError == "ETIMEDOUT: no answer within 30 s")

            _ = try await store.claimDue(now: t0 + 30, limit: 1)
            let sent = try await store.recordSent(record.id, reply: ServerReply(code: 250, text: "Ok"), now: t0 + 31)
            #expect(sent.attemptCount == 2)
            #expect(sent.lastError == nil)

            let attempts = try #require(try await store.message(record.id)).attempts
            #expect(attempts.map(\.number) == [1, 2])
            #expect(attempts.map(\.outcome) == [.deferred, .sent])
            #expect(attempts[0].errorCode == "ETIMEDOUT")
            #expect(attempts[0].hint == "Check SMTP_HOST and the firewall")
            #expect(attempts[0].reply == nil)
            #expect(attempts[1].startedAt == t0 + 30)
        }
    }

    @Test(arguments: StorageKind.testable) func aFailedAttemptKeepsTheServersAnswer(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let record = try await enqueued(store, now: t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            let failed = try await store.recordFailed(record.id, error: rejected, now: t0 + 1)
            #expect(failed.state == .failed)
            #expect(failed.lastError == "ESMTPREJECTED: 550 5.1.1 User unknown")
            let attempt = try #require(try await store.message(record.id)?.attempts.first)
            #expect(attempt.outcome == .failed)
            #expect(attempt.reply == ServerReply(code: 550, enhancedCode: "5.1.1", text: "User unknown"))
            #expect(attempt.provider == .primary)
        }
    }

    @Test(arguments: StorageKind.testable) func outcomesAreRefusedUnlessTheEmailIsBeingSent(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        try await withStore(at: location) { store in
            let record = try await enqueued(store, now: t0)
            // Not claimed yet.
            let error = await #expect(throws: OutboxError.self) {
                try await store.recordSent(record.id, reply: ServerReply(code: 250, text: "Ok"), now: t0)
            }
            guard case .illegalTransition(let id, let state, _, let reason) = error else {
                Issue.record("expected illegalTransition, got \(String(describing: error))")
                return
            }
            #expect(id == record.id && state == .queued)
            #expect(reason.contains("claimed"))

            _ = try await store.claimDue(now: t0, limit: 1)
            try await store.recordSent(record.id, reply: ServerReply(code: 250, text: "Ok"), now: t0 + 1)
            // Recorded twice: the second is refused and changes nothing.
            await #expect(throws: OutboxError.self) {
                try await store.recordFailed(record.id, error: timeout, now: t0 + 2)
            }
            #expect(try await store.message(record.id)?.record.state == .sent)
            await #expect(throws: OutboxError.notFound(id: "nope")) {
                try await store.recordDeferred("nope", error: timeout, nextAttemptAt: t0, now: t0)
            }
        }
        #expect(try await location.count("attempts") == 1)
    }
}
