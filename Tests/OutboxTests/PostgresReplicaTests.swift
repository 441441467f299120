import Foundation
import Outbox
import OutboxPostgres
import PostgresTestSupport
import PostgresNIO
import Testing

/// What only a shared PostgreSQL outbox has: replicas, their leases, and start-up migrations
/// racing. The behaviour both storages share is tested against both in the other suites.
@Suite(.enabled(if: PostgresTestServer.enabled, "no PostgreSQL binaries; CI would fail instead"))
struct PostgresReplicaTests {
    let lease: Duration = .seconds(60)

    func open(_ url: PostgresURL, replica: String) async throws -> PostgresOutboxStore {
        try await PostgresOutboxStore.open(url: url, leaseDuration: lease, replica: replica, logger: PostgresTestServer.quiet)
    }

    @Test func aDeadReplicasClaimIsTakenByAnotherOnceItsLeaseExpiresAndItsLateOutcomeIsRefused() async throws {
        let url = try await PostgresTestServer.shared.makeDatabase()
        let a = try await open(url, replica: "a")
        let b = try await open(url, replica: "b")
        defer { Task { try? await a.close(); try? await b.close() } }
        for index in 0..<3 { try await enqueued(a, sampleMessage(id: "m\(index)"), now: t0) }

        #expect(try await a.claimDue(now: t0, limit: 2).map(\.id) == ["m0", "m1"])
        // Within the lease, b gets only what a did not claim.
        #expect(try await b.claimDue(now: t0 + 59, limit: 10).map(\.id) == ["m2"])
        #expect(try await b.recoverInterrupted(now: t0 + 59) == 0)
        // a stops answering; once its lease is over, b takes its claims, attempt count untouched.
        let taken = try await b.claimDue(now: t0 + 60, limit: 10)
        #expect(taken.map(\.id) == ["m0", "m1"])
        #expect(taken.allSatisfy { $0.attemptNumber == 1 && $0.record.state == .sending })

        // a comes back and reports m0: b owns it now, so a's outcome is refused and changes nothing.
        let error = await #expect(throws: OutboxError.self) {
            try await a.recordSent("m0", reply: ServerReply(code: 250, text: "Ok"), now: t0 + 61)
        }
        #expect(error?.description.contains("lease expired") == true, "\(String(describing: error))")
        #expect(try await a.unclaim(["m1"], now: t0 + 61) == 0, "a cannot put back what b holds")
        try await b.recordSent("m0", reply: ServerReply(code: 250, text: "Ok"), now: t0 + 62)
        let stored = try #require(try await b.message("m0"))
        #expect(stored.record.state == .sent)
        #expect(stored.attempts.count == 1)
        #expect(try await b.unclaim(["m1", "m2"], now: t0 + 63) == 2)
    }

    @Test func recoveryAtStartUpLeavesLiveClaimsAlone() async throws {
        let url = try await PostgresTestServer.shared.makeDatabase()
        let live = try await open(url, replica: "live")
        defer { Task { try? await live.close() } }
        for index in 0..<4 { try await enqueued(live, sampleMessage(id: "m\(index)"), now: t0) }
        _ = try await live.claimDue(now: t0, limit: 2)
        _ = try await live.claimDue(now: t0 + 30, limit: 2)

        // A replica starting at t0 + 70: the first claims have expired, the others hold.
        let starting = try await open(url, replica: "starting")
        defer { Task { try? await starting.close() } }
        #expect(try await starting.recoverInterrupted(now: t0 + 70) == 2)
        let depth = try await starting.queueDepth()
        #expect(depth[.queued] == 2 && depth[.sending] == 2)
        try await live.recordSent("m2", reply: ServerReply(code: 250, text: "Ok"), now: t0 + 71)
        #expect(try await starting.claimDue(now: t0 + 71, limit: 10).map(\.id) == ["m0", "m1"])
    }

    @Test func replicasStartingTogetherMigrateOnceAndShareOneKey() async throws {
        let url = try await PostgresTestServer.shared.makeDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresOutboxStore.self) { group in
            for index in 0..<5 { group.addTask { try await open(url, replica: "r\(index)") } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let results = try await withThrowingTaskGroup(of: EnqueueResult.self) { group in
            for index in 0..<20 {
                group.addTask {
                    try await stores[index % stores.count].enqueue(
                        sampleMessage(id: "request-\(index)"),
                        idempotencyKey: IdempotencyKey("same-key", answer: Array("request-\(index)".utf8)), now: t0)
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for store in stores { try await store.close() }
        #expect(results.compactMap(\.record).count == 1)
        #expect(Set(results.map(\.id)).count == 1)
        #expect(try await StorageLocation.postgres(url).count("messages") == 1)
        #expect(try await StorageLocation.postgres(url).count("outbox_schema") == 1)
    }

    @Test func threeReplicasDrainTheQueueWithEachEmailClaimedOnce() async throws {
        let url = try await PostgresTestServer.shared.makeDatabase()
        var stores: [PostgresOutboxStore] = []
        for index in 0..<3 { stores.append(try await open(url, replica: "r\(index)")) }
        let replicas = stores
        for batch in 0..<6 {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<50 {
                    group.addTask { _ = try await enqueued(replicas[index % 3], sampleMessage(id: "m\(batch)-\(index)"), now: t0) }
                }
                try await group.waitForAll()
            }
        }
        let delivered = try await withThrowingTaskGroup(of: [String].self) { group in
            for store in replicas {
                group.addTask {
                    var mine: [String] = []
                    while true {
                        let claimed = try await store.claimDue(now: t0 + 1, limit: 7)
                        if claimed.isEmpty { return mine }
                        for message in claimed {
                            try await store.recordSentOnly(message.id, reply: ServerReply(code: 250, text: "Ok"), provider: .primary, startedAt: nil, now: t0 + 2)
                        }
                        mine += claimed.map(\.id)
                    }
                }
            }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        for store in stores { try await store.close() }
        let all = delivered.flatMap { $0 }
        #expect(all.count == 300)
        #expect(Set(all).count == 300)
        #expect(delivered.allSatisfy { !$0.isEmpty }, "every replica took a share: \(delivered.map(\.count))")
        #expect(try await StorageLocation.postgres(url).count("attempts") == 300)
    }

    @Test func aSchemaFromANewerBuildIsRefusedWithTheFix() async throws {
        let url = try await PostgresTestServer.shared.makeDatabase()
        try await open(url, replica: "old").close()
        try await PostgresTestServer.shared.withConnection(to: url) { connection in
            _ = try await connection.query("UPDATE outbox_schema SET version = 99", logger: PostgresTestServer.quiet).collect()
        }
        let error = await #expect(throws: OutboxError.self) { try await open(url, replica: "new") }
        #expect(error?.description.contains("schema version 99") == true, "\(String(describing: error))")
        #expect(error?.description.contains("MAILER_DATABASE_URL") == true, "\(String(describing: error))")
    }

    @Test func anUnreachableServerIsOneClearErrorWithoutThePassword() async throws {
        // A port nothing listens on: the kernel refuses at once.
        let url = PostgresURL(host: "127.0.0.1", port: 9, username: "mailer", password: "hunter2", database: "mail", sslMode: .disable)
        let error = await #expect(throws: OutboxError.self) {
            try await PostgresOutboxStore.open(url: url, connectTimeout: .seconds(2), logger: PostgresTestServer.quiet)
        }
        let text = error?.description ?? ""
        #expect(text.contains("postgres://mailer:***@127.0.0.1:9/mail"), "\(text)")
        #expect(!text.contains("hunter2"))
    }

    @Test func sslmodeRequireRefusesAServerWithoutTLS() async throws {
        var url = try await PostgresTestServer.shared.makeDatabase()
        url.sslMode = .require
        let error = await #expect(throws: OutboxError.self) {
            try await PostgresOutboxStore.open(url: url, connectTimeout: .seconds(5), logger: PostgresTestServer.quiet)
        }
        #expect(error?.description.contains("TLS") == true, "\(String(describing: error))")
    }
}

/// MAILER_DATABASE_URL's sslmode against a server with TLS on, its certificate for `localhost`
/// from a throw-away CA.
@Suite(.enabled(if: PostgresTestServer.enabled, "no PostgreSQL binaries; CI would fail instead"))
struct PostgresTLSTests {
    func database(host: String, _ mode: PostgresURL.SSLMode, trustingTheCA: Bool) async throws -> PostgresURL {
        var url = try await PostgresTestServer.sharedTLS.makeDatabase()
        url.host = host
        url.sslMode = mode
        if trustingTheCA { url.sslRootCertificate = try await PostgresTestServer.sharedTLS.caFile() }
        return url
    }

    func roundTrip(_ url: PostgresURL) async throws {
        try await withStore(at: .postgres(url)) { store in
            let record = try await enqueued(store, now: t0)
            #expect(try await store.claimDue(now: t0, limit: 1).map(\.id) == [record.id])
        }
    }

    @Test func requireEncryptsWithoutCheckingTheCertificate() async throws {
        try await roundTrip(try await database(host: "127.0.0.1", .require, trustingTheCA: false))
    }

    @Test func verifyFullAcceptsACertificateFromTheGivenCAForTheHost() async throws {
        try await roundTrip(try await database(host: "localhost", .verifyFull, trustingTheCA: true))
    }

    @Test func verifyFullRefusesACertificateFromAnUntrustedCA() async throws {
        let url = try await database(host: "localhost", .verifyFull, trustingTheCA: false)
        let error = await #expect(throws: OutboxError.self) {
            try await PostgresOutboxStore.open(url: url, connectTimeout: .seconds(5), logger: PostgresTestServer.quiet)
        }
        #expect(error?.description.contains("TLS handshake") == true, "\(String(describing: error))")
    }

    @Test func verifyFullRefusesACertificateForAnotherHost() async throws {
        // Trusted CA, but the certificate names localhost, not 127.0.0.1.
        let url = try await database(host: "127.0.0.1", .verifyFull, trustingTheCA: true)
        let error = await #expect(throws: OutboxError.self) {
            try await PostgresOutboxStore.open(url: url, connectTimeout: .seconds(5), logger: PostgresTestServer.quiet)
        }
        #expect(error?.description.contains("TLS handshake") == true, "\(String(describing: error))")
    }
}
