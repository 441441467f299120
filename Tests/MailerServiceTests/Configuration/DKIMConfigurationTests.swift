import CryptoExtras
import DKIM
import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

@Suite struct DKIMConfigurationTests {
    static let rsaPEM = try! _RSA.Signing.PrivateKey(keySize: .bits2048).pemRepresentation

    static func problems(_ extra: [String: String]) -> [ConfigurationProblem] { configurationProblems(extra) }

    @Test func withoutDKIMVariablesNothingIsSigned() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25))
        #expect(configuration.dkim == nil)
        #expect(configuration.redactedSummary["dkim"] == "off")
    }

    @Test func anInlineKeyWithLiteralNewlinesIsRead() throws {
        let oneLine = Self.rsaPEM.replacingOccurrences(of: "\n", with: "\\n")
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, [
            "DKIM_DOMAIN": "Example.com", "DKIM_SELECTOR": "mail2026", "DKIM_PRIVATE_KEY": oneLine,
        ]))
        #expect(configuration.dkim?.domain == "example.com")
        #expect(configuration.dkim?.selector == "mail2026")
        #expect(configuration.redactedSummary["dkim"] == "rsa-sha256 d=example.com s=mail2026")
        #expect(!configuration.redactedSummary.values.contains { $0.contains("PRIVATE KEY") })
    }

    @Test func aKeyFileIsRead() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("dkim-\(UUID().uuidString).pem").path
        try Self.rsaPEM.write(toFile: file, atomically: true, encoding: .utf8)
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, [
            "DKIM_DOMAIN": "example.com", "DKIM_SELECTOR": "s1", "DKIM_PRIVATE_KEY_FILE": file,
        ]))
        #expect(configuration.dkim?.key.algorithm == "rsa-sha256")
    }

    @Test func incompleteOrBadSettingsNameTheVariableAndNeverTheKey() {
        #expect(Self.problems(["DKIM_DOMAIN": "example.com"]).map(\.variable).sorted() == ["DKIM_PRIVATE_KEY", "DKIM_SELECTOR"])
        let bad = Self.problems(["DKIM_DOMAIN": "example.com", "DKIM_SELECTOR": "s1", "DKIM_PRIVATE_KEY": "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----"])
        #expect(bad.map(\.variable) == ["DKIM_PRIVATE_KEY"])
        #expect(!bad.description.contains("c2VjcmV0"))
        #expect(Self.problems(["DKIM_DOMAIN": "not a domain", "DKIM_SELECTOR": "s1", "DKIM_PRIVATE_KEY": Self.rsaPEM]).map(\.variable) == ["DKIM_DOMAIN"])
        #expect(Self.problems(["DKIM_DOMAIN": "example.com", "DKIM_SELECTOR": "s1", "DKIM_PRIVATE_KEY": Self.rsaPEM, "DKIM_PRIVATE_KEY_FILE": "/x"]).map(\.variable) == ["DKIM_PRIVATE_KEY_FILE"])
        #expect(Self.problems(["DKIM_DOMAIN": "example.com", "DKIM_SELECTOR": "s1", "DKIM_PRIVATE_KEY_FILE": "/nonexistent/key.pem"]).map(\.variable) == ["DKIM_PRIVATE_KEY_FILE"])
    }

    @Test func sentEmailsCarryTheSignatureAndTheLogShowsTheRecordToPublish() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let log = CapturedLog()
        try await withService(smtpPort: server.port, [
            "SMTP_OPPORTUNISTIC_TLS": "false", "DKIM_DOMAIN": "example.com", "DKIM_SELECTOR": "mail", "DKIM_PRIVATE_KEY": Self.rsaPEM,
        ], log: log) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "493817"}"#)
            #expect(answer.status == .ok)
        }
        let message = try #require(try await server.waitForMessages(1).first)
        #expect(message.data.hasPrefix("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=mail;"))
        let record = try #require(log.records.first { ($0["msg"] as? String)?.hasPrefix("DKIM signing on") == true })
        #expect(record["dns_name"] as? String == "mail._domainkey.example.com")
        #expect((record["dns_txt"] as? String)?.hasPrefix("v=DKIM1; k=rsa; p=MII") == true)
        #expect(!log.text.contains("PRIVATE KEY"))
    }
}
