import Foundation
import NIOCore
import NIOPosix
import SMTPTestServer
import Testing
@testable import SMTP

/// The client against a real SMTP server on loopback: every TLS mode, AUTH, and each failure code provoked for real.
@Suite struct SMTPClientTests {
    static let mail = SMTPMail(
        sender: "no-reply@x.test",
        recipients: ["ada@y.test"],
        content: Array("From: no-reply@x.test\r\nTo: ada@y.test\r\nSubject: hi\r\n\r\n.starts with a dot\r\nbye\r\n".utf8)
    )

    static func configuration(
        port: Int,
        host: String = "localhost",
        security: SMTPClientConfiguration.Security,
        credentials: SMTPClientConfiguration.Credentials? = nil,
        caFile: String? = nil,
        timeout: Duration = .seconds(5)
    ) -> SMTPClientConfiguration {
        var configuration = SMTPClientConfiguration(host: host, port: port, security: security, credentials: credentials)
        configuration.tls = .init(cipherSpec: "TLSv1.2", caFile: caFile, skipVerify: false)
        configuration.heloName = "client.x.test"
        configuration.timeouts = .init(connect: timeout, greeting: timeout, command: timeout, dataCompletion: timeout)
        return configuration
    }

    static func caFile(_ certificates: TestCertificates) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try certificates.writeCA(to: directory).path
    }

    private func expectFailure(_ code: SMTPErrorCode, _ configuration: SMTPClientConfiguration, mail: SMTPMail = Self.mail) async throws -> SMTPError {
        let error = try await ClientSupport.failure(configuration, mail: mail)
        #expect(error.code == code, "\(error)")
        return error
    }

    @Test func plaintextDeliveryArrivesIntact() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let client = try SMTPClient(configuration: Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext))
        let receipt = try await client.send(Self.mail)
        #expect(receipt.reply.code == 250)
        #expect(receipt.tlsVersion == nil)
        let received = try await server.waitForMessages(1)
        #expect(received[0].mailFrom == "no-reply@x.test")
        #expect(received[0].recipients == ["ada@y.test"])
        #expect(received[0].heloName == "client.x.test")
        #expect(received[0].data == String(decoding: Self.mail.content, as: UTF8.self))
        // QUIT follows the accepted message; the client does not wait for it before returning.
        for _ in 0..<100 where server.commands.last != "QUIT" { try await Task.sleep(for: .milliseconds(10)) }
        #expect(server.commands.last == "QUIT")
    }

    @Test func defaultEHLONameIsAnFQDNOrTheLocalAddressLiteral() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        var configuration = Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext)
        configuration.heloName = nil
        _ = try await SMTPClient(configuration: configuration).send(Self.mail)
        let helo = try await server.waitForMessages(1)[0].heloName
        #expect(helo == "[127.0.0.1]" || (helo.contains(".") && !helo.hasPrefix("[")), "EHLO \(helo)")
    }

    @Test func startTLSUpgradesVerifiesTheCertificateAndAuthenticates() async throws {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.certificates = certificates
        settings.credentials = TestCredentials(username: "alice", password: "s3cret")
        settings.requireAuth = true
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }

        let configuration = Self.configuration(
            port: server.port, security: .startTLSWhenOffered,
            credentials: .init(username: "alice", password: "s3cret"), caFile: try Self.caFile(certificates)
        )
        let receipt = try await SMTPClient(configuration: configuration).send(Self.mail)
        #expect(receipt.tlsVersion != nil)
        #expect(receipt.authenticated)
        let received = try await server.waitForMessages(1)
        #expect(received[0].tls)
        #expect(received[0].authenticatedUser == "alice")
        #expect(!server.commands.contains { $0.contains("s3cret") })
    }

    @Test func implicitTLSWithAuthLogin() async throws {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .implicit
        settings.certificates = certificates
        settings.credentials = TestCredentials(username: "alice", password: "s3cret")
        settings.authMechanisms = ["LOGIN"]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }

        let configuration = Self.configuration(
            port: server.port, security: .implicitTLS,
            credentials: .init(username: "alice", password: "s3cret"), caFile: try Self.caFile(certificates)
        )
        let receipt = try await SMTPClient(configuration: configuration).send(Self.mail)
        #expect(receipt.authenticated)
        #expect(try await server.waitForMessages(1)[0].authenticatedUser == "alice")
    }

    @Test func closedPortIsECONNREFUSED() async throws {
        let port = try await Self.closedPort()
        let error = try await expectFailure(.connectionRefused, Self.configuration(port: port, host: "127.0.0.1", security: .plaintext))
        #expect(error.hint.contains("SMTP_PORT"))
    }

    @Test func unknownHostIsEDNS() async throws {
        _ = try await expectFailure(.dns, Self.configuration(port: 25, host: "no-such-host.invalid", security: .plaintext))
    }

    @Test func silentTLSServerIsETIMEDOUT() async throws {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .implicit
        settings.certificates = certificates
        settings.faults = [.noGreeting]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        _ = try await expectFailure(.timedOut, Self.configuration(port: server.port, security: .implicitTLS, caFile: try Self.caFile(certificates), timeout: .milliseconds(500)))
    }

    @Test func unansweredDataIsETIMEDOUTWarningOfDuplicates() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.noReplyToData]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await expectFailure(.timedOut, Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext, timeout: .milliseconds(500)))
        #expect(error.command == "end of message")
        #expect(error.phase == .endOfMessage)
        #expect(error.hint.contains("twice"))
    }

    /// A wait's timeout counts from its own command: the timer set while waiting for the (late)
    /// greeting goes off before the unanswered message's deadline and must only wait on.
    @Test func aTimeoutCountsFromTheLastCommandNotFromAnEarlierTimer() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.greetingDelay(seconds: 0.3), .noReplyToData]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let clock = ContinuousClock()
        let started = clock.now
        let error = try await expectFailure(.timedOut, Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext, timeout: .milliseconds(500)))
        #expect(error.phase == .endOfMessage)
        // Greeting after 0.3 s, then the message: its 0.5 s run from then, past the first timer's 0.5 s.
        #expect(clock.now - started >= .milliseconds(800))
    }

    @Test func implicitTLSAgainstAPlaintextServerIsETLS() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let error = try await expectFailure(.tls, Self.configuration(port: server.port, host: "127.0.0.1", security: .implicitTLS))
        #expect(error.hint.contains("SMTP_TLS=false"))
        #expect(error.hint.contains("465"))
        #expect(error.tlsReason == "wrong version number")
        #expect(error.message.contains("wrong version number"))
        #expect(error.phase == .tlsHandshake)
    }

    @Test func plaintextAgainstAnImplicitTLSServerIsETLS() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .implicit
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        // The server waits for a ClientHello, we wait for a greeting: the silence is the symptom.
        let error = try await expectFailure(.tls, Self.configuration(port: server.port, host: "127.0.0.1", security: .startTLSWhenOffered, timeout: .milliseconds(300)))
        #expect(error.hint.contains("SMTP_TLS=true"))
    }

    @Test func requireStartTLSRefusesAServerThatDoesNotOfferIt() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.faults = [.hideStartTLS]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        var configuration = Self.configuration(port: server.port, host: "127.0.0.1", security: .startTLSWhenOffered)
        configuration.requireStartTLS = true
        let error = try await ClientSupport.failure(configuration)
        #expect(error.code == .tls)
        #expect(error.hint.contains("SMTP_REQUIRE_STARTTLS"))
        #expect(!server.commands.contains { $0.hasPrefix("MAIL") })

        // The same server without the requirement gets the message in plaintext.
        configuration.requireStartTLS = false
        let receipt = try await SMTPClient(configuration: configuration).send(Self.mail)
        #expect(receipt.tlsVersion == nil)
    }

    @Test func untrustedCertificateIsECERT() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.certificates = try TestCertificates.generate()
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        // A CA the server's certificate was not issued by.
        let otherCA = try Self.caFile(try TestCertificates.generate())
        let error = try await expectFailure(.certificate, Self.configuration(port: server.port, security: .startTLSWhenOffered, caFile: otherCA))
        // The fix is the CA file, not the host name: the hint says the configured file lacks the issuer.
        #expect(error.hint.contains("SMTP_CA_FILE (\(otherCA)) does not hold the CA"))
        #expect(error.hint.contains("SMTP_TLS_SKIP_VERIFY"))
        #expect(!error.hint.contains("SMTP_HOST"))
        #expect(error.message.contains("not issued by a trusted CA"))
        #expect(!error.message.contains("wrong name"))

        // Without SMTP_CA_FILE the hint says to set one.
        let withoutCA = try await expectFailure(.certificate, Self.configuration(port: server.port, security: .startTLSWhenOffered))
        #expect(withoutCA.hint.contains("set SMTP_CA_FILE to the issuing CA's PEM file"))
        #expect(!withoutCA.hint.contains("SMTP_HOST"))
    }

    @Test func certificateForTheRightIPButAnotherNameIsECERT() async throws {
        // The certificate covers 127.0.0.1, where "localhost" leads, but not the name "localhost":
        // only the DNS names may vouch for a host name.
        let certificates = try TestCertificates.generate(hostnames: ["mail.other.test"], ipAddresses: ["127.0.0.1", "::1"])
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .implicit
        settings.certificates = certificates
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await expectFailure(.certificate, Self.configuration(port: server.port, host: "localhost", security: .implicitTLS, caFile: try Self.caFile(certificates)))
        #expect(error.message.contains("mail.other.test"))
        // The CA is trusted: the hint is about SMTP_HOST, not SMTP_CA_FILE.
        #expect(error.hint.contains("set SMTP_HOST to a name the certificate is issued for"))
        #expect(!error.hint.contains("SMTP_CA_FILE"))

        // By IP literal, the IP entry is what counts, and it matches.
        let receipt = try await SMTPClient(configuration: Self.configuration(port: server.port, host: "127.0.0.1", security: .implicitTLS, caFile: try Self.caFile(certificates))).send(Self.mail)
        #expect(receipt.tlsVersion != nil)
    }

    @Test func certificateWithoutTheIPLiteralIsECERTAboutTheName() async throws {
        // By IP literal NIOSSL checks the address itself (NIOSSLExtraError): the hint must be the
        // name one, not "SMTP_CA_FILE", since the CA is trusted.
        let certificates = try TestCertificates.generate(hostnames: ["mail.other.test"], ipAddresses: [])
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .implicit
        settings.certificates = certificates
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await expectFailure(.certificate, Self.configuration(port: server.port, host: "127.0.0.1", security: .implicitTLS, caFile: try Self.caFile(certificates)))
        #expect(error.hint.contains("set SMTP_HOST to a name the certificate is issued for"))
        #expect(!error.hint.contains("SMTP_CA_FILE"))
    }

    @Test func wrongPasswordIsEAUTH() async throws {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.certificates = certificates
        settings.credentials = TestCredentials(username: "alice", password: "s3cret")
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await expectFailure(.authentication, Self.configuration(
            port: server.port, security: .startTLSWhenOffered,
            credentials: .init(username: "alice", password: "wrong-password"), caFile: try Self.caFile(certificates)
        ))
        #expect(error.reply?.code == 535)
        #expect(!error.description.contains("wrong-password"))
        #expect(server.messages.isEmpty)
    }

    @Test func rejectedRecipientIsEENVELOPE() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: nil)]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await expectFailure(.envelope, Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext))
        #expect(error.reply?.enhancedStatusCode?.description == "5.1.1")
        #expect(server.messages.isEmpty)
    }

    @Test func rejectedContentIsEMESSAGE() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectData(code: 554, text: "5.7.1 looks like spam")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        _ = try await expectFailure(.message, Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext))
    }

    @Test func refusingGreetingIsEPROTOCOL() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.greeting(code: 554, text: "no service")]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        _ = try await expectFailure(.protocolError, Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext))
    }

    @Test func hangUpAfterGreetingIsECONNECTION() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.closeAfterGreeting]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        _ = try await expectFailure(.connection, Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext))
    }

    @Test func serverClosingWith421IsECONNECTION() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 421, text: "4.3.2 shutting down", matching: nil)]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let error = try await expectFailure(.connection, Self.configuration(port: server.port, host: "127.0.0.1", security: .plaintext))
        #expect(error.reply?.code == 421)
        #expect(error.isTransient)
    }

    @Test func badCipherListIsAStartUpError() {
        var configuration = Self.configuration(port: 587, security: .startTLSWhenOffered)
        configuration.tls.cipherSpec = "NOT-A-CIPHER:ALSO-NOT"
        #expect(throws: SMTPConfigurationError.self) { try SMTPClient(configuration: configuration) }
    }

    /// A port nothing listens on: bind one, note it, close it.
    /// A port nobody listens on, reserved so that no parallel test's server can take it.
    static func closedPort() async throws -> Int {
        ClosedPort.reserve()
    }
}
