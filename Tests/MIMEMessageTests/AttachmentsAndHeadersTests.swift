import Foundation
import Testing
@testable import MIMEMessage

/// Cc, Bcc, Reply-To, caller headers, attachments and inline images.
@Suite struct AttachmentsAndHeadersTests {
    static let pdf: [UInt8] = Array(0...255) + Array("%PDF-1.7 end".utf8)

    static func message(html: String? = "<p>Hi <img src=\"cid:logo@acme.test\"></p>") throws -> MailMessage {
        var message = MailMessage(
            from: try EmailAddress(parsing: "Acme <no-reply@acme.test>"),
            to: [try EmailAddress(parsing: "Ada <ada@example.org>")],
            subject: "Your invoice",
            textBody: "Hi",
            htmlBody: html,
            date: Date(timeIntervalSince1970: 1_795_309_323)
        )
        message.cc = [try EmailAddress(parsing: "Bob <bob@example.org>")]
        message.bcc = [try EmailAddress(parsing: "audit@acme.test")]
        message.replyTo = [try EmailAddress(parsing: "Support <help@acme.test>")]
        return message
    }

    @Test func ccAndReplyToAreHeadersButBccIsOnlyInTheEnvelope() throws {
        let message = try Self.message(html: nil)
        let parsed = try ParsedMessage(try message.serialized())
        #expect(parsed.header("Cc") == "Bob <bob@example.org>")
        #expect(parsed.header("Reply-To") == "Support <help@acme.test>")
        #expect(parsed.header("Bcc") == nil)
        #expect(!String(decoding: try message.serialized(), as: UTF8.self).contains("audit@acme.test"))
        #expect(message.envelopeRecipients == ["ada@example.org", "bob@example.org", "audit@acme.test"])
    }

    @Test func attachmentsMakeAMixedMessageWithTheContentFirst() throws {
        var message = try Self.message(html: "<p>Hi</p>")
        message.attachments = [Attachment(filename: "invoice 2026.pdf", contentType: "application/pdf", data: Self.pdf)]
        let bytes = try message.serialized()
        let parsed = try ParsedMessage(bytes)
        #expect(parsed.header("Content-Type")?.hasPrefix("multipart/mixed; boundary=") == true)
        let parts = try parsed.parts()
        #expect(parts.count == 2)
        #expect(parts[0].header("Content-Type")?.hasPrefix("multipart/alternative") == true)
        #expect(parts[1].header("Content-Type") == "application/pdf; name=\"invoice 2026.pdf\"")
        #expect(parts[1].header("Content-Disposition") == "attachment; filename=\"invoice 2026.pdf\"")
        #expect(parts[1].header("Content-Transfer-Encoding") == "base64")
        #expect(Data(base64Encoded: parts[1].body.replacingOccurrences(of: "\r\n", with: "")).map(Array.init) == Self.pdf)
        #expect(parts[1].body.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(bytes.allSatisfy { $0 < 0x80 })
    }

    @Test func inlineImagesSitBesideTheHTMLInARelatedPart() throws {
        var message = try Self.message()
        message.attachments = [
            Attachment(filename: "logo.png", contentType: "image/png", data: [0x89, 0x50, 0x4E, 0x47], contentID: "logo@acme.test"),
        ]
        let parsed = try ParsedMessage(try message.serialized())
        #expect(parsed.header("Content-Type")?.hasPrefix("multipart/alternative") == true, "no download: no mixed wrapper")
        let alternatives = try parsed.parts()
        #expect(alternatives[0].header("Content-Type") == "text/plain; charset=utf-8")
        let related = alternatives[1]
        #expect(related.header("Content-Type")?.hasPrefix("multipart/related; boundary=") == true)
        #expect(related.header("Content-Type")?.hasSuffix("; type=\"text/html\"") == true)
        let inner = try related.parts()
        #expect(inner[0].header("Content-Type") == "text/html; charset=utf-8")
        #expect(inner[1].header("Content-ID") == "<logo@acme.test>")
        #expect(inner[1].header("Content-Disposition") == "inline; filename=\"logo.png\"")
    }

