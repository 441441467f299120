import Foundation
import Logging
import SMTPTestServer
import Testing
@testable import SMTP

/// The pool against the Swift test server over loopback: reuse, limits, idle close, stale sessions.
@Suite struct SMTPConnectionPoolTests {
    typealias C = ClientSupport

    static func mail(_ number: Int, to recipient: String = "ada@y.test") -> SMTPMail {
        SMTPMail(sender: "no-reply@x.test", recipients: [recipient], content: Array("Subject: \(number)\r\n\r\nmessage \(number)\r\n".utf8))
    }

    static func pool(_ server: SMTPTestServer, _ configuration: SMTPPoolConfiguration) throws -> SMTPConnectionPool {
        SMTPConnectionPool(client: try SMTPClient(configuration: C.plaintext(server)), configuration: configuration)
    }

    @Test func consecutiveMessagesShareOneSession() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 4))
        for number in 1...5 {
            let receipt = try await pool.send(Self.mail(number), logger: Logger(label: "test"))
            #expect(receipt.messageNumberOnConnection == number)
        }
        await pool.close()
        #expect(try await server.waitForMessages(5).count == 5)
        #expect(server.connectionCount == 1)
        #expect(pool.statistics.connectionsOpened == 1)
        #expect(pool.statistics.messagesOnReusedConnections == 4)
        #expect(try await C.eventually { server.commands.last == "QUIT" }, "close() says QUIT to idle sessions")
    }

    @Test func concurrentMessagesUseAtMostPoolSizeSessions() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 3))
        try await withThrowingTaskGroup(of: SMTPDeliveryReceipt.self) { group in
            for number in 1...30 {
                group.addTask { try await pool.send(Self.mail(number), logger: Logger(label: "test")) }
            }
            for try await _ in group {}
        }
        await pool.close()
        let received = try await server.waitForMessages(30)
        #expect(Set(received.map(\.data)).count == 30, "every message arrived once")
        #expect(server.connectionCount <= 3)
        #expect(server.connectionCount >= 1)
        #expect(pool.statistics.connectionsOpened == server.connectionCount)
    }

    @Test func aSessionIsRetiredAfterItsMessageLimit() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1, maximumMessagesPerConnection: 2))
        for number in 1...5 {
            _ = try await pool.send(Self.mail(number), logger: Logger(label: "test"))
        }
        await pool.close()
        let received = try await server.waitForMessages(5)
        #expect(received.map(\.connectionNumber) == [1, 1, 2, 2, 3])
        #expect(try await C.eventually { server.commands.filter { $0 == "QUIT" }.count == 3 }, "each retired session said QUIT")
    }

    @Test func anIdleSessionIsClosedAfterTheIdleTimeout() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 2, idleTimeout: .milliseconds(200)))
        _ = try await pool.send(Self.mail(1), logger: Logger(label: "test"))
        #expect(try await C.eventually { server.commands.last == "QUIT" }, "the pool said QUIT to the idle session")
        #expect(pool.statistics.idleConnectionsClosed == 1)
        _ = try await pool.send(Self.mail(2), logger: Logger(label: "test"))
        await pool.close()
        #expect(try await server.waitForMessages(2).map(\.connectionNumber) == [1, 2])
    }

    /// Each use starts the idle period again: a timer set at an earlier release must not close a
    /// session that was used since, and the session closes a full idle timeout after its last use.
    ///
    /// The uses span longer than the timeout, so a timer left from the first release would fire
    /// among them. Timers never fire early, so a close is only wrong while every idle period was
    /// shorter than the timeout; each one lies between a send's start and the next send's end,
    /// which the test measures, so a machine stalled longer than that cannot fail it.
    @Test func aSessionUsedAgainWithinTheIdleTimeoutStaysOpenUntilIdleThatLong() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let idleTimeout = Duration.milliseconds(1000)
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1, idleTimeout: idleTimeout))
        let clock = ContinuousClock()
        var starts: [ContinuousClock.Instant] = []
        var ends: [ContinuousClock.Instant] = []
        for index in 1...6 {
            starts.append(clock.now)
            _ = try await pool.send(Self.mail(index), logger: Logger(label: "test"))
            ends.append(clock.now)
            try await Task.sleep(for: .milliseconds(250))
        }
        let closedMeanwhile = pool.statistics.idleConnectionsClosed
        let longestIdle = (zip(starts, ends.dropFirst()).map { $1 - $0 } + [clock.now - starts.last!]).max()!
        #expect(ends.last! - starts.first! > idleTimeout, "the uses outlast one idle timeout")
        let everyIdlePeriodWasShort = longestIdle < idleTimeout
        if everyIdlePeriodWasShort {
            #expect(closedMeanwhile == 0, "no session was idle \(idleTimeout) (longest \(longestIdle))")
            #expect(try await C.eventually { pool.statistics.idleConnectionsClosed == 1 }, "closed once idle for the timeout")
            #expect(clock.now - starts.last! >= idleTimeout)
        } else {
            #expect(try await C.eventually { pool.statistics.idleConnectionsClosed >= 1 })
        }
        await pool.close()
        let connections = try await server.waitForMessages(6).map(\.connectionNumber)
        if everyIdlePeriodWasShort {
            #expect(connections == Array(repeating: 1, count: 6))
        } else {
            #expect(connections.count == 6)
        }
    }

    /// The most reported bug of peers' pools: the server closed the idle session (its own idle
    /// timeout), and the next message fails instead of going out on a new session.
    @Test(arguments: [true, false])
    func aSessionTheServerClosedWhileIdleIsReplacedTransparently(announced: Bool) async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1, idleTimeout: .seconds(30)))
        _ = try await pool.send(Self.mail(1), logger: Logger(label: "test"))
        // Closed only now that the session is back in the pool: a close the pool sees before the
        // release just drops the session (not stale), which a timer on a loaded machine can cause.
        await server.closeOpenConnections(announce: announced)
        let receipt = try await pool.send(Self.mail(2), logger: Logger(label: "test"))
        #expect(receipt.messageNumberOnConnection == 1, "message 2 went out on a new session")
        await pool.close()
        #expect(try await server.waitForMessages(2).map(\.connectionNumber) == [1, 2])
        #expect(pool.statistics.staleConnectionsReplaced == 1)
    }

    /// The server drops the reused session just as the next MAIL FROM arrives: nothing of the
    /// message was accepted, so the pool sends it on a new session, exactly once.
    @Test func aSessionClosedAsTheNextMessageStartsIsRetriedOnANewOne() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.closeOnCommandAfterMessages("MAIL", messages: 1)]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1))
        _ = try await pool.send(Self.mail(1), logger: Logger(label: "test"))
        _ = try await pool.send(Self.mail(2), logger: Logger(label: "test"))
        await pool.close()
        let received = try await server.waitForMessages(2)
        #expect(received.map(\.data) == ["Subject: 1\r\n\r\nmessage 1\r\n", "Subject: 2\r\n\r\nmessage 2\r\n"])
        #expect(received.map(\.connectionNumber) == [1, 2])
        #expect(pool.statistics.staleConnectionsReplaced == 1)
    }

    /// A connection lost after the server took part of the message is not retried by the pool:
    /// the caller decides (with the ECONNRESET it gets), so nothing is ever sent twice behind its back.
    @Test func aSessionLostMidDataIsNotRetried() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.closeDuringData]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1))
        do {
            _ = try await pool.send(Self.mail(1), logger: Logger(label: "test"))
            Issue.record("the server closed mid-DATA; the send must fail")
        } catch {
            #expect(error.code == .connectionReset, "\(error)")
            #expect(error.isTransient)
            #expect(!error.isSafeToRetryOnNewConnection)
        }
        await pool.close()
        #expect(server.connectionCount == 1)
    }

    @Test func aRefusedRecipientKeepsTheSessionForTheNextMessage() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1))
        await #expect(throws: SMTPError.self) { try await pool.send(Self.mail(1, to: "nobody@y.test"), logger: Logger(label: "test")) }
        _ = try await pool.send(Self.mail(2), logger: Logger(label: "test"))
        await pool.close()
        #expect(server.connectionCount == 1)
        #expect(server.commands.contains("RSET"))
    }

    @Test func aFailedConnectFreesTheSlot() async throws {
        let port = ClosedPort.reserve()
        let client = try SMTPClient(configuration: SMTPClientTests.configuration(port: port, host: "127.0.0.1", security: .plaintext, timeout: .seconds(5)))
        let pool = SMTPConnectionPool(client: client, configuration: SMTPPoolConfiguration(size: 1))
        for _ in 1...3 {
            await #expect(throws: SMTPError.self) { try await pool.send(Self.mail(1), logger: Logger(label: "test")) }
        }
        await pool.close()
    }

    @Test func theRateLimitSpacesMessages() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 4, rateLimit: 20))
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for number in 1...6 {
                group.addTask { _ = try await pool.send(Self.mail(number), logger: Logger(label: "test")) }
            }
            try await group.waitForAll()
        }
        // Six messages at 20 per second: the last may start 250 ms after the first, not before.
        #expect(ContinuousClock.now - started >= .milliseconds(250))
        await pool.close()
    }

    @Test func afterCloseNothingIsSentAndTheErrorSaysWhy() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1))
        await pool.close()
        do {
            _ = try await pool.send(Self.mail(1), logger: Logger(label: "test"))
            Issue.record("a closed pool must refuse")
        } catch {
            #expect(error.code == .connection)
            #expect(error.message.contains("shutting down"))
            #expect(error.isSafeToRetryOnNewConnection)
        }
        #expect(server.connectionCount == 0)
    }

    @Test func aWaitingSendThatIsCancelledGivesUpWithoutTakingASlot() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.greetingDelay(seconds: 1)]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let pool = try Self.pool(server, SMTPPoolConfiguration(size: 1))
        let first = Task { try await pool.send(Self.mail(1), logger: Logger(label: "test")) }
        try await Task.sleep(for: .milliseconds(100))
        let second = Task { try await pool.send(Self.mail(2), logger: Logger(label: "test")) }
        try await Task.sleep(for: .milliseconds(100))
        second.cancel()
        switch await second.result {
        case .success: Issue.record("the cancelled send should not have been sent")
        case .failure(let error): #expect((error as? SMTPError)?.message.contains("cancelled") == true)
        }
        _ = try await first.value
        _ = try await pool.send(Self.mail(3), logger: Logger(label: "test"))
        await pool.close()
        #expect(try await server.waitForMessages(2).map(\.data) == ["Subject: 1\r\n\r\nmessage 1\r\n", "Subject: 3\r\n\r\nmessage 3\r\n"])
    }
}
