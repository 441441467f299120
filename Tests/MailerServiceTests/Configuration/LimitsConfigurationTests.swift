import Testing
@testable import MailerService

/// MAILER_MAX_BODY_BYTES, MAILER_MAX_RECIPIENTS, MAILER_RATE_LIMIT_PER_MINUTE,
/// MAILER_PER_RECIPIENT_PER_HOUR and MAILER_LINK_HOSTS: values taken, bad ones one line each.
@Suite struct LimitsConfigurationTests {
    @Test func valuesAreTaken() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, [
            "MAILER_MAX_BODY_BYTES": "5000000", "MAILER_MAX_RECIPIENTS": "100", "MAILER_RATE_LIMIT_PER_MINUTE": "600",
            "MAILER_PER_RECIPIENT_PER_HOUR": "0", "MAILER_LINK_HOSTS": "App.Example.com, *.example.net",
        ]))
        #expect(configuration.maximumBodyBytes == 5_000_000)
        #expect(configuration.maximumRecipients == 100)
        #expect(configuration.rateLimitPerMinute == 600)
        #expect(configuration.perRecipientPerHour == 0)
        #expect(configuration.linkHosts?.patterns == ["app.example.com", "*.example.net"])
        let summary = configuration.redactedSummary
        #expect(summary["mailer_rate_limit_per_minute"] == "600")
        #expect(summary["mailer_per_recipient_per_hour"] == "off")
        #expect(summary["mailer_link_hosts"] == "app.example.com,*.example.net")
    }

    @Test(arguments: [
        ("MAILER_MAX_BODY_BYTES", "1mb", "must be a whole number from 1024 to 200000000"),
        ("MAILER_MAX_BODY_BYTES", "100", "must be a whole number from 1024 to 200000000"),
        ("MAILER_MAX_RECIPIENTS", "0", "must be a whole number from 1 to 1000"),
        ("MAILER_RATE_LIMIT_PER_MINUTE", "-1", "must be a whole number from 0 to 1000000"),
        ("MAILER_PER_RECIPIENT_PER_HOUR", "ten", "must be a whole number from 0 to 100000"),
        ("MAILER_LINK_HOSTS", "https://app.example.com", "entry 1 must be a host name such as app.example.com or *.example.com"),
    ])
    func aBadValueIsOneProblemNamingTheVariable(variable: String, value: String, message: String) {
        let problems = configurationProblems([variable: value])
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.variable == variable)
        #expect(problems.first?.message.contains(message) == true, "\(problems)")
    }
}
