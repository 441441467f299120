import Testing
@testable import MailerService

/// MAILER_METRICS_PORT: unset, a port, or off; anything else is one clear line.
@Suite struct MetricsPortConfigurationTests {
    @Test func unsetServesMetricsOnTheMainPort() throws {
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25)).metricsEndpoint == .mainPort)
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_METRICS_PORT": ""])).metricsEndpoint == .mainPort)
    }

    @Test func aPortOrOff() throws {
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_METRICS_PORT": "9090"])).metricsEndpoint == .port(9090))
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_METRICS_PORT": "off"])).metricsEndpoint == .off)
        #expect(try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_METRICS_PORT": "OFF"])).metricsEndpoint == .off)
    }

    @Test(arguments: [("metrics", "must be a port number from 1 to 65535"), ("0", "must be a port number"), ("70000", "must be a port number"), ("8080", "must differ from MAILER_PORT (8080)")])
    func aBadValueIsOneProblemNamingTheVariable(value: String, message: String) {
        do {
            _ = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_METRICS_PORT": value]))
            Issue.record("MAILER_METRICS_PORT=\(value) must be refused")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.variable == "MAILER_METRICS_PORT")
            #expect(error.problems.first?.message.contains(message) == true, "\(error.problems)")
        }
    }

    @Test func theSummaryNamesWhereMetricsAreServed() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_METRICS_PORT": "9090"]))
        #expect(configuration.redactedSummary["mailer_metrics"] == "/metrics on port 9090")
    }
}
