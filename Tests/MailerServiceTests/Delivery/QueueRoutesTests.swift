import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMTPTestServer
import Testing
@testable import MailerService

/// The mail log and queue management over real HTTP.
@Suite struct QueueRoutesTests {
    struct Reply {
        let status: HTTPResponse.Status
        let json: [String: Any]
    }

    static func call(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String) async throws -> Reply {
        try await client.execute(uri: uri, method: method, headers: [:], body: nil) { response in
            Reply(status: response.status, json: (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:])
        }
    }

    /// A port where nothing listens now and where a server can listen later.
    static func unusedPort() async throws -> Int {
        let probe = try await SMTPTestServer.start()
        let port = probe.port
        try await probe.shutdown()
        return port
    }

    @Test func aDeferredEmailIsShownListedCountedAndCanBeCancelled() async throws {
        let port = ClosedPort.reserve()
        // No retry while the test looks: on a loaded machine it can outlast a 30 s backoff's jitter.
        try await withService(smtpPort: port, ["MAILER_RETRY_BASE_SECONDS": "3600"]) { client in
            let posted = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
            #expect(posted.json["status"] as? String == "deferred")
            let id = try #require(posted.json["id"] as? String)

            let shown = try await Self.call(client, .get, "/v1/emails/\(id)")
            #expect(shown.status == .ok)
            #expect(shown.json["status"] as? String == "deferred")
            #expect(shown.json["recipients"] as? [String] == ["ada@example.org"])
            #expect((shown.json["lastError"] as? String)?.hasPrefix("ECONNREFUSED") == true)
            let log = try #require(shown.json["attemptLog"] as? [[String: Any]])
            #expect(log.count == 1)
            #expect(log.first?["code"] as? String == "ECONNREFUSED")
            #expect(log.first?["outcome"] as? String == "deferred")

            let listed = try await Self.call(client, .get, "/v1/emails?status=deferred&limit=10")
            #expect((listed.json["emails"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            let stats = try await Self.call(client, .get, "/v1/queue/stats")
            #expect((stats.json["counts"] as? [String: Int])?["deferred"] == 1)

            let cancelled = try await Self.call(client, .delete, "/v1/emails/\(id)")
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["status"] as? String == "cancelled")
            let again = try await Self.call(client, .delete, "/v1/emails/\(id)")
            #expect(again.status == .ok, "cancelling is idempotent")

            #expect(try await Self.call(client, .get, "/v1/emails/no-such-id").status == .notFound)
            #expect(try await Self.call(client, .get, "/v1/emails?status=lost").status == .unprocessableContent)
        }
    }

    /// The outage test: the SMTP server is down, the email waits; the server comes back and a
    /// flush sends it at once instead of after the backoff.
    @Test func afterAnOutageAFlushSendsTheDeferredEmailsAtOnce() async throws {
        let port = try await Self.unusedPort()
        try await withService(smtpPort: port, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_RETRY_BASE_SECONDS": "600"]) { client in
            for code in ["1", "2", "3"] {
                let posted = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "\#(code)"}"#)
                #expect(posted.json["status"] as? String == "deferred")
            }
            let server = try await SMTPTestServer.start(host: "127.0.0.1", port: port)
            defer { Task { try? await server.shutdown() } }
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.messages.isEmpty, "the next attempt is minutes away")
            let flushed = try await Self.call(client, .post, "/v1/queue/flush")
            #expect(flushed.json["flushed"] as? Int == 3)
            #expect(try await server.waitForMessages(3).count == 3)
            // The server has them; the outbox records each right after the 250.
            var sentEmails: [[String: Any]] = []
            for _ in 0..<200 where sentEmails.count < 3 {
                sentEmails = try await Self.call(client, .get, "/v1/emails?status=sent").json["emails"] as? [[String: Any]] ?? []
                if sentEmails.count < 3 { try await Task.sleep(for: .milliseconds(10)) }
            }
            let sent = try #require(sentEmails.first)
            #expect((sent["sentAt"] as? String) != nil)
            let recall = try await Self.call(client, .delete, "/v1/emails/\(sent["id"] as? String ?? "")")
            #expect(recall.status == .conflict, "a sent email cannot be recalled")
            #expect(recall.json["code"] as? String == "ESTATE")
        }
    }

    @Test func cancellingTheWholeQueueNeedsTheConfirmation() async throws {
        let port = ClosedPort.reserve()
        try await withService(smtpPort: port, ["MAILER_RETRY_BASE_SECONDS": "3600"]) { client in
            let posted = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#, prefer: nil)
            let id = try #require(posted.json["id"] as? String)
            // While the worker holds it (`sending`) an email cannot be cancelled; wait for its deferral.
            var status: String?
            for _ in 0..<500 where status != "deferred" {
                status = try await Self.call(client, .get, "/v1/emails/\(id)").json["status"] as? String
                if status != "deferred" { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(status == "deferred")
            let refused = try await Self.call(client, .delete, "/v1/queue")
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json["field"] as? String == "confirm")
            let done = try await Self.call(client, .delete, "/v1/queue?confirm=cancel-all")
            #expect(done.status == .ok)
            #expect(done.json["cancelled"] as? Int == 1)
        }
    }
}
