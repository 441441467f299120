import Foundation
import Testing
@testable import MIMEMessage

@Suite("MailMessage serialisation")
struct MailMessageTests {
    static let fixedDate = Date(timeIntervalSince1970: 1_795_309_323)   // Sun, 22 Nov 2026 01:02:03 +0000

    func message(
        subject: String = "Verify your email",
        text: String = "Hello,\nplease verify.\n",
        html: String? = "<p>Hello,</p>\n<p>please verify.</p>\n",
        to: [EmailAddress]? = nil
    ) throws -> MailMessage {
        MailMessage(
            from: try EmailAddress(parsing: "Example Accounts <accounts@mail.example.com>"),
            to: try to ?? [EmailAddress(parsing: "Ada Lovelace <ada@example.org>")],
            subject: subject,
            textBody: text,
            htmlBody: html,
            date: Self.fixedDate
        )
    }

    /// Checks shared by every serialised message.
    func checkWireFormat(_ bytes: [UInt8]) {
        #expect(bytes.allSatisfy { $0 < 0x80 }, "message must be 7-bit")
        #expect(!bytes.contains(0))
        let (lines, bare) = crlfLines(bytes)
        #expect(bare == 0, "bare CR or LF in output")
        for line in lines { #expect(line.utf8.count <= 78, "line too long: \(line)") }
        #expect(bytes.suffix(2) == [0x0D, 0x0A], "must end with CRLF")
    }

    @Test func headersAndMultipartStructure() throws {
        let msg = try message()
        let bytes = try msg.serialized()
        checkWireFormat(bytes)
        let parsed = try ParsedMessage(bytes)
        #expect(parsed.headers.map(\.name) == ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"])
        #expect(parsed.header("From") == "Example Accounts <accounts@mail.example.com>")
        #expect(parsed.header("To") == "Ada Lovelace <ada@example.org>")
        #expect(parsed.header("Subject") == "Verify your email")
        #expect(parsed.header("Date") == "Sun, 22 Nov 2026 01:02:03 +0000")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.header("Content-Type")?.hasPrefix("multipart/alternative; boundary=\"") == true)

        let parts = try parsed.parts()
        #expect(parts.count == 2)
        #expect(parts[0].header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parts[1].header("Content-Type") == "text/html; charset=utf-8")
        #expect(parts[0].header("Content-Transfer-Encoding") == "7bit")
        #expect(try parts[0].decodedBody() == crlf(msg.textBody))
        #expect(try parts[1].decodedBody() == crlf(msg.htmlBody!))
    }

    @Test func singlePartWithoutHTML() throws {
        let msg = try message(text: "Grüße,\nyour code is 123456", html: nil)
        let bytes = try msg.serialized()
        checkWireFormat(bytes)
        let parsed = try ParsedMessage(bytes)
        #expect(parsed.header("Content-Type") == "text/plain; charset=utf-8")
        #expect(parsed.header("Content-Transfer-Encoding") == "quoted-printable")
        // A final CRLF is added so the SMTP terminator starts on its own line.
        #expect(try parsed.decodedBody() == crlf(msg.textBody) + "\r\n")
    }

    @Test func crlfOnlyWithMixedLineEndings() throws {
        let text = "one\ntwo\rthree\r\nfour\n\n\rfive" + String(repeating: " long line", count: 30) + "\n"
        let html = "<p>\r\r\n\n</p>é\n"
        let bytes = try message(text: text, html: html).serialized()
        checkWireFormat(bytes)
        let parts = try ParsedMessage(bytes).parts()
        #expect(try parts[0].decodedBody() == crlf(text))
        #expect(try parts[1].decodedBody() == crlf(html))
    }

    @Test func nonASCIISubjectsAndNames() throws {
        let subjects = [
            "Bestätigen Sie Ihre E-Mail-Adresse",
            "Réinitialisez votre mot de passe 🔑",
            "请验证您的电子邮件地址",
            "Welcome aboard 🎉👩‍💻🚀",
            String(repeating: "Ünïcödé ✓ ", count: 20),                         // 200 chars
            String((0..<200).map { i in i % 7 == 0 ? " " : Character(Unicode.Scalar(0x4E00 + i)!) }),
            String(repeating: "x", count: 200),                                  // unfoldable ASCII
            "a" + String(repeating: " ", count: 120) + "b",                      // unfoldable whitespace run
        ]
        let to = [
            try EmailAddress(parsing: "Zoë Ångström <zoe@example.org>"),
            try EmailAddress(parsing: "\"Lovelace, Ada\" <ada@example.org>"),
            try EmailAddress(address: "taro@example.jp", displayName: "山田 太郎 (Yamada Taro) 🙇"),
            try EmailAddress(address: "plain@example.org"),
        ]
        for subject in subjects {
            let bytes = try message(subject: subject, to: to).serialized()
            checkWireFormat(bytes)
            let parsed = try ParsedMessage(bytes)
            let rawSubject = try #require(parsed.header("Subject"))
            #expect(try EncodedWordDecoder.decode(rawSubject) == subject)
            for word in EncodedWordDecoder.words(in: rawSubject) {
                #expect(word.utf8.count <= 75, "\(word)")
                #expect(try EncodedWordDecoder.wordIsValidUTF8(word))
            }
            let rawTo = try #require(parsed.header("To"))
            #expect(rawTo.contains("\"Lovelace, Ada\" <ada@example.org>"))
            #expect(rawTo.hasSuffix(", plain@example.org"))
            let toDecoded = try EncodedWordDecoder.decode(rawTo)
            #expect(toDecoded.contains("Zoë Ångström <zoe@example.org>"))
            #expect(toDecoded.contains("山田 太郎 (Yamada Taro) 🙇 <taro@example.jp>"))
            for word in EncodedWordDecoder.words(in: rawTo) { #expect(word.utf8.count <= 75) }
        }
    }

    @Test func twoHundredCharacterSubjectFoldsWithinLimits() throws {
        let subject = String(repeating: "Passwort zurücksetzen – ", count: 9).prefix(200)
        #expect(subject.count == 200)
        let bytes = try message(subject: String(subject)).serialized()
        checkWireFormat(bytes)
        let parsed = try ParsedMessage(bytes)
        let subjectLines = parsed.rawHeaderLines.drop { !$0.hasPrefix("Subject:") }
            .prefix { $0.hasPrefix("Subject:") || $0.hasPrefix(" ") }
        #expect(subjectLines.count > 2)
        #expect(!subjectLines.first!.trimmingCharacters(in: .whitespaces).hasSuffix(":"), "first line should carry content")
        #expect(try EncodedWordDecoder.decode(parsed.header("Subject")!) == String(subject))
    }

    @Test func longASCIISubjectFoldsAtSpaces() throws {
        let subject = Array(repeating: "Please confirm the change to your account settings", count: 4).joined(separator: " ")
        let parsed = try ParsedMessage(try message(subject: subject).serialized())
        #expect(parsed.header("Subject") == subject)
        #expect(!parsed.header("Subject")!.contains("=?"))
    }

    @Test(arguments: ["  padded subject ", "\tTabbed", "trailing\t"])
    func outerWhitespaceSurvives(_ subject: String) throws {
        let parsed = try ParsedMessage(try message(subject: subject).serialized())
        let raw = try #require(parsed.header("Subject"))
        #expect(raw.hasPrefix("=?utf-8?"))
        #expect(try EncodedWordDecoder.decode(raw) == subject)
    }

    @Test(arguments: [
        ("Subject", "Hi\r\nBcc: victim@example.com"),
        ("Subject", "Hi\nthere"),
        ("Subject", "Hi\rthere"),
        ("Subject", "Hi\u{0}there"),
        ("Subject", "Ünïcödé\r\nBcc: x@example.com"),
    ])
    func headerInjectionRefused(_ field: String, _ subject: String) throws {
        let msg = try message(subject: subject)
        do {
            _ = try msg.serialized()
            Issue.record("serialised a subject containing \(subject.debugDescription)")
        } catch {
            #expect(error.field == field)
            #expect(error.reason.contains("line break") || error.reason.contains("NUL"))
        }
    }

    @Test func contentLanguageHeader() throws {
        var msg = try message()
        #expect(!String(decoding: try msg.serialized(), as: UTF8.self).contains("Content-Language"))
        msg.language = "pt-BR"
        let bytes = try msg.serialized()
        checkWireFormat(bytes)
        #expect(String(decoding: bytes, as: UTF8.self).contains("\r\nContent-Language: pt-BR\r\n"))
        for bad in ["", "de\r\nBcc: x@example.com", "de en", "dé"] {
            msg.language = bad
            #expect(throws: MessageError.self) { try msg.serialized() }
        }
    }

    @Test func injectionThroughAddressesRefused() {
        #expect(throws: AddressError.self) { try EmailAddress(parsing: "a@example.com\r\nBcc: b@example.com") }
        #expect(throws: AddressError.self) { try EmailAddress(address: "a@example.com", displayName: "A\nBcc: b@example.com") }
        #expect(throws: AddressError.self) { try EmailAddress(parsing: "\"A\r\nB\" <a@example.com>") }
    }

    @Test func boundaryNotInContent() throws {
        // A 7bit body that contains the first candidate boundary forces a retry.
        let colliding = "=_CollidingBoundary0123456789"
        let msg = try message(text: "see --\(colliding) here\n", html: "<p>\(colliding)</p>")
        var candidates = [colliding, colliding, "=_Fresh0123456789abcdefghijkl"]
        let bytes = try msg.serialized(boundaryGenerator: { candidates.removeFirst() })
        let parsed = try ParsedMessage(bytes)
        #expect(parsed.boundary == "=_Fresh0123456789abcdefghijkl")
        #expect(try parsed.parts().count == 2)
        #expect(try parsed.parts()[0].decodedBody() == "see --\(colliding) here\r\n")

        #expect(throws: MessageError.self) {
            _ = try msg.serialized(boundaryGenerator: { colliding })
        }
    }

    @Test func randomBoundariesDifferAndAreAbsentFromParts() throws {
        let msg = try message()
        var seen = Set<String>()
        for _ in 0..<20 {
            let parsed = try ParsedMessage(try msg.serialized())
            let boundary = try #require(parsed.boundary)
            seen.insert(boundary)
            for part in try parsed.parts() { #expect(!part.body.contains(boundary)) }
        }
        #expect(seen.count == 20)
    }

    @Test func messageIDUsesSenderDomain() throws {
        let msg = try message()
        #expect(msg.messageID.hasSuffix("@mail.example.com"))
        #expect(!msg.messageID.contains("<"))
        #expect(try message().messageID != msg.messageID)
        let parsed = try ParsedMessage(try msg.serialized())
        #expect(parsed.header("Message-ID") == "<\(msg.messageID)>")
        #expect(MessageID.problem(with: msg.messageID) == nil)
    }

    @Test func explicitMessageID() throws {
        let from = try EmailAddress(address: "a@example.com")
        let to = [try EmailAddress(address: "b@example.com")]
        #expect(MailMessage(from: from, to: to, subject: "s", textBody: "t", messageID: "abc.1@example.com").messageID == "abc.1@example.com")
        #expect(MailMessage(from: from, to: to, subject: "s", textBody: "t", messageID: "<abc@example.com>").messageID == "abc@example.com")
        for bad in ["no-at", "a b@example.com", "x@y\r\nBcc: z@example.com", "@example.com", "a@", "a@b@c d"] {
            let msg = MailMessage(from: from, to: to, subject: "s", textBody: "t", messageID: bad)
            #expect(throws: MessageError.self) { _ = try msg.serialized() }
        }
    }

    @Test func messageIDForIPLiteralSender() throws {
        let msg = MailMessage(from: try EmailAddress(address: "a@[192.0.2.1]"), to: [try EmailAddress(address: "b@example.com")],
                              subject: "s", textBody: "t")
        #expect(msg.messageID.hasSuffix("@[192.0.2.1]"))
        _ = try msg.serialized()
    }

    @Test func envelopeRecipients() throws {
        let msg = try message(to: [try EmailAddress(parsing: "A <a@example.com>"), try EmailAddress(parsing: "\"b c\"@example.com")])
        #expect(msg.envelopeRecipients == ["a@example.com", "\"b c\"@example.com"])
    }

    @Test func noRecipientsRefused() throws {
        #expect(throws: MessageError(field: "To", reason: "at least one recipient is required")) {
            _ = try message(to: []).serialized()
        }
    }

    @Test func manyRecipientsFold() throws {
        let to = try (0..<30).map { try EmailAddress(address: "user\($0)@example.com", displayName: "User Number \($0)") }
        let bytes = try message(to: to).serialized()
        checkWireFormat(bytes)
        let parsed = try ParsedMessage(bytes)
        #expect(parsed.header("To") == to.map(\.description).joined(separator: ", "))
    }

    @Test func dotLinesAreNotStuffed() throws {
        let parsed = try ParsedMessage(try message(text: ".\n..\nend\n", html: nil).serialized())
        #expect(parsed.body == ".\r\n..\r\nend\r\n")
    }
}
