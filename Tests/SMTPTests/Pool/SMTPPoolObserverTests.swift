import Foundation
import Logging
import SMTPTestServer
import Synchronization
import Testing
@testable import SMTP

/// What the pool reports about itself for metrics and readiness: durations, the last connection
/// attempt, sessions in use.
@Suite struct SMTPPoolObserverTests {
    final class Recorder: SMTPPoolObserver {
        let sessions = Mutex<[Duration]>([])
        let transactions = Mutex<[(Duration, SMTPErrorCode?)]>([])

        func sessionOpened(after duration: Duration) {
            sessions.withLock { $0.append(duration) }
        }

        func transactionFinished(after duration: Duration, error: SMTPError?) {
            transactions.withLock { $0.append((duration, error?.code)) }
        }
    }

    static func pool(_ server: SMTPTestServer, size: Int = 1, observer: Recorder) throws -> SMTPConnectionPool {
        SMTPConnectionPool(client: try SMTPClient(configuration: ClientSupport.plaintext(server)), configuration: SMTPPoolConfiguration(size: size), observer: observer)
    }

    @Test func everySessionAndTransactionIsReportedWithItsDuration() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let recorder = Recorder()
        let pool = try Self.pool(server, observer: recorder)
        #expect(pool.lastConnectionAttempt == nil)
        let before = Date()
        _ = try await pool.send(SMTPConnectionPoolTests.mail(1), logger: Logger(label: "test"))
        await #expect(throws: SMTPError.self) { try await pool.send(SMTPConnectionPoolTests.mail(2, to: "nobody@y.test"), logger: Logger(label: "test")) }
        _ = try await pool.send(SMTPConnectionPoolTests.mail(3), logger: Logger(label: "test"))
        await pool.close()

        #expect(recorder.sessions.withLock { $0.count } == 1, "one session carried the three messages")
        let transactions = recorder.transactions.withLock { $0 }
        #expect(transactions.map(\.1) == [nil, .envelope, nil])
        #expect(transactions.allSatisfy { $0.0 > .zero })
        let attempt = try #require(pool.lastConnectionAttempt)
        #expect(attempt.succeeded)
        // Within this test's sends, however long a loaded machine made them take.
        #expect(attempt.finishedAt >= before && attempt.finishedAt <= Date())
        #expect(pool.connectionsInUse == 0)
    }

    @Test func aFailedConnectIsTheLastAttemptWithItsCodeAndNoSessionIsReported() async throws {
        let port = ClosedPort.reserve()
        let client = try SMTPClient(configuration: SMTPClientTests.configuration(port: port, host: "127.0.0.1", security: .plaintext, timeout: .seconds(5)))
        let recorder = Recorder()
        let pool = SMTPConnectionPool(client: client, configuration: SMTPPoolConfiguration(size: 1), observer: recorder)
        await #expect(throws: SMTPError.self) { try await pool.send(SMTPConnectionPoolTests.mail(1), logger: Logger(label: "test")) }
        await pool.close()
        let attempt = try #require(pool.lastConnectionAttempt)
        #expect(!attempt.succeeded)
        #expect(attempt.error?.code == .connectionRefused)
        #expect(recorder.sessions.withLock { $0.isEmpty })
        #expect(recorder.transactions.withLock { $0.isEmpty }, "no transaction began")
    }

    @Test func aSessionCarryingAMessageIsInUse() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.greetingDelay(seconds: 0.5)]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, size: 2, observer: Recorder())
        let sending = Task { try await pool.send(SMTPConnectionPoolTests.mail(1), logger: Logger(label: "test")) }
        #expect(try await ClientSupport.eventually { pool.connectionsInUse == 1 })
        _ = try await sending.value
        #expect(pool.connectionsInUse == 0)
        await pool.close()
    }
}
