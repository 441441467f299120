import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// Emails accepted over HTTP travel on pooled SMTP sessions.
@Suite struct PooledDeliveryTests {
    @Test func consecutiveEmailsShareOneSessionAndTheLogSaysSo() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let log = CapturedLog()
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"], log: log) { client in
            for code in ["111111", "222222", "333333"] {
                let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "\#(code)"}"#)
                #expect(answer.status == .ok)
            }
        }
        #expect(try await server.waitForMessages(3).map(\.connectionNumber) == [1, 1, 1])
        let sent = log.records.filter { $0["msg"] as? String == "email sent" }
        #expect(sent.compactMap { $0["smtp_connection_message"] as? Int } == [1, 2, 3])
    }

    /// The server closed the pooled session while it was idle (its own timeout, shorter than
    /// SMTP_POOL_IDLE_SECONDS): the next email still goes out, on a new session.
    @Test func anEmailAfterTheServerClosedTheIdleSessionIsStillSent() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false", "SMTP_POOL_IDLE_SECONDS": "60"]) { client in
            let first = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
            #expect(first.status == .ok)
            // The session is back in the pool: the answer came after the attempt released it.
            await server.closeOpenConnections(announce: true)
            let second = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "2"}"#)
            #expect(second.status == .ok, "\(second.json)")
        }
        #expect(try await server.waitForMessages(2).map(\.connectionNumber) == [1, 2])
    }

    @Test func theSessionIsClosedWithQUITOnShutdown() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
            #expect(answer.status == .ok)
            #expect(!server.commands.contains("QUIT"), "the session stays open between emails")
        }
        #expect(try await ClientWait.eventually { server.commands.last == "QUIT" })
    }
}

enum ClientWait {
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}
