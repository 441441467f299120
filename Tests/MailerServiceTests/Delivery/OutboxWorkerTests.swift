import Foundation
import Logging
import Outbox
import OutboxPostgres
import PostgresTestSupport
import SMTP
import SMTPTestServer
import SQLiteNIO
import Synchronization
import ServiceLifecycle
import Testing
@testable import MailerService

/// The worker against a real outbox (SQLite, and PostgreSQL where it can run) and the Swift SMTP test server.
@Suite struct OutboxWorkerTests {
    static func message(_ number: Int, to recipient: String = "ada@example.org") -> OutgoingMessage {
        OutgoingMessage(
            template: "verification", locale: "en", sender: "no-reply@example.com", recipients: [recipient],
            content: Array("Message-ID: <\(number)@example.com>\r\nSubject: \(number)\r\n\r\nmessage \(number)\r\n".utf8),
            messageID: "\(number)@example.com")
    }

    static func openStore(path: String = temporaryStorePath(), configuration: OutboxConfiguration = .init()) async throws -> OutboxStore {
        try await OutboxStore.open(path: path, configuration: configuration)
    }

    /// The storages the worker's behaviour is checked against: it must not know which it has.
    enum Storage: String, CaseIterable, Sendable {
        case sqlite
        case postgres

        /// PostgreSQL when its binaries are installed, and always in CI (where missing ones fail).
        static let testable: [Storage] = PostgresTestServer.enabled ? [.sqlite, .postgres] : [.sqlite]
    }

    static func openStore(_ storage: Storage) async throws -> any OutboxStorage {
        switch storage {
        case .sqlite: try await openStore()
        case .postgres: try await PostgresOutboxStore.open(url: try await PostgresTestServer.shared.makeDatabase(), logger: PostgresTestServer.quiet)
        }
    }

