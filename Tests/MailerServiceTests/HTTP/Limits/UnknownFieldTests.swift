import SMTPTestServer
import Testing
@testable import MailerService

/// Unknown fields are refused by name, with the field meant when it looks like a typo; the sender
/// cannot be chosen by a request at all.
@Suite struct UnknownFieldTests {
    @Test func aTypoGetsASuggestion() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            let typo = try await post(client, "/v1/emails", #"{"tempalte": "verification", "to": "a@example.org"}"#, prefer: nil)
            #expect(typo.status == .unprocessableContent)
            #expect(typo.json["code"] as? String == "EVALIDATION")
            #expect(typo.json["field"] as? String == "tempalte")
            #expect(typo.json["detail"] as? String == "unknown field 'tempalte'; did you mean 'template'?")

            let attachment = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "1", "attachments": [{"fileName": "a.txt", "contentType": "text/plain", "content": "AA=="}]}"#, prefer: nil)
            #expect(attachment.json["field"] as? String == "attachments[0].fileName")
            #expect(attachment.json["detail"] as? String == "unknown field 'fileName'; did you mean 'filename'?")

            let preview = try await post(client, "/v1/templates/verification/preview", #"{"dta": {}}"#, prefer: nil)
            #expect(preview.json["detail"] as? String == "unknown field 'dta'; did you mean 'data'?")

            // Nothing close: the list of what is accepted instead.
            let unrelated = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "1", "priority": "high"}"#, prefer: nil)
            #expect(unrelated.json["field"] as? String == "priority")
            #expect((unrelated.json["detail"] as? String)?.hasPrefix("unknown field 'priority'; this endpoint accepts to, code, locale") == true)
        }
    }

    @Test func theSenderCannotBeChosen() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            for (path, body) in [
                ("/v1/emails/verification", #"{"to": "a@example.org", "code": "1", "from": "ceo@example.com"}"#),
                ("/v1/emails", #"{"template": "verification", "to": "a@example.org", "data": {"code": "1"}, "sender": "ceo@example.com"}"#),
                ("/v1/emails/password-reset", #"{"to": "a@example.org", "code": "1", "From": "ceo@example.com"}"#),
            ] {
                let answer = try await post(client, path, body, prefer: nil)
                #expect(answer.status == .unprocessableContent, "\(path)")
                #expect(answer.json["code"] as? String == "EVALIDATION")
                #expect((answer.json["detail"] as? String)?.contains("the sender is always SMTP_SENDER") == true, "\(answer.json)")
            }
        }
    }

    @Test(arguments: [
        ("tempalte", "template"), ("templat", "template"), ("Template", "template"), ("too", "to"), ("resetURL", "resetUrl"),
        ("inviterNmae", "inviterName"), ("atachments", "attachments"),
    ])
    func closeNamesAreSuggested(typed: String, meant: String) {
        let accepted = ["template", "to", "data", "locale", "cc", "bcc", "replyTo", "headers", "attachments", "resetUrl", "inviterName"]
        #expect(UnknownField.suggestion(for: typed, among: accepted) == meant)
    }

    @Test(arguments: ["priority", "x", "tmpl", "subject", String(repeating: "t", count: 1000)])
    func distantNamesAreNot(typed: String) {
        #expect(UnknownField.suggestion(for: typed, among: ["template", "to", "data", "locale", "cc", "bcc", "code"]) == nil)
    }
}
