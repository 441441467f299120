import Testing
@testable import MailerService

/// MAILER_API_AUTH and MAILER_API_TOKENS as configuration: what they turn into, and the problem
/// lines when they are wrong.
@Suite struct APIAuthenticationConfigurationTests {
    static func configuration(_ extra: [String: String]) throws(ConfigurationError) -> MailerConfiguration {
        try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, extra))
    }

    static func problems(_ extra: [String: String]) -> [ConfigurationProblem] { configurationProblems(extra) }

    @Test func withoutTokensATokenIsGenerated() throws {
        let configuration = try Self.configuration(["MAILER_API_TOKENS": ""])
        guard case .generatedToken = configuration.apiAuthentication else {
            Issue.record("expected a generated token, got \(configuration.apiAuthentication)")
            return
        }
        #expect(configuration.redactedSummary["mailer_api_auth"]?.contains("generated") == true)
        #expect(try Self.configuration(["MAILER_API_TOKENS": "", "MAILER_API_AUTH": "Bearer"]).redactedSummary["mailer_api_auth"]?.contains("generated") == true)
    }

    @Test func tokensAreReadAndOnlyTheirNamesAreShown() throws {
        let configuration = try Self.configuration(["MAILER_API_TOKENS": "app:app-secret-1, ops:ops-secret-2,anon-secret-3"])
        guard case .bearer(let tokens) = configuration.apiAuthentication else {
            Issue.record("expected tokens, got \(configuration.apiAuthentication)")
            return
        }
        #expect(tokens.names == ["app", "ops", "token3"])
        #expect(configuration.redactedSummary["mailer_api_auth"] == "bearer, tokens: app, ops, token3")
        #expect(!configuration.redactedSummary.values.contains { $0.contains("secret") })
        #expect(!"\(configuration)".contains("secret"))
        #expect(!String(reflecting: configuration).contains("secret"))
    }

    @Test func noneTurnsAuthenticationOffOnlyWhenAskedFor() throws {
        for value in ["none", "NONE"] {
            let configuration = try Self.configuration(["MAILER_API_TOKENS": "", "MAILER_API_AUTH": value])
            guard case .none = configuration.apiAuthentication else {
                Issue.record("MAILER_API_AUTH=\(value): \(configuration.apiAuthentication)")
                continue
            }
            #expect(configuration.redactedSummary["mailer_api_auth"]?.hasPrefix("none") == true)
        }
    }

    @Test func anUnknownModeIsAProblemLine() {
        let problems = Self.problems(["MAILER_API_AUTH": "basic"])
        #expect(problems.map(\.variable) == ["MAILER_API_AUTH"])
        #expect(problems.first?.message.contains("must be bearer") == true)
        #expect(problems.first?.message.contains("\"basic\"") == true)
    }

    @Test func noneTogetherWithTokensIsAProblemLine() {
        let problems = Self.problems(["MAILER_API_AUTH": "none", "MAILER_API_TOKENS": "app:app-secret-1"])
        #expect(problems.map(\.variable) == ["MAILER_API_AUTH"])
        #expect(!problems.description.contains("app-secret-1"))
    }

    @Test func badEntriesAreOneProblemLineEachWithoutTheToken() {
        let problems = Self.problems(["MAILER_API_TOKENS": ":lost-secret-1, ci:, ci:a-secret-2, ci:b-secret-3, x:with space-secret-4"])
        #expect(problems.map(\.variable) == Array(repeating: "MAILER_API_TOKENS", count: 4))
        #expect(problems.map(\.message).allSatisfy { $0.hasPrefix("entry") || $0.hasPrefix("entries") })
        #expect(!problems.description.contains("secret"), "\(problems)")
    }

    /// The token value is a secret for swift-configuration too, so its access log redacts it.
    @Test func theTokensAreASecretVariable() {
        #expect(EnvironmentReader.secretVariables.contains("MAILER_API_TOKENS"))
    }
}
