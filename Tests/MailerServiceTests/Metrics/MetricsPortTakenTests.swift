import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// MAILER_METRICS_PORT already taken: the service stops with the error, it does not hang.
@Suite struct MetricsPortTakenTests {
    @Test func aTakenMetricsPortStopsTheServiceWithTheError() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let mainPort = ListeningPort.pick()
        // The SMTP test server listens on its port: the metrics server cannot bind it.
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: server.port, [
            "MAILER_HOST": "127.0.0.1", "MAILER_PORT": "\(mainPort)", "MAILER_METRICS_PORT": "\(server.port)",
        ]))
        let app = try await MailerApplication.build(configuration: configuration, logger: CapturedLog().logger)
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) { try await app.run() }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
