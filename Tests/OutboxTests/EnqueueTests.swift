import Foundation
import Outbox
import PostgresNIO
import PostgresTestSupport
import SQLiteNIO
import Testing

@Suite struct EnqueueTests {
    @Test(arguments: StorageKind.testable) func storesEveryFieldAndIsDueAtOnce(_ kind: StorageKind) async throws {
        let message = sampleMessage(recipients: ["ada@example.com", "Zoë <zoe@example.com>", "bob@example.com"])
        try await withStore(kind) { store in
            let record = try await enqueued(store, message, now: t0)
            #expect(record.id == message.id)
            #expect(record.createdAt == t0)
            #expect(record.template == "verification")
            #expect(record.locale == "en")
            #expect(record.sender == "noreply@example.com")
            #expect(record.recipients == message.recipients)
            #expect(record.messageID == message.messageID)
            #expect(record.size == message.content.count)
            #expect(record.state == .queued)
            #expect(record.attemptCount == 0)
            #expect(record.nextAttemptAt == t0)
            #expect(record.lastError == nil && record.sentAt == nil && record.provider == nil)

            let stored = try #require(try await store.message(message.id))
            #expect(stored.record == record)
            #expect(stored.content == message.content)
            #expect(stored.attempts.isEmpty)
        }
    }

    @Test(arguments: StorageKind.testable) func bytesComeBackExactlyNULAndInvalidUTF8AndOneMegabyte(_ kind: StorageKind) async throws {
        var content = Array("Subject: binary\r\n\r\n".utf8) + [0x00, 0xFF, 0xFE, 0x80, 0xC3, 0x28, 0x00, 0x0D, 0x0A, 0x00]
        content += (0..<1_048_576).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let message = sampleMessage(content: content)
        let location = try await kind.makeLocation()
        try await withStore(at: location) { store in
            try await enqueued(store, message)
            #expect(try await store.message(message.id)?.content == content)
            let claimed = try await store.claimDue(now: t0, limit: 1)
            #expect(claimed.count == 1)
            #expect(claimed.first?.content == content)
            #expect(claimed.first?.record.size == content.count)
        }
        // Stored as bytes of the full length, not as text cut at the first NUL.
        switch location {
        case .sqlite(let path):
            try await withRawConnection(path: path) { connection in
                let row = try await connection.query(
                    "SELECT typeof(content) AS type, length(content) AS length FROM message_bodies").first
                #expect(row?.column("type")?.string == "blob")
                #expect(row?.column("length")?.integer == SQLiteInt64(content.count))
            }
        case .postgres(let url):
            let found: [String] = try await PostgresTestServer.shared.withConnection(to: url) { connection in
                let rows = try await connection.query(
                    "SELECT pg_typeof(content)::text || ' ' || octet_length(content)::text AS found FROM message_bodies",
                    logger: PostgresTestServer.quiet
                ).collect()
                return try rows.map { row -> String in try row.decode(String.self) }
            }
            #expect(found == ["bytea \(content.count)"])
        }
    }

    @Test(arguments: StorageKind.testable) func refusesAnEmailItCouldNotDeliver(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            await #expect(throws: OutboxError.self) { try await store.enqueue(sampleMessage(recipients: [])) }
            await #expect(throws: OutboxError.self) { try await store.enqueue(sampleMessage(content: [])) }
            await #expect(throws: OutboxError.self) { try await store.enqueue(sampleMessage(id: "")) }
            let first = try await enqueued(store)
            await #expect(throws: OutboxError.invalidArgument("an email with id \(first.id) is already in the outbox")) {
                try await store.enqueue(sampleMessage(id: first.id))
            }
            let page = try await store.list()
            #expect(page.messages.map(\.id) == [first.id])
        }
    }

    @Test(arguments: StorageKind.testable) func aRepeatedKeyAnswersTheFirstEmailWithoutStoringAnother(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        try await withStore(at: location) { store in
            let answer = Array(#"{"id":"first","status":"queued"}"#.utf8)
            let first = try await store.enqueue(
                sampleMessage(id: "first"), idempotencyKey: IdempotencyKey("key-1", answer: answer), now: t0)
            #expect(first.record?.id == "first")
            let second = try await store.enqueue(
                sampleMessage(id: "second"), idempotencyKey: IdempotencyKey("key-1", answer: [1, 2, 3]), now: t0 + 5)
            #expect(second == .duplicate(id: "first", answer: answer))
            // Another key is another email.
            let third = try await store.enqueue(
                sampleMessage(id: "third"), idempotencyKey: IdempotencyKey("key-2", answer: []), now: t0 + 5)
            #expect(third.record?.id == "third")
        }
        #expect(try await location.count("messages") == 2)
        #expect(try await location.count("message_bodies") == 2)
    }

    @Test(arguments: StorageKind.testable) func twentyConcurrentRequestsWithOneKeyStoreOneEmail(_ kind: StorageKind) async throws {
        let location = try await kind.makeLocation()
        // Four stores on one file: the race runs through SQLite's locking, not only one connection's queue.
        var stores: [any OutboxStorage] = []
        for _ in 0..<4 { stores.append(try await location.open()) }
        let storesCopy = stores
        let results = try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await storesCopy[index % 4].enqueue(
                        sampleMessage(id: "request-\(index)"),
                        idempotencyKey: IdempotencyKey("same-key", answer: Array("request-\(index)".utf8)),
                        now: t0)
                }
            }
            return try await group.reduce(into: [EnqueueResult]()) { $0.append($1) }
        }
        for store in stores { try await store.close() }

        let created = results.compactMap(\.record)
        #expect(created.count == 1)
        let winner = try #require(created.first)
        #expect(results.allSatisfy { $0.id == winner.id })
        for result in results {
            if case .duplicate(_, let answer) = result { #expect(answer == Array(winner.id.utf8)) }
        }
        #expect(try await location.count("messages") == 1)
        #expect(try await location.count("idempotency_keys") == 1)
    }

    @Test(arguments: StorageKind.testable) func aKeyExpiresAfterItsLifetime(_ kind: StorageKind) async throws {
        let configuration = OutboxConfiguration(idempotencyKeyLifetime: .seconds(60))
        try await withStore(kind, configuration: configuration) { store in
            let key = IdempotencyKey("k", answer: [])
            #expect(try await store.enqueue(sampleMessage(id: "a"), idempotencyKey: key, now: t0).record != nil)
            #expect(try await store.enqueue(sampleMessage(id: "b"), idempotencyKey: key, now: t0 + 59) == .duplicate(id: "a", answer: []))
            let later = try await store.enqueue(sampleMessage(id: "c"), idempotencyKey: key, now: t0 + 61)
            #expect(later.record?.id == "c")
            // The key now stands for the new email.
            #expect(try await store.enqueue(sampleMessage(id: "d"), idempotencyKey: key, now: t0 + 62) == .duplicate(id: "c", answer: []))

        }
    }

    @Test(arguments: StorageKind.testable) func keysAreLimitedTo255Bytes(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            let longest = String(repeating: "k", count: 255)
            let accepted = try await store.enqueue(sampleMessage(), idempotencyKey: IdempotencyKey(longest, answer: []))
            #expect(accepted.record != nil)
            await #expect(throws: OutboxError.invalidArgument("an Idempotency-Key must have 1 to 255 bytes, got 256")) {
                try await store.enqueue(sampleMessage(), idempotencyKey: IdempotencyKey(longest + "k", answer: []))
            }
            await #expect(throws: OutboxError.self) {
                try await store.enqueue(sampleMessage(), idempotencyKey: IdempotencyKey("", answer: []))
            }
        }
    }
}
