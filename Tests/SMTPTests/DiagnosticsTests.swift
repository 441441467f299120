import Foundation
import SMTPTestServer
import Testing
@testable import SMTP

/// `SMTPDiagnostics.check` against the real test server: every step with the client that sends
/// mail, and no message delivered.
@Suite struct DiagnosticsTests {
    static let password = "s3cret-pw"

    private func startTLSServer(_ faults: [SMTPTestFault] = []) async throws -> (SMTPTestServer, TestCertificates) {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.certificates = certificates
        settings.credentials = TestCredentials(username: "alice", password: Self.password)
        settings.requireAuth = true
        settings.maxSize = 10_000_000
        settings.faults = faults
        return (try await SMTPTestServer.start(settings), certificates)
    }

    private func client(_ server: SMTPTestServer, _ certificates: TestCertificates?, password: String = Self.password,
                        security: SMTPClientConfiguration.Security = .startTLSWhenOffered, skipVerify: Bool = false) throws -> SMTPClient {
        var configuration = SMTPClientTests.configuration(
            port: server.port, security: security,
            credentials: .init(username: "alice", password: password),
            caFile: try certificates.map(SMTPClientTests.caFile)
        )
        configuration.tls.skipVerify = skipVerify
        return try SMTPClient(configuration: configuration)
    }

    private func check(_ client: SMTPClient, to recipient: String = "ada@y.test") async -> SMTPCheckReport {
        await SMTPDiagnostics(client: client).check(sender: "no-reply@x.test", recipient: recipient)
    }

    @Test func everyStepPassesOverSTARTTLSWithAUTHAndNoMessageIsSent() async throws {
        let (server, certificates) = try await startTLSServer()
        defer { Task { try? await server.shutdown() } }
        let report = await check(try client(server, certificates))

        #expect(report.ok, "\(report.steps.map { "\($0.name.rawValue) \($0.status) \($0.detail)" })")
        #expect(report.steps.map(\.name) == [.connect, .greeting, .ehlo, .tls, .ehlo, .auth, .mailFrom, .rcptTo, .reset, .quit])
        #expect(report.steps.allSatisfy { $0.status == .passed && $0.duration != nil })
        #expect(report.step(.connect)?.detail.first?.hasPrefix("127.0.0.1:\(server.port)") == true)
        #expect(report.step(.greeting)?.detail.first?.hasPrefix("220 ") == true)
        // Before TLS the server offers STARTTLS; after it, AUTH (and no STARTTLS any more).
        #expect(report.steps[2].detail.first?.contains("STARTTLS") == true)
        #expect(report.steps[4].detail.first?.contains("(after TLS)") == true)
        #expect(report.extensions.contains("AUTH PLAIN LOGIN"))
        #expect(report.extensions.contains("PIPELINING"))
        #expect(report.extensions.contains("SIZE 10000000"))
        #expect(report.tls?.tlsVersion == "TLSv1.3")
        #expect(report.tls?.cipherSuite?.hasPrefix("TLS_") == true)
        let certificate = try #require(report.tls?.serverCertificate)
        #expect(certificate.subject.contains("CN=localhost"))
        #expect(certificate.issuer.contains("SMTPTestServer throw-away CA"))
        #expect(certificate.dnsNames == ["localhost"])
        // TestCertificates are valid for one day from now.
        #expect(abs(certificate.notValidAfter.timeIntervalSinceNow - 86_400) < 600)
        let tlsDetail = report.step(.tls)?.detail ?? []
        #expect(tlsDetail.first?.hasPrefix("TLSv1.3 TLS_") == true)
        #expect(tlsDetail.contains { $0.hasPrefix("certificate: ") && $0.contains("CN=localhost") })
        #expect(tlsDetail.contains { $0.hasPrefix("expires: ") })
        #expect(report.authenticationMechanism == "PLAIN")
        #expect(report.step(.auth)?.detail.first?.hasPrefix("PLAIN: 235") == true)
        #expect(report.step(.mailFrom)?.detail.first?.hasPrefix("<no-reply@x.test>: 250") == true)
        #expect(report.step(.rcptTo)?.detail.first?.hasPrefix("<ada@y.test>: 250") == true)
        #expect(report.step(.quit)?.detail.first?.hasPrefix("221") == true)

        // The probe left nothing behind: no DATA, no message, RSET then QUIT.
        #expect(try await ClientSupport.eventually { server.commands.last == "QUIT" })
        #expect(server.messages.isEmpty)
        #expect(!server.commands.contains("DATA"))
        #expect(server.commands.suffix(2) == ["RSET", "QUIT"])
        #expect(server.commands.contains("MAIL FROM:<no-reply@x.test>"))
        #expect(!"\(report.steps.flatMap(\.detail))".contains(Self.password))
    }

