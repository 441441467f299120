import Foundation
import SMTPTestServer
import Testing
@testable import SMTP

/// CRAM-MD5, XOAUTH2 and the choice of mechanism against the real test server.
@Suite struct AuthenticationClientTests {
    typealias C = ClientSupport

    private func server(mechanisms: [String], token: String? = nil, tlsMode: SMTPTestServerConfiguration.TLSMode = .none) async throws -> SMTPTestServer {
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = tlsMode
        settings.credentials = TestCredentials(username: "alice", password: "s3cret", oauth2Token: token)
        settings.authMechanisms = mechanisms
        settings.advertiseAuthBeforeTLS = tlsMode == .none
        settings.requireAuth = true
        return try await SMTPTestServer.start(settings)
    }

    @Test func cramMD5OnAPlaintextConnectionNeverSendsThePassword() async throws {
        let server = try await server(mechanisms: ["PLAIN", "LOGIN", "CRAM-MD5"])
        defer { Task { try? await server.shutdown() } }
        var configuration = C.plaintext(server)
        configuration.credentials = .init(username: "alice", password: "s3cret")
        configuration.allowInsecureAuth = true
        let receipt = try await SMTPClient(configuration: configuration).send(C.mail)
        #expect(receipt.session.authenticationMechanism == .cramMD5)
        #expect(try await server.waitForMessages(1)[0].authenticatedUser == "alice")
        let password = Data("s3cret".utf8).base64EncodedString()
        #expect(!server.commands.contains { $0.contains("s3cret") || $0.contains(password) || $0.hasPrefix("AUTH PLAIN") })

        configuration.credentials = .init(username: "alice", password: "wrong")
        let error = try await C.failure(configuration)
        #expect(error.code == .authentication)
        #expect(error.replyCode == 535)
    }

    @Test func plainIsPreferredOverTLS() async throws {
        let certificates = try TestCertificates.generate()
        var settings = SMTPTestServerConfiguration()
        settings.tlsMode = .implicit
        settings.certificates = certificates
        settings.credentials = TestCredentials(username: "alice", password: "s3cret")
        settings.authMechanisms = ["CRAM-MD5", "LOGIN", "PLAIN"]
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        let configuration = SMTPClientTests.configuration(
            port: server.port, security: .implicitTLS,
            credentials: .init(username: "alice", password: "s3cret"), caFile: try SMTPClientTests.caFile(certificates)
        )
        let receipt = try await SMTPClient(configuration: configuration).send(C.mail)
        #expect(receipt.session.authenticationMechanism == .plain)
    }

    @Test func xoauth2LogsInWithTheToken() async throws {
        let server = try await server(mechanisms: ["PLAIN", "XOAUTH2"], token: "ya29.valid")
        defer { Task { try? await server.shutdown() } }
        var configuration = C.plaintext(server)
        configuration.credentials = .init(username: "alice", password: "")
        configuration.allowInsecureAuth = true
        configuration.oauth2Token = .init("ya29.valid")
        let receipt = try await SMTPClient(configuration: configuration).send(C.mail)
        #expect(receipt.session.authenticationMechanism == .xoauth2)
        #expect(try await server.waitForMessages(1)[0].authenticatedUser == "alice")
    }

    @Test func aRefusedTokenIsEAUTHWithTheProvidersReason() async throws {
        let server = try await server(mechanisms: ["XOAUTH2"], token: "ya29.valid")
        defer { Task { try? await server.shutdown() } }
        var configuration = C.plaintext(server)
        configuration.credentials = .init(username: "alice", password: "")
        configuration.allowInsecureAuth = true
        configuration.oauth2Token = .init("ya29.expired")
        let error = try await C.failure(configuration)
        #expect(error.code == .authentication)
        #expect(error.replyCode == 535)
        #expect(error.message.contains("401"))
        #expect(!error.description.contains("ya29.expired"))
        #expect("\(configuration.oauth2Token!)" == "<redacted>")
        // The error challenge was answered with the empty line XOAUTH2 asks for.
        #expect(server.commands.contains(""))
    }
}
