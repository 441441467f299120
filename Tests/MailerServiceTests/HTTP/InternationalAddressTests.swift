import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// Non-ASCII local parts go out with SMTPUTF8 and UTF-8 headers (RFC 6531, 6532), or not at all.
@Suite struct InternationalAddressTests {
    @Test func aServerWithSMTPUTF8GetsTheAddressInUTF8AndTheDomainInItsASCIIForm() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.advertiseSMTPUTF8 = true
        settings.advertise8BITMIME = true
        let server = try await SMTPTestServer.start(settings)
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "José <josé@bücher.example>", "code": "1"}"#)
            #expect(answer.status == .ok, "\(answer.json)")
        }
        let message = try #require(try await server.waitForMessages(1).first)
        #expect(message.recipients == ["josé@xn--bcher-kva.example"])
        #expect(message.mailParameters.contains("SMTPUTF8"))
        #expect(message.data.contains("<josé@xn--bcher-kva.example>\r\n"), "RFC 6532: the address in UTF-8 in To")
    }

    @Test func aServerWithoutSMTPUTF8IsNotSentAnythingAndTheErrorSaysWhy() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "josé@example.com", "code": "1"}"#)
            #expect(answer.status == .badGateway)
            #expect(answer.json["code"] as? String == "EENVELOPE")
            #expect((answer.json["hint"] as? String)?.contains("SMTPUTF8") == true)
        }
        #expect(server.messages.isEmpty)
        #expect(!server.commands.contains { $0.hasPrefix("MAIL FROM") })
    }

    @Test func aNonASCIIReplyToIsRefusedBeforeAnythingIsQueued() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1", "replyTo": "josé@example.com"}"#)
            #expect(answer.status == .unprocessableContent)
            #expect(answer.json["field"] as? String == "replyTo")
        }
        #expect(server.messages.isEmpty)
    }
}
