import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMTPTestServer
import Testing
@testable import MailerService

/// X-Request-ID over real HTTP: echoed, logged with the request and with the delivery attempt.
@Suite struct RequestIDTests {
    static let header = HTTPField.Name("X-Request-ID")!

    static func send(_ client: any TestClientProtocol, requestID: String?) async throws -> (status: HTTPResponse.Status, echoed: String?, id: String?) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let requestID { headers[header] = requestID }
        return try await client.execute(
            uri: "/v1/emails/verification", method: .post, headers: headers,
            body: ByteBuffer(string: #"{"to": "ada@example.org", "code": "493817"}"#)
        ) { response in
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
            return (response.status, response.headers[header], json?["id"] as? String)
        }
    }

    @Test func theCallersIDIsEchoedAndFollowsTheEmailIntoTheDeliveryLog() async throws {
        let server = try await SMTPTestServer.start()
        let log = CapturedLog()
        try await withService(smtpPort: server.port, log: log) { client in
            let (status, echoed, id) = try await Self.send(client, requestID: "checkout-7f3a/42")
            #expect(status == .accepted)
            #expect(echoed == "checkout-7f3a/42")
            _ = try await server.waitForMessages(1)
            var sent: [String: Any]?
            for _ in 0..<200 where sent == nil {
                sent = log.records.first { $0["msg"] as? String == "email sent" }
                if sent == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let accepted = log.records.first { $0["msg"] as? String == "email accepted" }
            #expect(accepted?["request_id"] as? String == "checkout-7f3a/42")
            #expect(accepted?["recipient_domain"] as? String == "example.org")
            #expect(accepted?["duration_ms"] is Int)
            #expect(accepted?["recipient_addresses"] == nil, "addresses are logged only with MAILER_LOG_RECIPIENTS=true")
            #expect(sent?["request_id"] as? String == "checkout-7f3a/42")
            #expect(sent?["email_id"] as? String == id)
            #expect(sent?["recipient_domain"] as? String == "example.org")
            #expect(sent?["smtp_code"] as? Int == 250)
            try await client.execute(uri: "/v1/emails/\(id ?? "")", method: .get) { response in
                let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any]
                #expect(json?["requestId"] as? String == "checkout-7f3a/42")
            }
        }
        try await server.shutdown()
        #expect(!log.text.contains("ada@example.org"))
    }

    /// At MAILER_LOG_LEVEL=warning the worker skips the attempt's fields for a delivered email
    /// (nothing of it is logged), but a failed attempt's line still carries every one of them.
    @Test func atWarningLevelADeferredAttemptStillCarriesTheAttemptsFields() async throws {
        let log = CapturedLog(level: .warning)
        let port = ClosedPort.reserve()
        try await withService(smtpPort: port, log: log) { client in
            let (status, _, id) = try await Self.send(client, requestID: "retry-me-1")
            #expect(status == .accepted)
            var deferred: [String: Any]?
            for _ in 0..<500 where deferred == nil {
                deferred = log.records.first { $0["msg"] as? String == "email deferred" }
                if deferred == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(deferred?["email_id"] as? String == id)
            #expect(deferred?["template"] as? String == "verification")
            #expect(deferred?["attempt"] as? Int == 1)
            #expect(deferred?["smtp_host"] as? String == "127.0.0.1")
            #expect(deferred?["request_id"] as? String == "retry-me-1")
            #expect(deferred?["recipient_domain"] as? String == "example.org")
            #expect(deferred?["code"] as? String == "ECONNREFUSED")
        }
        #expect(!log.records.contains { $0["level"] as? String == "info" })
    }

    @Test func withoutOneOrWithAnUnsafeOneAnIDIsMade() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            let (_, made, _) = try await Self.send(client, requestID: nil)
            #expect(made?.count == 32 && made?.allSatisfy(\.isHexDigit) == true, "\(made ?? "nil")")
            let (_, replaced, _) = try await Self.send(client, requestID: "has space\" and quote")
            #expect(replaced != nil && replaced != "has space\" and quote" && replaced != made)
            let (_, tooLong, _) = try await Self.send(client, requestID: String(repeating: "x", count: 129))
            #expect(tooLong?.count == 32)
            // Refused requests carry one too, so a caller can quote it when asking why.
            try await client.execute(uri: "/v1/nowhere", method: .get, headers: [Self.header: "lost-1"]) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[Self.header] == "lost-1")
            }
        }
    }

    @Test func withLogRecipientsTheAddressesAreLogged() async throws {
        let server = try await SMTPTestServer.start()
        let log = CapturedLog()
        try await withService(smtpPort: server.port, ["MAILER_LOG_RECIPIENTS": "true"], log: log) { client in
            _ = try await Self.send(client, requestID: nil)
            _ = try await server.waitForMessages(1)
        }
        try await server.shutdown()
        let accepted = log.records.first { $0["msg"] as? String == "email accepted" }
        #expect(accepted?["recipient_addresses"] as? [String] == ["ada@example.org"])
    }
}
