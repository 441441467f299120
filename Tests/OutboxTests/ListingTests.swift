import Foundation
import Outbox
import Testing

@Suite struct ListingTests {
    @Test(arguments: StorageKind.testable) func pagesGoNewestFirstAndStayStableWhileEmailsArrive(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            // All in the same millisecond: order must not depend on the clock.
            for index in 0..<25 { try await enqueued(store, sampleMessage(id: "m\(index)"), now: t0) }

            let first = try await store.list(limit: 10)
            #expect(first.messages.map(\.id) == (15..<25).reversed().map { "m\($0)" })
            let cursor = try #require(first.nextCursor)

            for index in 25..<28 { try await enqueued(store, sampleMessage(id: "m\(index)"), now: t0) }

            let second = try await store.list(limit: 10, cursor: cursor)
            #expect(second.messages.map(\.id) == (5..<15).reversed().map { "m\($0)" })
            // The same cursor gives the same page again.
            #expect(try await store.list(limit: 10, cursor: cursor) == second)

            let secondCursor = try #require(second.nextCursor)
            let third = try await store.list(limit: 10, cursor: secondCursor)
            #expect(third.messages.map(\.id) == (0..<5).reversed().map { "m\($0)" })
            #expect(third.nextCursor == nil)

            #expect(try await store.list(limit: 10).messages.first?.id == "m27")
        }
    }

    @Test(arguments: StorageKind.testable) func theLastFullPageHasNoCursor(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            for index in 0..<20 { try await enqueued(store, sampleMessage(id: "m\(index)"), now: t0) }
            let first = try await store.list(limit: 10)
            let cursor = try #require(first.nextCursor)
            let second = try await store.list(limit: 10, cursor: cursor)
            #expect(second.messages.count == 10)
            #expect(second.nextCursor == nil)
        }
    }

    @Test(arguments: StorageKind.testable) func filtersByState(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            for index in 0..<9 { try await enqueued(store, sampleMessage(id: "m\(index)"), now: t0) }
            for id in ["m1", "m4", "m7"] { try await store.cancel(id, now: t0) }

            let first = try await store.list(status: .cancelled, limit: 2)
            #expect(first.messages.map(\.id) == ["m7", "m4"])
            let cursor = try #require(first.nextCursor)
            let second = try await store.list(status: .cancelled, limit: 2, cursor: cursor)
            #expect(second.messages.map(\.id) == ["m1"])
            #expect(second.nextCursor == nil)
            #expect(try await store.list(status: .queued, limit: 100).messages.count == 6)
            #expect(try await store.list(status: .sent).messages.isEmpty)
        }
    }

    @Test(arguments: StorageKind.testable) func badCursorsAndLimitsAreRefused(_ kind: StorageKind) async throws {
        try await withStore(kind) { store in
            await #expect(throws: OutboxError.invalidCursor("garbage")) { try await store.list(cursor: "garbage") }
            await #expect(throws: OutboxError.self) { try await store.list(limit: 0) }
            await #expect(throws: OutboxError.self) { try await store.list(limit: 1001) }
        }
    }
}
