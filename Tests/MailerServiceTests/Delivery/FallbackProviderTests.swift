import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// SMTP_FALLBACK_*: the second provider takes attempts the first could not even be reached for.
@Suite struct FallbackProviderTests {
    @Test func anUnreachablePrimarySendsThroughTheFallbackAndTheAttemptSaysSo() async throws {
        let fallback = try await SMTPTestServer.start()
        defer { Task { try? await fallback.shutdown() } }
        let log = CapturedLog()
        try await withService(smtpPort: ClosedPort.reserve(), [
            "SMTP_OPPORTUNISTIC_TLS": "false",
            "SMTP_FALLBACK_HOST": "127.0.0.1", "SMTP_FALLBACK_PORT": "\(fallback.port)", "SMTP_FALLBACK_OPPORTUNISTIC_TLS": "false",
        ], log: log) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
            #expect(answer.status == .ok, "\(answer.json)")
            let id = try #require(answer.json["id"] as? String)
            let shown = try await QueueRoutesTests.call(client, .get, "/v1/emails/\(id)")
            #expect(shown.json["provider"] as? String == "fallback")
        }
        #expect(try await fallback.waitForMessages(1).count == 1)
        let warning = log.records.first { ($0["msg"] as? String)?.hasPrefix("primary SMTP server unreachable") == true }
        #expect(warning?["code"] as? String == "ECONNREFUSED")
        #expect(log.records.first { $0["msg"] as? String == "email sent" }?["provider"] as? String == "fallback")
    }

    @Test func aRecipientThePrimaryRefusesIsNotSentElsewhere() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: nil)]
        let primary = try await SMTPTestServer.start(settings)
        let fallback = try await SMTPTestServer.start()
        defer { Task { try? await primary.shutdown(); try? await fallback.shutdown() } }
        try await withService(smtpPort: primary.port, [
            "SMTP_OPPORTUNISTIC_TLS": "false",
            "SMTP_FALLBACK_HOST": "127.0.0.1", "SMTP_FALLBACK_PORT": "\(fallback.port)",
        ]) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
            #expect(answer.status == .badGateway)
            #expect(answer.json["code"] as? String == "EENVELOPE")
        }
        #expect(fallback.connectionCount == 0)
    }

    @Test func fallbackVariablesAreCheckedLikeThePrimaryOnesAndItsPasswordIsRedacted() throws {
        #expect {
            _ = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["SMTP_FALLBACK_HOST": "backup.example.com", "SMTP_FALLBACK_TLS": "maybe"]))
        } throws: { error in
            let variables = (error as! ConfigurationError).problems.map(\.variable)
            return variables.contains("SMTP_FALLBACK_PORT") && variables.contains("SMTP_FALLBACK_TLS")
        }
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, [
            "SMTP_FALLBACK_HOST": "backup.example.com", "SMTP_FALLBACK_PORT": "465", "SMTP_FALLBACK_TLS": "true",
            "SMTP_FALLBACK_USERNAME": "bob", "SMTP_FALLBACK_PASSWORD": "fallback-secret-99",
        ]))
        #expect(configuration.fallbackSMTP?.security == .implicitTLS)
        #expect(configuration.redactedSummary["smtp_fallback"]?.contains("<redacted>") == true)
        #expect(!configuration.redactedSummary.values.contains { $0.contains("fallback-secret-99") })
    }

    /// The fallback's variables are the primary's with another prefix, so no literal in the sources
    /// names them: each one the fallback reads must still be in .env.example, like its twin.
    @Test func everyVariableTheFallbackReadsIsDocumentedInTheEnvExample() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardized
        let documented = Set(try String(contentsOf: root.appendingPathComponent(".env.example"), encoding: .utf8)
            .split(separator: "\n")
            .compactMap { line -> String? in
                // "NAME=value" or "#NAME=example", as the file writes an optional one.
                let setting = line.drop { $0 == "#" || $0 == " " }
                guard let equals = setting.firstIndex(of: "=") else { return nil }
                let name = setting[..<equals]
                return !name.isEmpty && name.allSatisfy { $0.isUppercase || $0.isNumber || $0 == "_" } ? String(name) : nil
            })
        for prefix in [MailerConfiguration.primaryPrefix, MailerConfiguration.fallbackPrefix] {
            var env = EnvironmentReader(environment: [:])
            _ = MailerConfiguration.readServer(&env, prefix: prefix)
            #expect(env.namesRead.count >= 12, "\(env.namesRead.sorted())")
            for name in env.namesRead.sorted() {
                let isDocumented = documented.contains(name)
                #expect(isDocumented, "\(name) is read but not in .env.example")
            }
        }
    }

    /// A problem the SMTP client finds in the fallback's settings (e.g. an unreadable CA file) is
    /// reported under the variable the operator set for the fallback.
    @Test func theFallbacksProblemsNameItsOwnVariables() {
        #expect(MailerConfiguration.fallbackVariable("SMTP_CA_FILE") == "SMTP_FALLBACK_CA_FILE")
        #expect(MailerConfiguration.fallbackVariable("SMTP_CIPHER_SPEC") == "SMTP_FALLBACK_CIPHER_SPEC")
        #expect(MailerConfiguration.fallbackVariable("MAILER_HELO_NAME") == "MAILER_HELO_NAME")
    }
}
