import Foundation
import SMTPTestServer
import Testing
@testable import SMTP

/// One session carrying several messages, and what a pool needs to know when the server ends it.
@Suite struct SMTPConnectionTests {
    typealias C = ClientSupport

    static func mail(_ number: Int, to recipient: String = "ada@y.test") -> SMTPMail {
        SMTPMail(sender: "no-reply@x.test", recipients: [recipient], content: Array("Subject: \(number)\r\n\r\nmessage \(number)\r\n".utf8))
    }

    @Test func severalMessagesTravelOnOneSession() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let connection = try await SMTPClient(configuration: C.plaintext(server)).connect()
        #expect(connection.isUsable)
        for number in 1...3 {
            let receipt = try await connection.send(Self.mail(number))
            #expect(receipt.messageNumberOnConnection == number)
            #expect(connection.isUsable)
        }
        await connection.close()
        #expect(!connection.isUsable)
        let received = try await server.waitForMessages(3)
        #expect(received.map(\.data) == (1...3).map { "Subject: \($0)\r\n\r\nmessage \($0)\r\n" })
        #expect(Set(received.map(\.connectionNumber)).count == 1)
        #expect(server.connectionCount == 1)
        #expect(!server.commands.contains("RSET"), "no RSET after successful transactions")
        #expect(server.commands.last == "QUIT")
    }

    @Test func aFailedMessageIsFollowedByRSETAndTheNextOneIsDelivered() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let connection = try await SMTPClient(configuration: C.plaintext(server)).connect()
        do {
            _ = try await connection.send(Self.mail(1, to: "nobody@y.test"))
            Issue.record("the recipient should have been refused")
        } catch {
            #expect(error.code == .envelope)
            #expect(!error.isSafeToRetryOnNewConnection)
        }
        #expect(connection.isUsable)
        _ = try await connection.send(Self.mail(2))
        await connection.close()
        #expect(try await server.waitForMessages(1)[0].data.contains("message 2"))
        let commands = server.commands
        let reset = try #require(commands.firstIndex(of: "RSET"))
        #expect(commands[reset + 1] == "MAIL FROM:<no-reply@x.test>")
        #expect(server.connectionCount == 1)
    }

    @Test(arguments: [true, false])
    func aServerThatClosedAnIdleConnectionMakesTheNextSendSafeToRetry(announced: Bool) async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.closeWhenIdle(afterSeconds: 1, announce: announced)]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let connection = try await SMTPClient(configuration: C.plaintext(server)).connect()
        // No message is sent until the server has given up on the idle connection.
        #expect(try await C.eventually { !connection.isUsable })
        do {
            _ = try await connection.send(Self.mail(1))
            Issue.record("the connection was closed by the server")
        } catch {
            #expect(error.code == .connection)
            #expect(error.isTransient)
            #expect(error.phase == .idle)
            #expect(error.isSafeToRetryOnNewConnection)
        }
        #expect(server.messages.isEmpty)
    }

    @Test func aConnectionLostBeforeMAILFROMWasAnsweredIsSafeToRetry() async throws {
        // The server goes away (idle timeout, restart) just as MAIL FROM arrives: no reply ever
        // comes. Nothing was accepted, so the message may go out on another connection.
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.closeOnCommand("MAIL")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let connection = try await SMTPClient(configuration: C.plaintext(server)).connect()
        do {
            _ = try await connection.send(Self.mail(1))
            Issue.record("the server closed the connection")
        } catch {
            #expect(error.code == .connection, "\(error)")
            #expect(error.phase == .mailFrom)
            #expect(error.isSafeToRetryOnNewConnection, "\(error)")
        }

        // After RCPT TO was accepted, the same loss is ECONNRESET and not safe to retry blindly.
        settings.faults = [.closeOnCommand("DATA")]
        settings.advertisePipelining = false
        let later = try await SMTPTestServer.start(settings)
        defer { Task { try? await later.shutdown() } }
        let error = try await C.failure(C.plaintext(later))
        #expect(error.code == .connectionReset)
        #expect(error.phase == .data)
        #expect(!error.isSafeToRetryOnNewConnection)
    }

    @Test func theSessionInfoNamesTLSVersionAndCipherSuite() async throws {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.certificates = certificates
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let configuration = SMTPClientTests.configuration(port: server.port, security: .startTLSWhenOffered, caFile: try SMTPClientTests.caFile(certificates))
        let log = LogCapture()
        let receipt = try await SMTPClient(configuration: configuration).send(C.mail, logger: log.logger(level: .debug))
        #expect(receipt.tlsVersion == "TLSv1.3")
        #expect(["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"].contains(receipt.cipherSuite ?? ""), "\(receipt.cipherSuite ?? "none")")
        #expect(receipt.session.capabilities.pipelining)
        // The debug log says the same, once the session is ready.
        let ready = log.records.first { $0.message == "smtp session ready" }
        #expect(ready?.metadata["tls_version"] == "TLSv1.3")
        #expect(ready?.metadata["tls_cipher"] == receipt.cipherSuite)

        var tls12 = settings
        tls12.maximumTLSVersion = .tls12
        tls12.tlsMode = .implicit
        let older = try await SMTPTestServer.start(tls12)
        defer { Task { try? await older.shutdown() } }
        let connection = try await SMTPClient(configuration: SMTPClientTests.configuration(
            port: older.port, security: .implicitTLS, caFile: try SMTPClientTests.caFile(certificates)
        )).connect()
        #expect(connection.session.tlsVersion == "TLSv1.2")
        #expect(connection.session.cipherSuite?.hasPrefix("TLS_ECDHE_") == true, "\(connection.session.cipherSuite ?? "none")")
        await connection.close()
    }

    @Test func aPlaintextSessionHasNoTLSInfo() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let receipt = try await SMTPClient(configuration: C.plaintext(server)).send(C.mail)
        #expect(receipt.tlsVersion == nil)
        #expect(receipt.cipherSuite == nil)
        #expect(!receipt.authenticated)
    }
}
