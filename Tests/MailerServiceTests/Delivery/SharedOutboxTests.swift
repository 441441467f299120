import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PostgresTestSupport
import SMTPTestServer
import Testing
@testable import MailerService

/// Two services on one PostgreSQL outbox (MAILER_DATABASE_URL), the way replicas run: both start
/// on the same data folder (its lock is for the SQLite outbox only), share the queue, send each
/// email once, and answer for each other's emails.
@Suite(.enabled(if: PostgresTestServer.enabled, "no PostgreSQL binaries; CI would fail instead"))
struct SharedOutboxTests {
    @Test func twoServicesOnOneDatabaseSendEachEmailOnceAndSeeEachOthersEmails() async throws {
        let database = try await PostgresTestServer.shared.makeDatabase()
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("shared-\(UUID().uuidString)").path
        let variables = [
            "MAILER_DATABASE_URL": "\(database)", "MAILER_DATA_DIR": data,
            "SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_PER_RECIPIENT_PER_HOUR": "0",
        ]
        try await withService(smtpPort: server.port, variables) { first in
            try await withService(smtpPort: server.port, variables) { second in
                var ids: [String] = []
                for index in 0..<20 {
                    let client = index.isMultiple(of: 2) ? first : second
                    let answer = try await post(client, "/v1/emails/verification", #"{"to": "user\#(index)@example.org", "code": "\#(index)"}"#, prefer: nil)
                    #expect(answer.status == .accepted)
                    if let id = answer.json["id"] as? String { ids.append(id) }
                }
                // One Idempotency-Key posted to both: one email.
                var keyed: [String] = []
                for client in [first, second, first] {
                    var headers: HTTPFields = [.contentType: "application/json"]
                    headers[HTTPField.Name("Idempotency-Key")!] = "order-4711"
                    let id = try await client.execute(
                        uri: "/v1/emails/verification", method: .post, headers: headers,
                        body: ByteBuffer(string: #"{"to": "keyed@example.org", "code": "4711"}"#)
                    ) { response in
                        ((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any])?["id"] as? String
                    }
                    keyed += id.map { [$0] } ?? []
                }
                #expect(keyed.count == 3 && Set(keyed).count == 1, "\(keyed)")

                _ = try await server.waitForMessages(21, timeout: .seconds(20))
                try await Task.sleep(for: .milliseconds(500))
                #expect(server.messages.count == 21, "each email once: \(server.messages.count)")
                // The mail log is one: the second service shows an email the first accepted.
                let shown = try await first.execute(uri: "/v1/emails/\(ids[1])", method: .get) { $0.status }
                #expect(shown == .ok)
                // An outcome is recorded just after the server took the email: wait for the last ones.
                var sent: Int?
                let deadline = ContinuousClock.now + .seconds(10)
                repeat {
                    sent = try await second.execute(uri: "/v1/queue/stats", method: .get) { response in
                        (((try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any])?["counts"] as? [String: Any])?["sent"] as? Int
                    }
                    if sent == 21 { break }
                    try await Task.sleep(for: .milliseconds(100))
                } while ContinuousClock.now < deadline
                #expect(sent == 21)
            }
        }
    }
}
