import SMTP
import Testing
@testable import MailerService

@Suite struct MailerConfigurationTests {
    @Test func everyProblemIsReportedAtOnceNamingTheVariable() {
        let environment = ["SMTP_PORT": "smtp", "SMTP_TLS": "maybe", "SMTP_PASSWORD": "hunter2-secret", "MAILER_TEMPLATES_DIR": templatesDirectory]
        #expect {
            _ = try MailerConfiguration.fromEnvironment(environment)
        } throws: { error in
            let problems = (error as! ConfigurationError).problems
            let variables = problems.map(\.variable)
            return variables.contains("SMTP_HOST") && variables.contains("SMTP_PORT") && variables.contains("SMTP_SENDER")
                && variables.contains("SMTP_TLS") && variables.contains("SMTP_USERNAME")
                && !problems.description.contains("hunter2-secret")
        }
    }

    @Test func booleansAcceptTheUsualSpellings() throws {
        for (text, expected) in [("TRUE", true), ("yes", true), ("1", true), ("No", false), ("0", false), ("false", false)] {
            let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 465, ["SMTP_TLS": text]))
            #expect((configuration.smtp.security == .implicitTLS) == expected, "SMTP_TLS=\(text)")
        }
    }

    @Test func securityFollowsTheTwoTLSSwitches() throws {
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 587)).smtp.security == .startTLSWhenOffered)
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["SMTP_OPPORTUNISTIC_TLS": "false"])).smtp.security == .plaintext)
    }

    @Test func senderWithoutNameGetsTheProductName() throws {
        let plain = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25))
        #expect(plain.sender.displayName == "Acme")
        let named = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["SMTP_SENDER": "Support <help@example.com>"]))
        #expect(named.sender.displayName == "Support")
        #expect(named.sender.address == "help@example.com")
    }

    @Test func adminWebURLIsAnAliasForTheBaseURL() throws {
        var env = environment(smtpPort: 25)
        env["MAILER_BASE_URL"] = nil
        env["ADMIN_WEB_URL"] = "https://feedback.example.com/"
        #expect(try MailerConfiguration.fromEnvironment(env).baseURL == "https://feedback.example.com")
    }

    @Test func poolSettingsHaveTheDocumentedDefaults() throws {
        var env = environment(smtpPort: 587)
        for timeout in ["SMTP_CONNECT_TIMEOUT", "SMTP_GREETING_TIMEOUT", "SMTP_COMMAND_TIMEOUT", "SMTP_DATA_TIMEOUT"] { env[timeout] = nil }
        let configuration = try MailerConfiguration.fromEnvironment(env)
        #expect(configuration.pool == SMTPPoolConfiguration(size: 4, maximumMessagesPerConnection: 100, idleTimeout: .seconds(30), rateLimit: nil))
        #expect(configuration.smtp.timeouts.greeting == .seconds(10))
        #expect(configuration.smtp.timeouts.connect == .seconds(10))
    }

    @Test func poolSettingsAreRead() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, [
            "SMTP_POOL_SIZE": "2", "SMTP_POOL_MAX_MESSAGES": "50", "SMTP_POOL_IDLE_SECONDS": "5.5", "SMTP_RATE_LIMIT": "0.5",
        ]))
        #expect(configuration.pool == SMTPPoolConfiguration(size: 2, maximumMessagesPerConnection: 50, idleTimeout: .milliseconds(5500), rateLimit: 0.5))
        #expect(configuration.redactedSummary["smtp_rate_limit"] == "0.5 messages/s")
    }

    @Test(arguments: [("SMTP_POOL_SIZE", "0"), ("SMTP_POOL_MAX_MESSAGES", "many"), ("SMTP_POOL_IDLE_SECONDS", "-1"), ("SMTP_RATE_LIMIT", "0"), ("SMTP_RATE_LIMIT", "1e-11"), ("SMTP_RATE_LIMIT", "fast")])
    func badPoolSettingsStopStartUpNamingTheVariable(variable: String, value: String) {
        #expect {
            _ = try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, [variable: value]))
        } throws: { error in
            let problems = (error as! ConfigurationError).problems
            return problems.count == 1 && problems[0].variable == variable && problems[0].message.contains("\"\(value)\"")
        }
    }

    @Test func summaryRedactsThePassword() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, ["SMTP_USERNAME": "alice", "SMTP_PASSWORD": "hunter2-secret"]))
        #expect(configuration.redactedSummary["smtp_password"] == "<redacted>")
        #expect(!configuration.redactedSummary.values.contains { $0.contains("hunter2") })
    }

    @Test func defaultLocaleIsATagAndDefaultsToEnglish() throws {
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25)).defaultLocale == .english)
        let german = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_DEFAULT_LOCALE": "de_DE"]))
        #expect(german.defaultLocale.description == "de-DE")
        #expect(german.redactedSummary["mailer_default_locale"] == "de-DE")
        #expect {
            _ = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_DEFAULT_LOCALE": "german"]))
        } throws: { error in
            (error as! ConfigurationError).problems.map(\.variable) == ["MAILER_DEFAULT_LOCALE"]
        }
    }

    @Test func anOAuth2TokenNeedsAUsernameButNoPasswordAndIsNeverShown() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, ["SMTP_USERNAME": "alice@example.com", "SMTP_OAUTH2_TOKEN": "ya29.secret-token"]))
        #expect(configuration.smtp.oauth2Token?.value == "ya29.secret-token")
        #expect(configuration.smtp.credentials?.username == "alice@example.com")
        #expect(configuration.redactedSummary["smtp_oauth2_token"] == "<redacted>")
        #expect(configuration.redactedSummary["smtp_password"] == "(none)")
        #expect(!configuration.redactedSummary.values.contains { $0.contains("ya29") })
        #expect(!"\(configuration.smtp)".contains("ya29"))

        #expect {
            try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, ["SMTP_OAUTH2_TOKEN": "ya29.secret-token"]))
        } throws: { error in
            let problems = (error as! ConfigurationError).problems
            return problems.map(\.variable) == ["SMTP_USERNAME"] && !problems.description.contains("ya29")
        }
    }

    @Test func requireStartTLSIsReadAndContradictionsAreNamed() throws {
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 587, ["SMTP_REQUIRE_STARTTLS": "true"])).smtp.requireStartTLS)
        #expect(try !MailerConfiguration.fromEnvironment(environment(smtpPort: 587)).smtp.requireStartTLS)
        #expect {
            try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["SMTP_REQUIRE_STARTTLS": "true", "SMTP_OPPORTUNISTIC_TLS": "false"]))
        } throws: { error in
            (error as! ConfigurationError).problems.map(\.variable) == ["SMTP_REQUIRE_STARTTLS"]
        }
    }

    @Test func emptyValuesCountAsUnset() {
        #expect(throws: ConfigurationError.self) {
            try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["SMTP_HOST": "  "]))
        }
    }

    @Test func invalidSenderIsNamed() {
        #expect {
            try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["SMTP_SENDER": "not an address"]))
        } throws: { error in
            (error as! ConfigurationError).problems.map(\.variable) == ["SMTP_SENDER"]
        }
    }
}
