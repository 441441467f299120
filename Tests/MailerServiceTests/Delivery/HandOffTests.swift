import Foundation
import Outbox
import SMTPTestServer
import SQLiteNIO
import Testing
@testable import MailerService

/// Accepted emails stored claimed and handed to the worker in memory (`HandOffGate`).
/// Time limit: a place never settled makes the worker's stop hang instead of failing.
@Suite(.timeLimit(.minutes(1))) struct HandOffTests {
    /// Whether the worker would take an email straight now; the place is given back at once, as a
    /// place left out would make the worker's stop wait for it.
    static func gateIsOpen(_ worker: OutboxWorker) -> Bool {
        guard worker.reserveHandOff(bytes: 100) else { return false }
        worker.giveBackHandOff(bytes: 100)
        return true
    }

    @Test func theGateLetsThroughWhatTheLoopHasRoomForAndNothingWhileClosed() {
        let gate = HandOffGate()
        #expect(!gate.reserve(bytes: 1), "closed until the loop has looked")
        gate.update(open: true, capacity: 2, capacityBytes: 100)
        #expect(gate.reserve(bytes: 40))
        #expect(gate.reserve(bytes: 40))
        #expect(!gate.reserve(bytes: 1), "two places, both taken")
        gate.giveBack(bytes: 40)
        #expect(!gate.reserve(bytes: 61), "40 + 61 bytes are over the loop's 100")
        #expect(gate.reserve(bytes: 60))
        #expect(gate.outstandingPlaces.count == 2 && gate.outstandingPlaces.bytes == 100)

        // The loop took both in: they are its now, counted in what it has room for.
        gate.update(open: true, capacity: 1, capacityBytes: 10, tookIn: 2, tookInBytes: 100)
        #expect(gate.outstandingPlaces.count == 0 && gate.outstandingPlaces.bytes == 0)
        #expect(!gate.reserve(bytes: 11))
        #expect(gate.reserve(bytes: 10))
        gate.update(open: false, capacity: 5, capacityBytes: 1000)
        #expect(!gate.reserve(bytes: 1), "closed: the loop claims, is paused or stops")
        #expect(gate.outstandingPlaces.count == 1, "a place taken before the gate closed stays out until settled")
    }

    @Test(arguments: OutboxWorkerTests.Storage.testable) func anEmailHandedOverIsSentWithoutBeingClaimed(_ storage: OutboxWorkerTests.Storage) async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let store = try await OutboxWorkerTests.openStore(storage)
        let waiters = DeliveryWaiters()
        try await OutboxWorkerTests.withWorker(store: store, server: server, waiters: waiters) { worker in
            // Open once the worker's first look found nothing due.
            let open = try await OutboxWorkerTests.eventually { Self.gateIsOpen(worker) }
            #expect(open)

            for number in 1...3 {
                let message = OutboxWorkerTests.message(number)
                let handle = waiters.register(message.id)
                let reserved = try await OutboxWorkerTests.eventually { worker.reserveHandOff(bytes: message.content.count) }
                #expect(reserved)
                guard case .queued(let record) = try await store.enqueue(message, claimed: true) else {
                    Issue.record("stored")
                    return
                }
                #expect(record.state == .sending)
                // No claim ever returns an email stored claimed: sent means handed over.
                worker.handOver(ClaimedMessage(record: record, content: message.content))
                guard case .sent? = await handle.outcome(within: .seconds(10)) else {
                    Issue.record("the email handed over should be sent")
                    return
                }
            }
        }
        #expect(try await server.waitForMessages(3).count == 3)
        let stats = try await store.stats()
        #expect(stats.counts[.sent] == 3, "\(stats.counts)")
        for record in try await store.list(status: .sent).messages {
            #expect(try await store.message(record.id)?.attempts.count == 1)
        }
        try await store.close()
    }

    @Test(arguments: OutboxWorkerTests.Storage.testable) func aStoppingWorkerWaitsForPlacesOutAndPutsWhatArrivesBackInTheQueue(_ storage: OutboxWorkerTests.Storage) async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let store = try await OutboxWorkerTests.openStore(storage)
        let message = OutboxWorkerTests.message(1)
        try await OutboxWorkerTests.withWorker(store: store, server: server) { worker in
            let reserved = try await OutboxWorkerTests.eventually { worker.reserveHandOff(bytes: message.content.count) }
            #expect(reserved)
            let given = try await OutboxWorkerTests.eventually { worker.reserveHandOff(bytes: 1) }
            #expect(given)
            // The request is still storing its email when the stop comes: the worker must not
            // finish before the email arrives, or it would stay `sending` until the next start.
            Task {
                try? await Task.sleep(for: .milliseconds(300))
                if case .queued(let record)? = try? await store.enqueue(message, claimed: true) {
                    worker.handOver(ClaimedMessage(record: record, content: message.content))
                } else {
                    Issue.record("the email should be stored")
                    worker.giveBackHandOff(bytes: message.content.count)
                }
                try? await Task.sleep(for: .milliseconds(300))
                worker.giveBackHandOff(bytes: 1)
            }
        }
        // withWorker returned: the worker stopped after both places were settled.
        let stored = try #require(try await store.message(message.id))
        #expect(stored.record.state == .queued, "handed over while stopping: back in the queue, not left sending")
        #expect(stored.record.attemptCount == 0 && stored.attempts.isEmpty)
        #expect(server.messages.isEmpty)
        try await store.close()
    }

    @Test(arguments: OutboxWorkerTests.Storage.testable) func theGateStaysShutWhileEmailsThatWaitedAreDue(_ storage: OutboxWorkerTests.Storage) async throws {
        var configuration = SMTPTestServerConfiguration()
        configuration.faults = [.noReplyToData]  // holds both sessions: the backlog stays due
        let server = try await SMTPTestServer.start(configuration)
        defer { Task { try? await server.shutdown() } }
        let store = try await OutboxWorkerTests.openStore(storage)
        for number in 1...100 { _ = try await store.enqueue(OutboxWorkerTests.message(number)) }
        try await OutboxWorkerTests.withWorker(store: store, server: server) { worker in
            let claimed = try await OutboxWorkerTests.eventually { try await store.stats().counts[.sending] == worker.claimLimit }
            #expect(claimed)
            // The first two attempts timed out and were recorded, the next two are under way: the
            // worker has room again but holds more than it claims for (68 emails are still due in
            // the outbox, and a fresh one must wait behind them).
            let secondPair = try await OutboxWorkerTests.eventually(seconds: 15) { server.commands.filter { $0 == "DATA" }.count >= 4 }
            #expect(secondPair)
            for _ in 0..<50 {
                #expect(!Self.gateIsOpen(worker))
                try await Task.sleep(for: .milliseconds(10))
            }
        }
        try await store.close()
    }

    @Test func aFailedClaimKeepsTheGateShut() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let path = OutboxWorkerTests.temporaryStorePath()
        let store = try await OutboxWorkerTests.openStore(path: path, configuration: OutboxConfiguration(busyTimeout: .milliseconds(100)))
        let lock = try await SQLiteConnection.open(storage: .file(path: path))
        try await OutboxWorkerTests.withWorker(store: store, server: server) { worker in
            let open = try await OutboxWorkerTests.eventually { Self.gateIsOpen(worker) }
            #expect(open)
            // Another writer holds the file: the next claim fails, and the outbox may hold due
            // emails the worker cannot see until it claims again (after 5 s).
            _ = try await lock.query("BEGIN IMMEDIATE")
            worker.wake()
            try await Task.sleep(for: .seconds(1))
            #expect(!Self.gateIsOpen(worker), "shut while the claim cannot be made")
            _ = try await lock.query("ROLLBACK")
            let reopened = try await OutboxWorkerTests.eventually(seconds: 15) { Self.gateIsOpen(worker) }
            #expect(reopened, "open again once a claim went through")
        }
        try await lock.close()
        try await store.close()
    }

    /// The worker learns of a deferral it recorded itself: the next attempt comes at its time,
    /// not at the idle look (a minute on SQLite), however many emails are handed over meanwhile.
    @Test(arguments: OutboxWorkerTests.Storage.testable) func aDeferredEmailIsTriedAgainAtItsTime(_ storage: OutboxWorkerTests.Storage) async throws {
        var configuration = SMTPTestServerConfiguration()
        configuration.faults = [.rejectRecipient(code: 450, text: "4.2.0 mailbox busy", matching: "busy")]
        let server = try await SMTPTestServer.start(configuration)
        defer { Task { try? await server.shutdown() } }
        let store = try await OutboxWorkerTests.openStore(storage)
        let message = OutboxWorkerTests.message(1, to: "busy@example.org")
        try await OutboxWorkerTests.withWorker(store: store, server: server, retry: RetryPolicy(baseDelay: .milliseconds(500), jitter: .none)) { worker in
            let reserved = try await OutboxWorkerTests.eventually { worker.reserveHandOff(bytes: message.content.count) }
            #expect(reserved)
            guard case .queued(let record) = try await store.enqueue(message, claimed: true) else {
                Issue.record("stored")
                return
            }
            worker.handOver(ClaimedMessage(record: record, content: message.content))
            // Attempts at about 0, 0.5 and 1.5 s.
            let retried = try await OutboxWorkerTests.eventually(seconds: 8) {
                (try await store.message(message.id)?.attempts.count ?? 0) >= 3
            }
            let attempts = try await store.message(message.id)?.attempts.count ?? 0
            #expect(retried, "\(attempts) attempts")
        }
        try await store.close()
    }
}
