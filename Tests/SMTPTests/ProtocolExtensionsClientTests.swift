import Foundation
import SMTPTestServer
import Testing
@testable import SMTP

/// PIPELINING, SIZE, 8BITMIME, SMTPUTF8 and enhanced status codes against the real test server.
@Suite struct ProtocolExtensionsClientTests {
    typealias C = ClientSupport

    @Test func pipeliningSendsTheEnvelopeInOneWrite() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        _ = try await SMTPClient(configuration: C.plaintext(server)).send(C.mail)
        let received = try await server.waitForMessages(1)
        #expect(received[0].recipients == ["ada@y.test", "bob@y.test"])
        #expect(server.commandBatches.contains(["MAIL FROM:<no-reply@x.test>", "RCPT TO:<ada@y.test>", "RCPT TO:<bob@y.test>", "DATA"]),
                "\(server.commandBatches)")
    }

    @Test func withoutPipeliningEachCommandArrivesAlone() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.advertisePipelining = false
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        _ = try await SMTPClient(configuration: C.plaintext(server)).send(C.mail)
        _ = try await server.waitForMessages(1)
        #expect(server.commandBatches.allSatisfy { $0.count == 1 }, "\(server.commandBatches)")
    }

    @Test func aRefusedRecipientAmongAcceptedOnesSendsNothingAndNamesIt() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "bob")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await C.failure(C.plaintext(server))
        #expect(error.code == .envelope)
        #expect(error.rejectedRecipients == ["bob@y.test"])
        #expect(error.enhancedStatusCode?.description == "5.1.1")
        #expect(error.phase == .rcptTo)
        // DATA got 354 (ada was accepted): the client dropped the connection instead of sending
        // the message to ada alone or an empty one.
        #expect(try await C.eventually { server.commands.contains("DATA") })
        try await Task.sleep(for: .milliseconds(100))
        #expect(server.messages.isEmpty)
        #expect(!server.commands.contains("QUIT"))
    }

    @Test func everyRecipientRefusedIsEnvelopeFailureAndThePoliteQuit() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: nil)]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await C.failure(C.plaintext(server))
        #expect(error.rejectedRecipients == ["ada@y.test", "bob@y.test"])
        #expect(error.reply?.code == 550, "not the 554 the server gave DATA")
        #expect(try await C.eventually { server.commands.last == "QUIT" })
        #expect(server.messages.isEmpty)
    }

    @Test func aMessageOverTheServersSizeLimitIsRefusedBeforeMAIL() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.maxSize = 40
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await C.failure(C.plaintext(server))
        #expect(error.code == .message)
        #expect(error.message.contains("at most 40"))
        #expect(!server.commands.contains { $0.hasPrefix("MAIL") })

        let small = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("Subject: s\r\n\r\nok\r\n".utf8))
        _ = try await SMTPClient(configuration: C.plaintext(server)).send(small)
        #expect(try await server.waitForMessages(1)[0].mailParameters == ["SIZE=\(small.content.count)"])
    }

    @Test func eightBitContentIsDeclaredOnlyToAServerThatOffers8BITMIME() async throws {
        let mail = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("Subject: s\r\n\r\nGrüße\r\n".utf8))
        let offering = try await SMTPTestServer.start()
        defer { Task { try? await offering.shutdown() } }
        _ = try await SMTPClient(configuration: C.plaintext(offering)).send(mail)
        let received = try await offering.waitForMessages(1)[0]
        #expect(received.mailParameters == ["BODY=8BITMIME"])
        #expect(received.data.contains("Grüße"))

        var settings = SMTPTestServerConfiguration()
        settings.advertise8BITMIME = false
        let legacy = try await SMTPTestServer.start(settings)
        defer { Task { try? await legacy.shutdown() } }
        _ = try await SMTPClient(configuration: C.plaintext(legacy)).send(mail)
        #expect(try await legacy.waitForMessages(1)[0].mailParameters == [])
    }

    @Test func internationalAddressesTravelWithSMTPUTF8() async throws {
        let mail = SMTPMail(sender: "no-reply@x.test", recipients: ["jörg@bücher.test"], content: Array("Subject: s\r\n\r\nhallo\r\n".utf8))
        var settings = SMTPTestServerConfiguration()
        settings.advertiseSMTPUTF8 = true
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        _ = try await SMTPClient(configuration: C.plaintext(server)).send(mail)
        let received = try await server.waitForMessages(1)[0]
        #expect(received.recipients == ["jörg@bücher.test"])
        #expect(received.mailParameters.contains("SMTPUTF8"))

        let plain = try await SMTPTestServer.start()
        defer { Task { try? await plain.shutdown() } }
        let error = try await C.failure(C.plaintext(plain), mail: mail)
        #expect(error.code == .envelope)
        #expect(error.hint.contains("SMTPUTF8"))
        #expect(!plain.commands.contains { $0.hasPrefix("MAIL") }, "refused locally: the server never saw the address")
    }

    @Test func enhancedStatusCodesComeFromServersThatSendThem() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectMailFrom(code: 553, text: "5.7.1 sender not owned")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await C.failure(C.plaintext(server))
        #expect(error.replyCode == 553)
        #expect(error.enhancedStatusCode?.description == "5.7.1")
        #expect(error.phase == .mailFrom)
        #expect(error.isPermanent)

        settings.advertiseEnhancedStatusCodes = false
        let bare = try await SMTPTestServer.start(settings)
        defer { Task { try? await bare.shutdown() } }
        let bareError = try await C.failure(C.plaintext(bare))
        #expect(bareError.replyCode == 553)
        #expect(bareError.enhancedStatusCode == nil)
    }

    @Test func aConnectionClosedDuringDataIsECONNRESET() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.closeDuringData]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await C.failure(C.plaintext(server))
        #expect(error.code == .connectionReset, "\(error)")
        #expect(error.isTransient)
        #expect(error.phase == .endOfMessage)
        #expect(error.hint.contains("twice"))
        #expect(!error.isSafeToRetryOnNewConnection)
    }
}