    static func temporaryStorePath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("worker-\(UUID().uuidString)/outbox.sqlite3").path
    }

    /// Runs the worker as a service until `body` returns, then stops it gracefully.
    static func withWorker(
        store: any OutboxStorage, server: SMTPTestServer, retry: RetryPolicy = RetryPolicy(jitter: .none),
        waiters: DeliveryWaiters = DeliveryWaiters(), recordFailurePause: Duration = .seconds(5),
        _ body: @Sendable (OutboxWorker) async throws -> Void
    ) async throws {
        var configuration = SMTPClientConfiguration(host: "127.0.0.1", port: server.port, security: .plaintext)
        configuration.heloName = "client.test"
        configuration.timeouts = .init(connect: .seconds(5), greeting: .seconds(5), command: .seconds(5), dataCompletion: .seconds(5))
        let pool = SMTPConnectionPool(client: try SMTPClient(configuration: configuration), configuration: SMTPPoolConfiguration(size: 2))
        let worker = OutboxWorker(store: store, pool: pool, retryPolicy: retry, waiters: waiters, logger: Logger(label: "test"), recordFailurePause: recordFailurePause)
        let group = ServiceGroup(configuration: .init(services: [worker], logger: Logger(label: "test")))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body(worker)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    static func eventually(seconds: Int = 20, _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
        for _ in 0..<(seconds * 100) {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }

    @Test(arguments: Storage.testable) func queuedEmailsAreSentAndRecordedWithTheServersReply(_ storage: Storage) async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let store = try await Self.openStore(storage)
        for number in 1...5 { _ = try await store.enqueue(Self.message(number)) }
        try await Self.withWorker(store: store, server: server) { _ in
            let allSent = try await Self.eventually { try await store.stats().counts[.sent] == 5 }
            #expect(allSent)
        }
        #expect(try await server.waitForMessages(5).count == 5)
        let page = try await store.list(status: .sent)
        #expect(page.messages.count == 5)
        let stored = try #require(try await store.message(page.messages[0].id))
        #expect(stored.attempts.count == 1)
        #expect(stored.attempts[0].outcome == .sent)
        try await store.close()
    }

    @Test(arguments: Storage.testable) func anEmailQueuedWhileRunningGoesOutWhenTheWorkerIsWoken(_ storage: Storage) async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let store = try await Self.openStore(storage)
        let waiters = DeliveryWaiters()
        try await Self.withWorker(store: store, server: server, waiters: waiters) { worker in
            let message = Self.message(1)
            let handle = waiters.register(message.id)
            _ = try await store.enqueue(message)
            worker.wake()
            guard case .sent(let receipt)? = await handle.outcome(within: .seconds(20)) else {
                Issue.record("the waiter should learn the email was sent")
                return
            }
            #expect(receipt.reply.code == 250)
        }
        try await store.close()
    }

    /// Another replica's email rings no bell here: on a shared PostgreSQL outbox an idle worker
    /// still finds it within seconds (its idle look), not after SQLite's minute.
    @Test func anIdleWorkerOnPostgreSQLFindsAnotherReplicasEmailWithinSeconds() async throws {
        guard PostgresTestServer.enabled else { return }
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let url = try await PostgresTestServer.shared.makeDatabase()
        let store = try await PostgresOutboxStore.open(url: url, logger: PostgresTestServer.quiet)
        let otherReplica = try await PostgresOutboxStore.open(url: url, logger: PostgresTestServer.quiet)
        #expect(store.idleLookInterval == .seconds(2))
        try await Self.withWorker(store: store, server: server) { _ in
            // Past the worker's first look at an empty queue, so that it sleeps on its timer.
            try await Task.sleep(for: .milliseconds(500))
            _ = try await otherReplica.enqueue(Self.message(1))
            let sent = try await Self.eventually(seconds: 5) { try await store.stats().counts[.sent] == 1 }
            #expect(sent, "an email queued by another replica waits at most the idle look (2 s)")
        }
        try await otherReplica.close()
        try await store.close()
    }

    /// `mailer queue retry` runs in another process and rings no bell here; on SQLite the worker
    /// notices the other connection's commit (`changedElsewhere()`) instead of waiting for its
    /// idle look, which is a minute.
    @Test func anEmailRetriedFromAnotherProcessGoesOutWithoutWaitingForTheIdleLook() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let path = Self.temporaryStorePath()
        let store = try await Self.openStore(path: path)
        #expect(store.idleLookInterval == .seconds(60))
        let queued = try await store.enqueue(Self.message(1))
        _ = try await store.claimDue(limit: 1)
        let error = DeliveryError(code: "ECONNREFUSED", hint: "start the server", detail: "connection refused", reply: nil)
        try await store.recordDeferred(queued.id, error: error, nextAttemptAt: Date().addingTimeInterval(3600))
        try await Self.withWorker(store: store, server: server) { _ in
            // Past the worker's first look, which finds nothing due for an hour and sleeps on its timer.
            try await Task.sleep(for: .seconds(1))
            #expect(try await store.stats().counts[.deferred] == 1)
            let cli = try await Self.openStore(path: path)
            try await cli.retry(queued.id)
            try await cli.close()
            let sent = try await Self.eventually(seconds: 15) { try await store.stats().counts[.sent] == 1 }
            #expect(sent, "a retry from another process goes out within about half a second, not after the idle look (60 s)")
        }
        #expect(try await server.waitForMessages(1).count == 1)
        try await store.close()
    }

    @Test(arguments: Storage.testable) func aTransientFailureIsDeferredAndAPermanentOneFails(_ storage: Storage) async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [
            .rejectRecipient(code: 450, text: "4.2.0 mailbox busy", matching: "busy"),
            .rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody"),
        ]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let store = try await Self.openStore(storage)
        let waiters = DeliveryWaiters()
        let busy = Self.message(1, to: "busy@example.org")
        let nobody = Self.message(2, to: "nobody@example.org")
        let busyHandle = waiters.register(busy.id)
        let nobodyHandle = waiters.register(nobody.id)
        _ = try await store.enqueue(busy)
        _ = try await store.enqueue(nobody)
        try await Self.withWorker(store: store, server: server, waiters: waiters) { _ in
            guard case .deferred(let error, let next)? = await busyHandle.outcome(within: .seconds(20)) else {
                Issue.record("450 should defer")
                return
            }
            #expect(error.code == .envelope)
            #expect(next > Date().addingTimeInterval(20), "the first retry waits the base delay (30 s, no jitter here)")
            guard case .failed(let failure)? = await nobodyHandle.outcome(within: .seconds(20)) else {
                Issue.record("550 should fail")
                return
            }
            #expect(failure.replyCode == 550)
        }
        let deferred = try #require(try await store.message(busy.id))
        #expect(deferred.record.state == .deferred)
        #expect(deferred.record.lastError?.contains("450") == true)
        #expect(try await store.message(nobody.id)?.record.state == .failed)
        try await store.close()
    }

    @Test func anEmailLeftSendingByACrashIsSentAfterTheRestart() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let store = try await Self.openStore()
        _ = try await store.enqueue(Self.message(1))
        // A previous run claimed it and died before recording anything.
        #expect(try await store.claimDue(limit: 10).count == 1)
        try await Self.withWorker(store: store, server: server) { _ in
            let sent = try await Self.eventually { try await store.stats().counts[.sent] == 1 }
            #expect(sent)
        }
        #expect(try await server.waitForMessages(1)[0].data.contains("message 1"))
        try await store.close()
    }

    /// The worker claims ahead of the pool; a graceful stop finishes the attempts under way and
    /// gives the rest back to the queue untouched (no attempt counted, nothing left `sending`).
    @Test(arguments: Storage.testable) func aGracefulStopGivesEmailsClaimedAheadBackToTheQueue(_ storage: Storage) async throws {
        var configuration = SMTPTestServerConfiguration()
        configuration.faults = [.noReplyToData]  // holds both pooled sessions until the DATA timeout
        let server = try await SMTPTestServer.start(configuration)
        defer { Task { try? await server.shutdown() } }
        let store = try await Self.openStore(storage)
        for number in 1...20 { _ = try await store.enqueue(Self.message(number)) }
        try await Self.withWorker(store: store, server: server) { worker in
            #expect(worker.claimLimit == 2 * OutboxWorker.claimAheadFactor)
            let allClaimed = try await Self.eventually { try await store.stats().counts[.sending] == 20 }
            #expect(allClaimed)
            // Stop only once both messages reached the server: an attempt still connecting when
            // the stop comes is rightly given back untouched, which a loaded machine makes likely.
            let bothUnderWay = try await Self.eventually { server.commands.filter { $0 == "DATA" }.count >= 2 }
            #expect(bothUnderWay)
        }
        let counts = try await store.stats().counts
        #expect(counts[.sending] == nil || counts[.sending] == 0)
        #expect(counts[.deferred] == 2, "the two attempts under way timed out and were recorded: \(counts)")
        #expect(counts[.queued] == 18, "\(counts)")
        for record in try await store.list(status: .queued, limit: 50).messages {
            #expect(record.attemptCount == 0 && record.nextAttemptAt != nil)
        }
        try await store.close()
    }

    /// While the outbox cannot record outcomes, every further send would become a duplicate after
    /// the next restart: the worker stops starting attempts, then resumes once writes work again.
    @Test func aFailedRecordPausesDeliveryInsteadOfSendingMoreUnrecordedEmails() async throws {
        var configuration = SMTPTestServerConfiguration()
        configuration.faults = [.greetingDelay(seconds: 1)]  // time to take the lock after the claim
        let server = try await SMTPTestServer.start(configuration)
        defer { Task { try? await server.shutdown() } }
        let path = Self.temporaryStorePath()
        let store = try await Self.openStore(path: path, configuration: OutboxConfiguration(busyTimeout: .milliseconds(100)))
        // More than the sends that may go ahead of their records, so that the pause shows, and
        // no more than one claim takes (checked below).
        let total = 20
        for number in 1...total { _ = try await store.enqueue(Self.message(number)) }
        let lock = try await SQLiteConnection.open(storage: .file(path: path))
        let unrecordedCount = Mutex(0)
        // Longer than the looks below take even on a loaded machine (the service pauses 5 s).
        let pause = Duration.seconds(15)
        try await Self.withWorker(store: store, server: server, recordFailurePause: pause) { worker in
            let allClaimed = try await Self.eventually { try await store.stats().counts[.sending] == total }
            #expect(allClaimed)
            _ = try await lock.query("BEGIN IMMEDIATE")
            let locked = ContinuousClock.now
            // The first sends finish after the greeting delay; the sends that follow while their
            // outcomes wait out the busy timeout cannot be recorded either. Then delivery pauses.
            _ = try await server.waitForMessages(2)
            // The sends already under way when the pause began still finish: count once nothing
            // has arrived for two seconds.
            var unrecorded = server.messages.count
            var quietSince = ContinuousClock.now
            while ContinuousClock.now - quietSince < .seconds(2) {
                try await Task.sleep(for: .milliseconds(50))
                if server.messages.count != unrecorded {
                    unrecorded = server.messages.count
                    quietSince = ContinuousClock.now
                }
            }
            let counted = unrecorded
            unrecordedCount.withLock { $0 = counted }
            try await Task.sleep(for: .milliseconds(1500))
            #expect(ContinuousClock.now - locked < pause, "the looks took longer than the pause; nothing was shown")
            #expect(server.messages.count == counted, "no email may be sent while outcomes cannot be recorded")
            #expect(worker.sendSlots + worker.pendingRecordLimit < total && total <= worker.claimLimit)
            #expect(counted <= worker.sendSlots + worker.pendingRecordLimit, "sends go ahead of their records only so far")
            _ = try await lock.query("ROLLBACK")
            let restSent = try await Self.eventually(seconds: 30) { try await store.stats().counts[.sent] == total - counted }
            #expect(restSent)
        }
        try await lock.close()
        let unrecorded = unrecordedCount.withLock { $0 }
        #expect(server.messages.count == total)
        // Sent but unrecorded: `sending` until a restart sends them again (at least once).
        #expect(try await store.stats().counts[.sending] == unrecorded)
        try await store.close()
    }
}
