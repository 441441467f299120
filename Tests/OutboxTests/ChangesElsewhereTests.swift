import Foundation
import Outbox
import Testing

/// `changedElsewhere()`: how a worker learns that `mailer queue` in another process changed the
/// SQLite outbox, without reading the schedule again.
@Suite struct ChangesElsewhereTests {
    @Test func anotherConnectionsCommitsCountAndTheStoresOwnDoNot() async throws {
        let path = temporaryDatabasePath()
        try await withStore(path: path) { store in
            #expect(store.changeCheckInterval == .milliseconds(500))
            #expect(try await store.changedElsewhere() == false, "the first call only notes where changes count from")
            _ = try await store.enqueue(sampleMessage())
            #expect(try await store.changedElsewhere() == false, "its own enqueue")

            // A second store on the same file is a second connection, as the CLI's would be.
            try await withStore(path: path) { cli in
                let queued = try await cli.enqueue(sampleMessage())
                #expect(try await store.changedElsewhere())
                #expect(try await store.changedElsewhere() == false, "one answer per change")
                try await cli.cancel(queued.id)
                #expect(try await store.changedElsewhere())
                // Reading changes nothing.
                _ = try await cli.stats()
                #expect(try await store.changedElsewhere() == false)
            }
        }
    }
}
