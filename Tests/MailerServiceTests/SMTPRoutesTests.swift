import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import MIMEMessage
import SMTP
import NIOCore
import SMTPTestServer
import Testing
@testable import MailerService

/// `POST /v1/smtp/check` and `POST /v1/smtp/test` over real HTTP against the test server with
/// STARTTLS and AUTH.
@Suite struct SMTPRoutesTests {
    static let password = "hunter2-secret"

    /// A STARTTLS server that requires AUTH, and the service's environment for it (CA trusted).
    private func tlsServer(_ faults: [SMTPTestFault] = [], password: String = Self.password) async throws -> (SMTPTestServer, [String: String]) {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.certificates = certificates
        settings.credentials = TestCredentials(username: "alice", password: Self.password)
        settings.requireAuth = true
        settings.faults = faults
        let server = try await SMTPTestServer.start(settings)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-routes-\(UUID().uuidString)")
        let ca = try certificates.writeCA(to: directory)
        return (server, ["SMTP_USERNAME": "alice", "SMTP_PASSWORD": password, "SMTP_CA_FILE": ca.path])
    }

    private func text(_ json: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: json)) ?? Data(), as: UTF8.self)
    }

    private func steps(_ json: [String: Any]) -> [[String: Any]] { json["steps"] as? [[String: Any]] ?? [] }

    @Test func checkAnswers200WithEveryStepAndSendsNothing() async throws {
        let (server, environment) = try await tlsServer()
        try await withService(smtpPort: server.port, environment) { client in
            let answer = try await post(client, "/v1/smtp/check", "", prefer: nil)
            #expect(answer.status == .ok, "\(answer.json)")
            #expect(answer.contentType == "application/json")
            #expect(answer.json["ok"] as? Bool == true)
            #expect(answer.json["security"] as? String == "starttls")
            #expect((answer.json["server"] as? [String: Any])?["port"] as? Int == server.port)
            #expect((answer.json["probe"] as? [String: Any])?["to"] as? String == "no-reply@example.com", "the sender by default")
            #expect(steps(answer.json).map { $0["name"] as? String } == ["connect", "greeting", "EHLO", "TLS", "EHLO", "AUTH", "MAIL FROM", "RCPT TO", "RSET", "QUIT"])
            #expect(steps(answer.json).allSatisfy { $0["status"] as? String == "passed" && $0["ok"] as? Bool == true && $0["durationMs"] is Int })
            let tls = try #require(answer.json["tls"] as? [String: Any])
            #expect(tls["version"] as? String == "TLSv1.3")
            let certificate = try #require(tls["certificate"] as? [String: Any])
            #expect((certificate["subject"] as? String)?.contains("CN=localhost") == true)
            #expect(certificate["notAfter"] is String)
            #expect(answer.json["authMechanism"] as? String == "PLAIN")
            #expect((answer.json["extensions"] as? [String])?.contains("AUTH PLAIN LOGIN") == true)
            #expect(!text(answer.json).contains(Self.password))
        }
        #expect(try await ClientSupportForService.eventually { server.commands.last == "QUIT" })
        #expect(server.messages.isEmpty)
        #expect(!server.commands.contains("DATA"))
        try await server.shutdown()
    }

    @Test func aFailedCheckAnswers502WithTheReportCodeAndHint() async throws {
        let (server, environment) = try await tlsServer(password: "wrong-" + Self.password)
        let log = CapturedLog()
        try await withService(smtpPort: server.port, environment, log: log) { client in
            let answer = try await post(client, "/v1/smtp/check", "", prefer: nil)
            #expect(answer.status == .badGateway)
            #expect(answer.contentType == "application/problem+json")
            #expect(answer.json["code"] as? String == "EAUTH")
            #expect((answer.json["hint"] as? String)?.contains("SMTP_PASSWORD") == true)
            #expect(answer.json["failedStep"] as? String == "AUTH")
            #expect(answer.json["ok"] as? Bool == false)
            let auth = try #require(steps(answer.json).first { $0["name"] as? String == "AUTH" })
            #expect(auth["status"] as? String == "failed")
            #expect((auth["smtp"] as? [String: Any])?["code"] as? Int == 535)
            #expect(steps(answer.json).suffix(4).allSatisfy { $0["status"] as? String == "skipped" })
            #expect(!text(answer.json).contains(Self.password))
        }
        #expect(!log.text.contains(Self.password))
        try await server.shutdown()
    }

    @Test func checkProbesTheGivenRecipient() async throws {
        let (server, environment) = try await tlsServer([.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody")])
        try await withService(smtpPort: server.port, environment) { client in
            let refused = try await post(client, "/v1/smtp/check", #"{"to": "nobody@example.org"}"#, prefer: nil)
            #expect(refused.status == .badGateway)
            #expect(refused.json["code"] as? String == "EENVELOPE")
            #expect(refused.json["failedStep"] as? String == "RCPT TO")
            #expect((refused.json["probe"] as? [String: Any])?["to"] as? String == "nobody@example.org")
            let fine = try await post(client, "/v1/smtp/check", #"{"to": "Ada <ada@example.org>"}"#, prefer: nil)
            #expect(fine.status == .ok)
        }
        #expect(server.messages.isEmpty)
        try await server.shutdown()
    }

    @Test func badBodiesGetClearErrors() async throws {
        let (server, environment) = try await tlsServer()
        try await withService(smtpPort: server.port, environment) { client in
            for path in ["/v1/smtp/check", "/v1/smtp/test"] {
                let malformed = try await post(client, path, #"{"to": "#, prefer: nil)
                #expect(malformed.status == .badRequest, "\(path)")
                #expect(malformed.json["code"] as? String == "EVALIDATION")
                #expect((malformed.json["detail"] as? String)?.contains("not valid JSON") == true)

                let notAnAddress = try await post(client, path, #"{"to": "not an address"}"#, prefer: nil)
                #expect(notAnAddress.status == .unprocessableContent, "\(path)")
                #expect(notAnAddress.json["field"] as? String == "to")
                #expect((notAnAddress.json["detail"] as? String)?.contains("not a valid email address") == true)

                let number = try await post(client, path, #"{"to": 5}"#, prefer: nil)
                #expect(number.status == .unprocessableContent)
                #expect((number.json["detail"] as? String)?.contains("got a number") == true)

                let unknown = try await post(client, path, #"{"to": "ada@example.org", "cc": "bob@example.org"}"#, prefer: nil)
                #expect(unknown.status == .unprocessableContent)
                #expect(unknown.json["field"] as? String == "cc")

                let array = try await post(client, path, #"["ada@example.org"]"#, prefer: nil)
                #expect(array.status == .badRequest)
            }
            let missing = try await post(client, "/v1/smtp/test", "{}", prefer: nil)
            #expect(missing.status == .unprocessableContent)
            #expect((missing.json["detail"] as? String)?.contains("'to' is required") == true)
            let empty = try await post(client, "/v1/smtp/test", "", prefer: nil)
            #expect(empty.status == .badRequest)
        }
        #expect(server.connectionCount == 0, "nothing reached the SMTP server")
        try await server.shutdown()
    }

    @Test func testSendsARealMessageSayingWhatCarriedIt() async throws {
        let (server, environment) = try await tlsServer()
        try await withService(smtpPort: server.port, environment) { client in
            let answer = try await post(client, "/v1/smtp/test", #"{"to": "ada@example.org"}"#, prefer: nil)
            #expect(answer.status == .ok, "\(answer.json)")
            #expect(answer.json["status"] as? String == "sent")
            let smtp = try #require(answer.json["smtp"] as? [String: Any])
            #expect(smtp["code"] as? Int == 250)
            #expect(smtp["security"] as? String == "starttls")
            #expect(smtp["authMechanism"] as? String == "PLAIN")
            #expect((smtp["tls"] as? [String: Any])?["version"] as? String == "TLSv1.3")
        }
        let message = try #require(try await server.waitForMessages(1).first)
        #expect(message.recipients == ["ada@example.org"])
        #expect(message.tls)
        #expect(message.authenticatedUser == "alice")
        #expect(message.data.contains("Subject: mailer test message"))
        #expect(message.data.contains("multipart/alternative"))
        #expect(message.data.contains("127.0.0.1:\(server.port)"))
        #expect(message.data.contains("TLSv1.3"))
        try await server.shutdown()
    }

    @Test func aTestMessageThatIsRefusedAnswers502LikeAFailedDelivery() async throws {
        let (server, environment) = try await tlsServer([.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: nil)])
        try await withService(smtpPort: server.port, environment) { client in
            let answer = try await post(client, "/v1/smtp/test", #"{"to": "ada@example.org"}"#, prefer: nil)
            #expect(answer.status == .badGateway)
            #expect(answer.contentType == "application/problem+json")
            #expect(answer.json["code"] as? String == "EENVELOPE")
            #expect(answer.json["rejectedRecipients"] as? [String] == ["ada@example.org"])
            #expect(answer.json["hint"] is String)
            #expect((answer.json["smtp"] as? [String: Any])?["code"] as? Int == 550)
        }
        #expect(server.messages.isEmpty)
        try await server.shutdown()
    }
}

enum ClientSupportForService {
    /// Polls `condition` for up to five seconds: for what the server sees after the answer.
    static func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }
}

/// The test message is composed like every other email: DKIM-signed when DKIM is configured.
@Suite struct TestEmailCompositionTests {
    @Test func withDKIMConfiguredTheTestMessageIsSignedAndSaysSo() throws {
        let seed = (0..<32).map { _ in UInt8.random(in: 0...255) }
        let pem = "-----BEGIN PRIVATE KEY-----\n"
            + Data([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20] + seed).base64EncodedString()
            + "\n-----END PRIVATE KEY-----\n"
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 2525, [
            "DKIM_DOMAIN": "example.com", "DKIM_SELECTOR": "mail2026", "DKIM_PRIVATE_KEY": pem,
        ]))
        let sender = TestEmailSender(configuration: configuration, client: try SMTP.SMTPClient(configuration: configuration.smtp))
        let session = SMTP.SMTPSessionInfo(host: "127.0.0.1", port: 2525, tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256")
        let mail = try sender.compose(to: try EmailAddress(parsing: "ada@example.org"), session: session)
        let text = String(decoding: mail.content, as: UTF8.self)
        #expect(text.hasPrefix("DKIM-Signature: "))
        #expect(text.contains("d=example.com"))
        // The body is quoted-printable with soft line breaks; the facts are checked before encoding.
        #expect(TestEmailSender.facts(configuration: configuration, session: session)
            == ["127.0.0.1:2525", "STARTTLS", "TLSv1.3 (TLS_AES_128_GCM_SHA256)", "no AUTH", "DKIM-signed for example.com (selector mail2026)"])
        #expect(mail.recipients == ["ada@example.org"])
        #expect(mail.sender == "no-reply@example.com")
    }
}
