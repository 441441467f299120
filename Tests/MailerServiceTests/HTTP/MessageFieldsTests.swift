import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// cc, bcc, replyTo, headers and attachments through the HTTP API to a real SMTP server.
@Suite struct MessageFieldsTests {
    @Test func everyFieldReachesTheMessageAndBccOnlyTheEnvelope() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let pdf = Data((0..<3000).map { UInt8($0 % 256) })
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let body = """
            {"to": "ada@example.org", "code": "493817", "cc": ["Bob <bob@example.org>"], "bcc": "audit@example.com",
             "replyTo": "Support <help@example.com>",
             "headers": {"List-Unsubscribe": "<https://example.com/u/1>", "X-Campaign": "spring"},
             "attachments": [{"filename": "terms.pdf", "contentType": "application/pdf", "content": "\(pdf.base64EncodedString())"}]}
            """
            let answer = try await post(client, "/v1/emails/verification", body)
            #expect(answer.status == .ok, "\(answer.json)")
        }
        let message = try #require(try await server.waitForMessages(1).first)
        #expect(message.recipients == ["ada@example.org", "bob@example.org", "audit@example.com"])
        #expect(message.data.contains("Cc: Bob <bob@example.org>\r\n"))
        #expect(message.data.contains("Reply-To: Support <help@example.com>\r\n"))
        #expect(message.data.contains("List-Unsubscribe: <https://example.com/u/1>\r\n"))
        #expect(message.data.contains("X-Campaign: spring\r\n"))
        #expect(!message.data.contains("audit@example.com"), "Bcc never appears in the message")
        #expect(message.data.contains("Content-Type: multipart/mixed;"))
        #expect(message.data.contains("Content-Disposition: attachment; filename=\"terms.pdf\""))
    }

    @Test func headerInjectionAndForbiddenHeadersAreRefusedNamingTheField() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let injected = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1", "headers": {"X-Note": "a\r\nBcc: victim@example.net"}}"#)
            #expect(injected.status == .unprocessableContent)
            #expect(injected.json["code"] as? String == "EVALIDATION")
            #expect(injected.json["field"] as? String == "headers.X-Note")
            let forged = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1", "headers": {"From": "ceo@example.com"}}"#)
            #expect(forged.status == .unprocessableContent)
            #expect(forged.json["field"] as? String == "headers.From")
            let copied = try await post(client, "/v1/emails/password-reset", #"{"to": "ada@example.org", "code": "1", "cc": "eve@example.net"}"#)
            #expect(copied.status == .unprocessableContent, "a reset link is personal: no cc")
            #expect(copied.json["field"] as? String == "cc")
            let badFile = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1", "attachments": [{"filename": "a.pdf", "contentType": "application/pdf", "content": "%%%"}]}"#)
            #expect(badFile.json["field"] as? String == "attachments[0].content")
        }
        #expect(server.messages.isEmpty)
    }

    @Test func aMessageOverTheSizeLimitIsRefused() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let big = Data(repeating: 7, count: 30_000).base64EncodedString()
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false", "MAILER_MAX_MESSAGE_BYTES": "20000"]) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1", "attachments": [{"filename": "a.bin", "contentType": "application/octet-stream", "content": "\#(big)"}]}"#)
            #expect(answer.status == .contentTooLarge)
            #expect(answer.json["code"] as? String == "EMESSAGE")
            #expect((answer.json["detail"] as? String)?.contains("MAILER_MAX_MESSAGE_BYTES") == true)
        }
        #expect(server.messages.isEmpty)
    }
}
