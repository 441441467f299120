import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// A service that cannot start (its port is taken) stops with the error and lets go of its outbox,
/// instead of waiting forever for a delivery loop that was never told to stop.
@Suite struct StartUpFailureTests {
    @Test func aTakenHTTPPortStopsTheServiceWithTheError() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("port-taken-\(UUID().uuidString)").path
        // The SMTP test server listens on its port: the HTTP server cannot bind it.
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: server.port, [
            "MAILER_HOST": "127.0.0.1", "MAILER_PORT": "\(server.port)", "MAILER_DATA_DIR": data,
        ]))
        let app = try await MailerApplication.build(configuration: configuration, logger: CapturedLog().logger)
        let started = ContinuousClock.now
        await #expect(throws: (any Error).self) { try await app.run() }
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
