import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMTPTestServer
import Testing
@testable import MailerService

/// The HTTP side of the outbox: stored before the answer, idempotent retries.
@Suite struct OutboxRoutesTests {
    static func post(_ client: any TestClientProtocol, key: String?) async throws -> (status: HTTPResponse.Status, replayed: Bool, json: [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let key { headers[HTTPField.Name("Idempotency-Key")!] = key }
        return try await client.execute(uri: "/v1/emails/verification", method: .post, headers: headers,
                                        body: ByteBuffer(string: #"{"to": "ada@example.org", "code": "1"}"#)) { response in
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return (response.status, response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true", json)
        }
    }

    // Time limit: a replay that kept the hand-off place it took would make the service's stop hang.
    @Test(.timeLimit(.minutes(1))) func theSameIdempotencyKeyPosted20TimesConcurrentlyQueuesOneEmail() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        // Off: concurrent duplicates each hold a share of one address's budget until the outbox
        // tells them they are replays, and 20 of them are more than MAILER_PER_RECIPIENT_PER_HOUR.
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_PER_RECIPIENT_PER_HOUR": "0"]) { client in
            let answers = try await withThrowingTaskGroup(of: (status: HTTPResponse.Status, replayed: Bool, id: String?).self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let answer = try await Self.post(client, key: "signup-4711")
                        return (answer.status, answer.replayed, answer.json["id"] as? String)
                    }
                }
                var answers: [(status: HTTPResponse.Status, replayed: Bool, id: String?)] = []
                for try await answer in group { answers.append(answer) }
                return answers
            }
            #expect(answers.allSatisfy { $0.status == .accepted })
            #expect(Set(answers.compactMap(\.id)).count == 1, "every answer names the one email")
            #expect(answers.filter(\.replayed).count == 19)
            // A different key is a different email.
            let other = try await Self.post(client, key: "signup-4712")
            #expect(other.replayed == false)
        }
        _ = try await server.waitForMessages(2)
        try await Task.sleep(for: .milliseconds(300))
        #expect(server.messages.count == 2)
    }

    @Test func aTooLongIdempotencyKeyIsRefused() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let answer = try await Self.post(client, key: String(repeating: "k", count: 256))
            #expect(answer.status == .unprocessableContent)
            #expect(answer.json["field"] as? String == "Idempotency-Key")
        }
        #expect(server.messages.isEmpty)
    }

    @Test func anAcceptedEmailSurvivesARestartOfTheService() async throws {
        // The first service accepts while its SMTP server is unreachable; the second, on the same
        // data folder, sends it (to another server: the stored email does not depend on it).
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("restart-\(UUID().uuidString)").path
        let downPort = ClosedPort.reserve()
        try await withService(smtpPort: downPort, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_DATA_DIR": data, "MAILER_RETRY_BASE_SECONDS": "0.2"]) { client in
            let answer = try await MailerServiceTests.post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "77"}"#, prefer: nil)
            #expect(answer.status == .accepted)
        }
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_DATA_DIR": data, "MAILER_RETRY_BASE_SECONDS": "0.2"]) { _ in
            _ = try await server.waitForMessages(1, timeout: .seconds(10))
        }
        #expect(server.messages.first?.data.contains("77") == true)
    }
}

@Suite struct DataDirectoryLockTests {
    @Test func aSecondServiceOnTheSameOutboxIsRefusedAtStartUp() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("locked-\(UUID().uuidString)").path
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["MAILER_DATA_DIR": data]) { _ in
            let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: server.port, ["MAILER_DATA_DIR": data]))
            do {
                _ = try await MailerApplication.build(configuration: configuration, logger: CapturedLog().logger)
                Issue.record("a second service on the same MAILER_DATA_DIR must not start")
            } catch let error as ConfigurationError {
                #expect(error.problems.first?.variable == "MAILER_DATA_DIR")
                #expect(error.problems.first?.message.contains("in use by another running mailer") == true)
            }
        }
    }
}
