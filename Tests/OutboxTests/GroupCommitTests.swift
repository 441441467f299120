import Foundation
@testable import Outbox
@testable import OutboxPostgres
import PostgresTestSupport
import Testing

/// Concurrent enqueues and attempt records share transactions, and each caller still gets exactly
/// its own answer: a bad email or a stale claim fails alone.
@Suite struct GroupCommitTests {
    @Test(arguments: StorageKind.testable) func concurrentEnqueuesShareCommitsAndAreAllStored(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        let total = 200
        let (records, commits) = try await withStore(at: location) { store in
            let before = store.committedWrites
            let records = try await withThrowingTaskGroup(of: MessageRecord.self) { group in
                for _ in 0..<total {
                    group.addTask { try await enqueued(store) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            return (records, store.committedWrites - before)
        }
        #expect(Set(records.map(\.id)).count == total)
        #expect(try await location.count("messages") == total)
        #expect(try await location.count("message_bodies") == total)
        // One transaction per email would be 200; batching takes every email that arrived
        // while the previous commit was on its way to disk.
        #expect(commits < total / 4, "\(commits) commits for \(total) emails")
    }

    @Test(arguments: StorageKind.testable) func oneKeyInOneBatchQueuesOneEmailAndReplaysItsAnswer(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        let results = try await withStore(at: location) { store in
            try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        let key = IdempotencyKey("order-7", answer: Array("answer \(index)".utf8))
                        return try await store.enqueue(sampleMessage(), idempotencyKey: key, now: t0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        }
        let queued = results.compactMap(\.record)
        #expect(queued.count == 1)
        let first = try #require(queued.first)
        for case .duplicate(let id, let answer) in results {
            #expect(id == first.id)
            #expect(answer.count > 0)
        }
        #expect(Set(results.compactMap { if case .duplicate(_, let answer) = $0 { answer } else { nil } }).count == 1)
        #expect(try await location.count("messages") == 1)
        #expect(try await location.count("idempotency_keys") == 1)
    }

    @Test(arguments: StorageKind.testable) func anIDAlreadyStoredFailsOnlyItsOwnRequest(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        try await withStore(at: location) { store in
            let taken = try await enqueued(store)
            let results = await withTaskGroup(of: (String, Bool).self) { group in
                for index in 0..<40 {
                    let message = index == 17 ? sampleMessage(id: taken.id) : sampleMessage()
                    group.addTask {
                        do {
                            _ = try await store.enqueue(message, now: t0)
                            return (message.id, true)
                        } catch {
                            return (message.id, false)
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.filter { !$0.1 }.map(\.0) == [taken.id])
        }
        #expect(try await location.count("messages") == 40)
    }

    /// A row the database itself refuses (here a key the public API would have rejected first)
    /// fails the batch's transaction; the others then go one by one and are stored.
    @Test func aRowTheDatabaseRefusesFailsAloneAfterTheBatchIsSplit() async throws {
        let path = temporaryDatabasePath()
        try await withStore(path: path) { store in
            let tooLong = IdempotencyKey(String(repeating: "k", count: 300), answer: [])
            let jobs = (0..<5).map { index in
                OutboxStore.EnqueueJob(
                    message: sampleMessage(), key: index == 2 ? tooLong : nil, recipients: "[\"ada@example.com\"]", now: t0, claimed: false)
            }
            let results = await OutboxStore.commitEnqueues(
                jobs, database: store.database, keyLifetime: store.configuration.idempotencyKeyLifetime)
            #expect(results.count == 5)
            for (index, result) in results.enumerated() {
                switch result {
                case .success(let outcome): #expect(index != 2 && outcome.id == jobs[index].message.id)
                case .failure(let error): #expect(index == 2 && "\(error)".contains("CHECK"), "\(error)")
                }
            }
        }
        #expect(try await count("messages", path: path) == 4)
    }

    /// A lock held past the busy timeout fails every job alike: the batch is not split into one
    /// transaction per job, each waiting out the busy timeout again (8 jobs would take 9 timeouts).
    @Test func aLockHeldElsewhereFailsTheWholeBatchAtOnce() async throws {
        let path = temporaryDatabasePath()
        try await withStore(path: path, configuration: OutboxConfiguration(busyTimeout: .seconds(1))) { store in
            try await withRawConnection(path: path) { other in
                _ = try await other.query("BEGIN IMMEDIATE")
                let jobs = (0..<8).map { _ in
                    OutboxStore.EnqueueJob(message: sampleMessage(), key: nil, recipients: "[\"ada@example.com\"]", now: t0, claimed: false)
                }
                let started = ContinuousClock.now
                let results = await OutboxStore.commitEnqueues(
                    jobs, database: store.database, keyLifetime: store.configuration.idempotencyKeyLifetime)
                let elapsed = ContinuousClock.now - started
                _ = try await other.query("ROLLBACK")
                #expect(results.count == 8)
                for result in results {
                    guard case .failure(let error) = result else { Issue.record("stored despite the lock"); continue }
                    #expect("\(error)".contains("busy timeout"), "\(error)")
                }
                #expect(elapsed < .seconds(5), "one busy timeout for the batch, not one per job: \(elapsed)")
            }
        }
        #expect(try await count("messages", path: path) == 0)
    }

    @Test(arguments: StorageKind.testable) func concurrentOutcomesShareCommitsAndAStaleClaimFailsAlone(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            for _ in 0..<60 { try await enqueued(store, now: t0) }
            let claimed = try await store.claimDue(now: t0, limit: 50)
            let unclaimed = try #require(try await store.list(status: .queued, limit: 10).messages.first)
            let before = store.committedWrites
            let reply = ServerReply(code: 250, text: "Ok")
            let results = await withTaskGroup(of: (String, MessageState?).self) { group in
                for message in claimed.map(\.id) + [unclaimed.id] {
                    group.addTask {
                        (message, try? await store.recordSent(message, reply: reply, now: t0 + 1).state)
                    }
                }
                return await group.reduce(into: [String: MessageState?]()) { $0[$1.0] = $1.1 }
            }
            let commits = store.committedWrites - before
            #expect(results.count == 51)
            #expect(results.filter { $0.value == .sent }.count == 50)
            #expect(results[unclaimed.id] == .some(nil))
            #expect(commits < 25, "\(commits) commits for 51 outcomes")
            let stats = try await store.stats(now: t0 + 2)
            #expect(stats.counts[.sent] == 50)
            #expect(stats.counts[.queued] == 10)
        }
    }

    @Test func twoOutcomesForOneClaimInOneBatchRecordOnlyTheFirst() async throws {
        try await withStore { store in
            let record = try await enqueued(store, now: t0)
            _ = try await store.claimDue(now: t0, limit: 1)
            let job = OutcomeJob.sent(
                record.id, reply: ServerReply(code: 250, text: "Ok"), provider: .primary, startedAt: nil, now: t0 + 1, readBack: true)
            let results = await OutboxStore.commitOutcomes([job, job], database: store.database)
            #expect(try results[0].get()?.attemptCount == 1)
            #expect(throws: OutboxError.self) { try results[1].get() }
            #expect(try await store.message(record.id)?.attempts.count == 1)
        }
    }

    /// The worker records without reading the row back; in a batch with callers that do, each
    /// gets what it asked for, and the outcomes are stored alike.
    @Test func outcomesRecordedWithoutReadBackAreStoredLikeTheOthers() async throws {
        try await withStore { store in
            let quiet = try await enqueued(store, sampleMessage(id: "quiet"), now: t0)
            let loud = try await enqueued(store, sampleMessage(id: "loud"), now: t0)
            let failing = try await enqueued(store, sampleMessage(id: "failing"), now: t0)
            _ = try await store.claimDue(now: t0, limit: 3)
            func job(_ id: String, readBack: Bool) -> OutcomeJob {
                .sent(id, reply: ServerReply(code: 250, text: "Ok"), provider: .fallback, startedAt: t0 + 1, now: t0 + 2, readBack: readBack)
            }
            let mixed = await OutboxStore.commitOutcomes([job(quiet.id, readBack: false), job(loud.id, readBack: true)], database: store.database)
            #expect(try mixed[0].get() == nil)
            #expect(try mixed[1].get()?.state == .sent)
            try await store.recordFailedOnly(failing.id, error: DeliveryError(code: "EREJECTED"), now: t0 + 3)
            for id in [quiet.id, loud.id] {
                let stored = try #require(try await store.message(id))
                #expect(stored.record.state == .sent)
                #expect(stored.record.sentAt == t0 + 2)
                #expect(stored.record.provider == .fallback)
                #expect(stored.attempts.map(\.outcome) == [.sent])
                #expect(stored.attempts.first?.startedAt == t0 + 1)
            }
            #expect(try await store.message(failing.id)?.record.state == .failed)
            // Checked as before: an email that is no longer sending refuses another outcome.
            await #expect(throws: OutboxError.self) { try await store.recordSentOnly(quiet.id, reply: ServerReply(code: 250, text: "Ok")) }
        }
    }

    /// Emails stored claimed for the worker and emails stored queued in one transaction: each row
    /// gets its own state (on PostgreSQL, NULL and typed columns side by side in one VALUES list).
    @Test(arguments: StorageKind.testable) func oneBatchStoresClaimedAndQueuedEmailsEachAsAsked(_ kind: StorageKind) async throws {
        let jobs = (0..<6).map { index in (message: sampleMessage(id: "m\(index)"), claimed: index % 2 == 0) }
        // Checked on the store that wrote the batch: on PostgreSQL, only its replica owns the claims.
        @Sendable func check(_ results: [Result<EnqueueResult, any Error>], _ store: any OutboxStorage) async throws {
            #expect(results.count == 6)
            for (result, job) in zip(results, jobs) {
                guard case .success(.queued(let record)) = result else { Issue.record("\(job.message.id): \(result)"); continue }
                #expect(record.state == (job.claimed ? .sending : .queued))
            }
            let depth = try await store.queueDepth()
            #expect(depth[.sending] == 3 && depth[.queued] == 3, "\(depth)")
            #expect(try await store.claimDue(now: t0, limit: 10).map(\.id) == ["m1", "m3", "m5"])
            // An email stored claimed takes its outcome as any claimed email does.
            try await store.recordSent("m0", reply: ServerReply(code: 250, text: "ok"), now: t0 + 1)
            #expect(try await store.message("m0")?.record.state == .sent)
        }
        switch try await kind.makeLocation() {
        case .sqlite(let path):
            try await withStore(path: path) { store in
                let results = await OutboxStore.commitEnqueues(
                    jobs.map { OutboxStore.EnqueueJob(message: $0.message, key: nil, recipients: "[\"ada@example.com\"]", now: t0, claimed: $0.claimed) },
                    database: store.database, keyLifetime: .seconds(60))
                try await check(results, store)
            }
        case .postgres(let url):
            try await closing(try await PostgresOutboxStore.open(url: url, logger: PostgresTestServer.quiet), close: { try await $0.close() }) { store in
                let results = await store.commitEnqueues(
                    jobs.map { PostgresOutboxStore.EnqueueJob(message: $0.message, key: nil, now: t0, claimed: $0.claimed) }, keyLifetime: .seconds(60))
                try await check(results, store)
            }
        }
    }
}
