import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// `mailer healthcheck`'s request: one GET over a real socket, one line, healthy or not.
@Suite struct HealthProbeTests {
    @Test func aRunningServiceIsHealthy() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port) { client in
            let port = try #require(client.port)
            let (healthy, line) = await (try HealthProbe(url: "http://localhost:\(port)/healthz", timeout: .seconds(10))).check()
            #expect(healthy)
            #expect(line.hasPrefix("healthy: GET http://localhost:\(port)/healthz answered 200 in "), "\(line)")

            let ready = try await HealthProbe(url: "http://localhost:\(port)/readyz", timeout: .seconds(10)).check()
            #expect(ready.healthy)

            let missing = try await HealthProbe(url: "http://localhost:\(port)/nope", timeout: .seconds(10)).check()
            #expect(!missing.healthy)
            // Any path but the public ones needs a token first.
            #expect(missing.line.hasPrefix("unhealthy: GET http://localhost:\(port)/nope answered 401 Unauthorized"), "\(missing.line)")
            #expect(missing.line.contains("EUNAUTHORIZED"), "the problem's body is part of the line")
            #expect(!missing.line.contains("\n"))
        }
    }

    @Test func aClosedPortIsUnhealthyWithOneClearLine() async throws {
        let port = ClosedPort.reserve()
        let (healthy, line) = await (try HealthProbe(url: "http://127.0.0.1:\(port)/healthz", timeout: .seconds(3))).check()
        #expect(!healthy)
        #expect(line == "unhealthy: nothing listens on 127.0.0.1:\(port) (connection refused): is `mailer serve` running, and is MAILER_PORT (or --url) its port?")
    }

    // Without the deadline the probe would wait for ever: the time limit turns that into a failure.
    @Test(.timeLimit(.minutes(1))) func aServerThatNeverAnswersTimesOut() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.noGreeting]
        let silent = try await SMTPTestServer.start(settings)
        defer { Task { try? await silent.shutdown() } }
        let started = ContinuousClock.now
        let (healthy, line) = await (try HealthProbe(url: "http://127.0.0.1:\(silent.port)/healthz", timeout: .milliseconds(500))).check()
        #expect(!healthy)
        #expect(line == "unhealthy: no answer from http://127.0.0.1:\(silent.port)/healthz within 0.5 s (--timeout)")
        // Far above the 0.5 s asked for: on a loaded machine (load 10) the answer once took 14 s to
        // reach the test, which is the scheduler's delay, not the probe's.
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func theDefaultURLFollowsMailerPortAndHost() throws {
        #expect(try HealthProbe.defaultURL(environment: [:]) == "http://127.0.0.1:8080/healthz")
        #expect(try HealthProbe.defaultURL(environment: ["MAILER_PORT": "9000", "MAILER_HOST": "0.0.0.0"]) == "http://127.0.0.1:9000/healthz")
        #expect(try HealthProbe.defaultURL(environment: ["MAILER_HOST": "10.1.2.3"]) == "http://10.1.2.3:8080/healthz")
        #expect(try HealthProbe.defaultURL(environment: ["MAILER_HOST": "::1"]) == "http://[::1]:8080/healthz")
        #expect(throws: HealthProbeError.self) { try HealthProbe.defaultURL(environment: ["MAILER_PORT": "http"]) }
    }

    @Test func onlyPlainHTTPURLsAreTaken() {
        #expect(throws: HealthProbeError.self) { try HealthProbe(url: "https://127.0.0.1:8080/healthz", timeout: .seconds(1)) }
        #expect(throws: HealthProbeError.self) { try HealthProbe(url: "127.0.0.1:8080", timeout: .seconds(1)) }
    }
}
