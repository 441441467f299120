import Foundation
import SMTPTestServer
import Testing
@testable import MailerService

/// Whatever a caller sends is data: it comes out literally (HTML-escaped in the HTML part) and is
/// never parsed as a template, and names cannot carry line breaks or links.
@Suite struct TemplateDataIsTextTests {
    /// The text part and the HTML part of a delivered message, decoded.
    static func parts(_ message: String) -> (text: String, html: String) {
        let decoded = unfoldedQuotedPrintable(message)
        guard let html = decoded.range(of: "Content-Type: text/html") else { return (decoded, "") }
        return (String(decoded[..<html.lowerBound]), String(decoded[html.lowerBound...]))
    }

    /// Whether the section's content shows up anywhere but inside the literal section text: it
    /// would if the section had been rendered.
    static func renderedOutside(_ section: String, in text: String) -> Bool {
        text.replacingOccurrences(of: section, with: "").contains("SECTION")
    }

    @Test func codesNamesAndDataComeOutLiterally() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        let section = "{{#productName}}SECTION{{/productName}}"
        let partial = "{{>footer.html}}"
        let script = "<script>alert(1)</script>"
        let attribute = #""><a href=evil>"#
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let code = section + partial + attribute
            let verification = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "\#(code.replacingOccurrences(of: "\"", with: "\\\""))"}"#)
            #expect(verification.status == .ok, "\(verification.json)")
            let invitation = try await post(client, "/v1/emails/invitation", #"{"to": "bob@example.org", "code": "1", "inviterName": "\#(section)", "organizationName": "\#(script)"}"#)
            #expect(invitation.status == .ok, "\(invitation.json)")
            let generic = try await post(client, "/v1/emails", #"{"template": "verification", "to": "cy@example.org", "data": {"code": "\#(partial)\#(script)"}}"#)
            #expect(generic.status == .ok, "\(generic.json)")
        }
        let messages = try await server.waitForMessages(3)
        let byRecipient = Dictionary(messages.map { ($0.recipients[0], Self.parts($0.data)) }) { a, _ in a }

        let verification = try #require(byRecipient["ada@example.org"])
        #expect(verification.text.contains(section + partial + attribute), "\(verification.text)")
        #expect(verification.html.contains(section + "{{&gt;footer.html}}&quot;&gt;&lt;a href=evil&gt;"), "\(verification.html)")
        #expect(!Self.renderedOutside(section, in: verification.text + verification.html), "the section was not rendered")

        let invitation = try #require(byRecipient["bob@example.org"])
        #expect(invitation.text.contains(section) && invitation.text.contains(script))
        #expect(invitation.html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !invitation.html.contains(script))
        #expect(!Self.renderedOutside(section, in: invitation.text + invitation.html))

        let generic = try #require(byRecipient["cy@example.org"])
        #expect(generic.text.contains(partial + script))
        #expect(generic.html.contains("{{&gt;footer.html}}&lt;script&gt;alert(1)&lt;/script&gt;") && !generic.html.contains(script))
    }

    @Test(arguments: [
        ("Ada\r\nBcc: eve@example.net", "control character or line break"), ("Ada\u{2028}Lovelace", "control character or line break"),
        ("Ada\u{202E}ecalevoL", "control character or line break"),
        ("Acme https://evil.example", "looks like a link"), ("Visit WWW.evil.example", "looks like a link"), ("ftp://files", "looks like a link"),
    ])
    func namesWithBreaksOrLinksAreRefused(name: String, reason: String) async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            for field in ["inviterName", "organizationName"] {
                let escaped = String(data: try JSONSerialization.data(withJSONObject: [name], options: []), encoding: .utf8)!.dropFirst().dropLast()
                let answer = try await post(client, "/v1/emails/invitation", #"{"to": "a@example.org", "code": "1", "\#(field)": \#(escaped)}"#, prefer: nil)
                #expect(answer.status == .unprocessableContent)
                #expect(answer.json["code"] as? String == "EVALIDATION")
                #expect(answer.json["field"] as? String == field)
                #expect((answer.json["detail"] as? String)?.contains(reason) == true, "\(answer.json)")
            }
        }
    }

    @Test func ordinaryNamesGo() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            let answer = try await post(client, "/v1/emails/invitation", #"{"to": "a@example.org", "code": "1", "inviterName": "Zoë O'Brien-Łukasz", "organizationName": "Acme Inc. (Europe)"}"#, prefer: nil)
            #expect(answer.status == .accepted, "\(answer.json)")
        }
    }
}
