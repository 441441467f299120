import Foundation
import Outbox
import SMTPTestServer
import Testing
@testable import MailerService

/// Accepted emails stored claimed and handed to the worker in memory (`HandOffGate`).
@Suite struct HandOffTests {
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
        #expect(gate.outstanding == 2)

        // The loop took both in: they are its now, counted in what it has room for.
        gate.update(open: true, capacity: 1, capacityBytes: 10, tookIn: 2, tookInBytes: 100)
        #expect(gate.outstanding == 0)
        #expect(!gate.reserve(bytes: 11))
        #expect(gate.reserve(bytes: 10))
        gate.update(open: false, capacity: 5, capacityBytes: 1000)
        #expect(!gate.reserve(bytes: 1), "closed: the loop claims, is paused or stops")
        #expect(gate.outstanding == 1, "a place taken before the gate closed stays out until settled")
    }

    @Test(arguments: OutboxWorkerTests.Storage.testable) func anEmailHandedOverIsSentWithoutBeingClaimed(_ storage: OutboxWorkerTests.Storage) async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let store = try await OutboxWorkerTests.openStore(storage)
        let waiters = DeliveryWaiters()
        try await OutboxWorkerTests.withWorker(store: store, server: server, waiters: waiters) { worker in
            // Open once the worker's first look found nothing due.
            let open = try await OutboxWorkerTests.eventually { worker.reserveHandOff(bytes: 100) }
            #expect(open)
            worker.giveBackHandOff(bytes: 100)

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
                try await Task.sleep(for: .milliseconds(300))
                guard case .queued(let record) = try await store.enqueue(message, claimed: true) else { return }
                worker.handOver(ClaimedMessage(record: record, content: message.content))
                try await Task.sleep(for: .milliseconds(300))
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
}