    @Test func aWrongPasswordFailsAUTHWithEAUTHAndSkipsTheRest() async throws {
        let (server, certificates) = try await startTLSServer()
        defer { Task { try? await server.shutdown() } }
        let report = await check(try client(server, certificates, password: "wrong-password"))

        #expect(!report.ok)
        let failed = try #require(report.failedStep)
        #expect(failed.name == .auth)
        #expect(failed.error?.code == .authentication)
        #expect(failed.error?.reply?.code == 535)
        #expect(failed.error?.hint.contains("SMTP_PASSWORD") == true)
        #expect(failed.duration != nil)
        #expect(report.steps.map(\.name) == [.connect, .greeting, .ehlo, .tls, .ehlo, .auth, .mailFrom, .rcptTo, .reset, .quit])
        for name in [SMTPCheckStep.Name.mailFrom, .rcptTo, .reset, .quit] {
            #expect(report.step(name)?.status == .skipped)
            #expect(report.step(name)?.ok == false)
        }
        #expect(report.steps.prefix(5).allSatisfy { $0.status == .passed })
        #expect(!"\(report.steps.flatMap(\.detail))".contains("wrong-password"))
        #expect(!server.commands.contains { $0.hasPrefix("MAIL") })
    }

    @Test func aClosedPortFailsConnectWithECONNREFUSED() async throws {
        let port = try await SMTPClientTests.closedPort()
        let client = try SMTPClient(configuration: SMTPClientTests.configuration(port: port, host: "127.0.0.1", security: .plaintext))
        let report = await check(client)
        #expect(report.steps.first?.name == .connect)
        #expect(report.steps.first?.status == .failed)
        #expect(report.failedStep?.error?.code == .connectionRefused)
        #expect(report.failedStep?.error?.hint.contains("SMTP_PORT") == true)
        #expect(report.steps.count == 9)
        #expect(report.steps.dropFirst().allSatisfy { $0.status == .skipped })
    }

    @Test func aRejectedRecipientFailsTheProbeWithEENVELOPE() async throws {
        let (server, certificates) = try await startTLSServer([.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody")])
        defer { Task { try? await server.shutdown() } }
        let report = await check(try client(server, certificates), to: "nobody@y.test")

        let failed = try #require(report.failedStep)
        #expect(failed.name == .rcptTo)
        #expect(failed.error?.code == .envelope)
        #expect(failed.error?.rejectedRecipients == ["nobody@y.test"])
        #expect(failed.detail.contains("server said: 550 5.1.1 no such user"))
        #expect(report.step(.mailFrom)?.status == .passed)
        #expect(report.step(.reset)?.status == .skipped)
        #expect(report.step(.quit)?.status == .skipped)
        #expect(server.messages.isEmpty)
        #expect(!server.commands.contains("DATA"))
    }

    @Test func withVerificationOffTheCertificateIsStillShown() async throws {
        let (server, _) = try await startTLSServer()
        defer { Task { try? await server.shutdown() } }
        let report = await check(try client(server, nil, skipVerify: true))
        #expect(report.ok)
        #expect(report.tls?.serverCertificate?.subject.contains("CN=localhost") == true)
        #expect(report.step(.tls)?.detail.contains("not verified: SMTP_TLS_SKIP_VERIFY=true") == true)
    }

    @Test func aCertificateForAnotherHostFailsTLSWithECERTAndShowsTheCertificate() async throws {
        let certificates = try TestCertificates.generate(hostnames: ["mail.other.test"], ipAddresses: [])
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .startTLS
        settings.certificates = certificates
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        var configuration = SMTPClientTests.configuration(port: server.port, host: "localhost", security: .startTLSWhenOffered,
                                                          caFile: try SMTPClientTests.caFile(certificates))
        configuration.credentials = nil
        let report = await check(try SMTPClient(configuration: configuration))
        let failed = try #require(report.failedStep)
        #expect(failed.name == .tls)
        #expect(failed.error?.code == .certificate)
        #expect(failed.detail.contains { $0.contains("certificate: CN=mail.other.test") })
        #expect(report.step(.auth)?.status == .skipped)
        #expect(report.step(.auth)?.ok == false)
    }

    @Test func implicitTLSHandshakesBeforeTheGreetingAndAServerWithoutAUTHSkipsIt() async throws {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .implicit
        settings.certificates = certificates
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        var configuration = SMTPClientTests.configuration(port: server.port, security: .implicitTLS, caFile: try SMTPClientTests.caFile(certificates))
        configuration.credentials = nil
        let report = await check(try SMTPClient(configuration: configuration))
        #expect(report.ok)
        #expect(report.steps.map(\.name) == [.connect, .tls, .greeting, .ehlo, .auth, .mailFrom, .rcptTo, .reset, .quit])
        #expect(report.step(.tls)?.detail.first?.hasSuffix("(implicit TLS)") == true)
        #expect(report.step(.auth)?.detail == ["skipped: no credentials configured"])
        #expect(report.step(.auth)?.ok == true)
    }
}