    @Test func aNonASCIIFileNameUsesRFC2231AndAnASCIIFallback() throws {
        var message = try Self.message(html: nil)
        message.attachments = [Attachment(filename: "Rechnung März 日本.pdf", contentType: "application/pdf", data: [1, 2, 3])]
        let parts = try ParsedMessage(try message.serialized()).parts()
        let disposition = try #require(parts[1].header("Content-Disposition"))
        #expect(disposition == "attachment; filename*=utf-8''Rechnung%20M%C3%A4rz%20%E6%97%A5%E6%9C%AC.pdf")
        #expect(parts[1].header("Content-Type") == "application/pdf; name*=utf-8''Rechnung%20M%C3%A4rz%20%E6%97%A5%E6%9C%AC.pdf")
        #expect(try ParsedMessage(try message.serialized()).parts()[1].rawHeaderLines.allSatisfy { $0.utf8.count <= 998 })
    }

    @Test func allowedHeadersAreWrittenAndOthersRefusedByName() throws {
        var message = try Self.message(html: nil)
        message.headers = [
            CustomHeader(name: "List-Unsubscribe", value: "<https://acme.test/u/1>, <mailto:u@acme.test>"),
            CustomHeader(name: "List-Unsubscribe-Post", value: "List-Unsubscribe=One-Click"),
            CustomHeader(name: "X-Campaign", value: "Grüße"),
        ]
        let parsed = try ParsedMessage(try message.serialized())
        #expect(parsed.header("List-Unsubscribe") == "<https://acme.test/u/1>, <mailto:u@acme.test>")
        #expect(parsed.header("X-Campaign")?.hasPrefix("=?utf-8?") == true)

        for (name, value, field) in [
            ("From", "evil@x.test", "headers.From"),
            ("Bcc", "a@b.test", "headers.Bcc"),
            ("X-Note", "a\r\nBcc: victim@x.test", "headers.X-Note"),
            ("X-Note", "nul\u{0}", "headers.X-Note"),
            ("X Bad", "v", "headers"),
            ("List-Unsubscribe", "<https://ü.test>", "headers.List-Unsubscribe"),
        ] {
            var bad = message
            bad.headers = [CustomHeader(name: name, value: value)]
            #expect(throws: MessageError.self, "\(name): \(value)") { try bad.serialized() }
            do { _ = try bad.serialized() } catch { #expect(error.field == field) }
        }
    }

    @Test(arguments: [
        ("../etc/passwd", "application/pdf", nil as String?, "attachments.filename"),
        ("a\r\nb.pdf", "application/pdf", nil, "attachments.filename"),
        ("a.pdf", "application/pdf; name=x", nil, "attachments.contentType"),
        ("a.pdf", "pdf", nil, "attachments.contentType"),
        ("a.eml", "Multipart/mixed", nil, "attachments.contentType"),
        ("a.eml", "message/rfc822", nil, "attachments.contentType"),
        ("a.png", "image/png", "logo>\r\n", "attachments.contentId"),
        ("a.png", "image/png", "logo", "attachments.contentId"),
    ])
    func badAttachmentsAreRefusedNamingTheField(filename: String, type: String, contentID: String?, field: String) throws {
        var message = try Self.message()
        message.attachments = [Attachment(filename: filename, contentType: type, data: [1], contentID: contentID)]
        do {
            _ = try message.serialized()
            Issue.record("\(filename) / \(type) should be refused")
        } catch {
            #expect(error.field == field)
        }
    }
}

@Suite struct TransferEncodingChoiceTests {
    @Test func plainTextStays7bitLatinGetsQuotedPrintableAndCJKBase64() {
        #expect(ContentTransferEncoding.encoded("Hello,\nplease verify.").encoding == .sevenBit)
        #expect(ContentTransferEncoding.encoded("Grüße aus Köln, Ihre Bestellung ist unterwegs.").encoding == .quotedPrintable)
        let japanese = ContentTransferEncoding.encoded("ご注文ありがとうございます。商品を発送しました。")
        #expect(japanese.encoding == .base64)
        #expect(japanese.body.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(Data(base64Encoded: japanese.body.replacingOccurrences(of: "\r\n", with: "")).map { String(decoding: $0, as: UTF8.self) }
            == "ご注文ありがとうございます。商品を発送しました。")
    }
}
