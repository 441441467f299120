import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Outbox
import SMTP
import SMTPTestServer
import SQLiteNIO
import Testing
@testable import MailerService

/// GET /readyz: ready when the outbox can store an email; the templates and the SMTP provider are
/// reported, never judged.
@Suite struct ReadinessTests {
    @Test func readyWithTheLastSMTPConnectionReported() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let before = try await get(client, "/readyz")
            #expect(before.status == .ok)
            #expect(before.contentType == "application/json")
            #expect(before.json["status"] as? String == "ready")
            let checks = try #require(before.json["checks"] as? [String: Any])
            #expect((checks["outbox"] as? [String: Any])?["ok"] as? Bool == true)
            #expect((checks["templates"] as? [String: Any])?["ok"] as? Bool == true)
            #expect(((checks["templates"] as? [String: Any])?["count"] as? Int ?? 0) >= 3)
            let primaryBefore = try #require((before.json["smtp"] as? [String: Any])?["primary"] as? [String: Any])
            #expect(primaryBefore["lastConnection"] is NSNull, "no session was needed yet")
            #expect(primaryBefore["port"] as? Int == server.port)

            #expect(try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#).status == .ok)
            let after = try await get(client, "/readyz")
            let last = try #require(((after.json["smtp"] as? [String: Any])?["primary"] as? [String: Any])?["lastConnection"] as? [String: Any])
            #expect(last["ok"] as? Bool == true)
            let at = try #require(last["at"] as? String)
            #expect(try abs(Date(at, strategy: .iso8601).timeIntervalSinceNow) < 30)
        }
    }

    @Test func anSMTPOutageIsReportedWithoutFailingReadiness() async throws {
        let downPort = ClosedPort.reserve()
        try await withService(smtpPort: downPort, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_RETRY_BASE_SECONDS": "600"]) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
            #expect(answer.json["status"] as? String == "deferred")
            let ready = try await get(client, "/readyz")
            #expect(ready.status == .ok, "emails are accepted and kept while the provider is down")
            let last = try #require(((ready.json["smtp"] as? [String: Any])?["primary"] as? [String: Any])?["lastConnection"] as? [String: Any])
            #expect(last["ok"] as? Bool == false)
            #expect(last["code"] as? String == "ECONNREFUSED")
            #expect((last["hint"] as? String)?.isEmpty == false)
            #expect(last["at"] is String)

            let metrics = Exposition(try await get(client, "/metrics").body)
            #expect(metrics.value("mailer_emails_deferred_total", ["template": "verification", "code": "ECONNREFUSED"]) == 1)
            #expect(metrics.value("mailer_queue_depth", ["state": "deferred"]) == 1)
            #expect(metrics.value("mailer_smtp_connect_seconds_count") == 0, "no session was established")
        }
    }

    /// Another process holding the outbox's write lock longer than the busy timeout: the service
    /// could not store an email now, so it is not ready.
    @Test func notReadyWhileTheOutboxCannotBeWritten() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("readyz-\(UUID().uuidString)").path
        try await withService(smtpPort: server.port, ["MAILER_DATA_DIR": data]) { client in
            #expect(try await get(client, "/readyz").status == .ok)
            let other = try await SQLiteConnection.open(storage: .file(path: data + "/outbox.sqlite3"))
            _ = try await other.query("BEGIN IMMEDIATE")
            // The last probe's answer is reused for a second (concurrentProbesShareOneWrite).
            try await Task.sleep(for: .milliseconds(1100))
            let blocked = try await get(client, "/readyz")
            _ = try await other.query("ROLLBACK")
            try await other.close()
            try await Task.sleep(for: .milliseconds(1100))

            #expect(blocked.status == .serviceUnavailable)
            #expect(blocked.contentType == "application/problem+json")
            #expect(blocked.json["code"] as? String == "EOUTBOX")
            #expect((blocked.json["detail"] as? String)?.contains("the outbox cannot store emails") == true)
            let outbox = try #require((blocked.json["checks"] as? [String: Any])?["outbox"] as? [String: Any])
            #expect(outbox["ok"] as? Bool == false)
            #expect(blocked.json["smtp"] is [String: Any])

            #expect(try await get(client, "/readyz").status == .ok, "ready again once the lock is gone")
        }
    }

    /// Unauthenticated and a committed write: a flood of probes shares one write per second.
    @Test func concurrentProbesShareOneWrite() async throws {
        let store = try await OutboxStore.open(path: FileManager.default.temporaryDirectory.appendingPathComponent("probes-\(UUID().uuidString)/outbox.sqlite3").path)
        let catalog = try EmailTemplateCatalog(directory: templatesDirectory)
        let check = ReadinessCheck(templates: TemplateStore(catalog), store: store, providers: [], probeMaximumAge: .seconds(60))
        let before = store.committedWrites
        let reports = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<50 { group.addTask { await check.run().ready } }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(reports == Array(repeating: true, count: 50))
        #expect(store.committedWrites - before == 1)
        let fresh = ReadinessCheck(templates: TemplateStore(catalog), store: store, providers: [], probeMaximumAge: .zero)
        _ = await fresh.run()
        _ = await fresh.run()
        #expect(store.committedWrites - before == 3, "an expired answer is measured again")
        try await store.close()
    }

    @Test func notReadyOnAClosedOutbox() async throws {
        let store = try await OutboxStore.open(path: FileManager.default.temporaryDirectory.appendingPathComponent("closed-\(UUID().uuidString)/outbox.sqlite3").path)
        try await store.close()
        let catalog = try EmailTemplateCatalog(directory: templatesDirectory)
        let router = Router()
        router.add(middleware: ProblemMiddleware())
        HealthRoutes(readiness: ReadinessCheck(templates: TemplateStore(catalog), store: store, providers: [])).register(on: router)
        let app = Application(router: router, logger: Logger(label: "test"))
        try await app.test(.live) { client in
            let answer = try await get(client, "/readyz")
            #expect(answer.status == .serviceUnavailable)
            #expect(answer.json["code"] as? String == "EOUTBOX")
            #expect(try await get(client, "/healthz").status == .ok, "liveness does not look at the outbox")
        }
    }
}
