import Foundation
import PropertyBased
import Testing
@testable import MIMEMessage

/// Scripts and characters that stress encoded-words, folding and quoted-printable: spaces and
/// tabs (also at the ends), "=?" look-alikes, dots at line starts, and multi-byte clusters.
private let character = Gen<Character>.frequency(
    (4, Gen.letterOrNumber),
    (2, Gen<Character?>.element(of: [" ", " ", "\t", "=", "?", "_", ".", "\"", "<", ">", ",", ";", ":", "\\", "(", ")"]).map { $0! }),
    (2, Gen<Character?>.element(of: ["é", "ß", "Ø", "日", "本", "한", "ע", "ب", "😀", "👩‍💻", "🇩🇪", "e\u{301}"]).map { $0! }),
    (1, Gen<UnicodeScalar>.unicodeScalar(in: "\u{A0}"..."\u{D7FF}").map(Character.init))
)

/// Header text: anything but CR, LF and NUL (those are refused, tested elsewhere).
private let headerText = character.string(of: 0...200)
/// Body text with line breaks of every convention.
private let bodyText = Gen<Character>.frequency(
    (8, character),
    (1, Gen<Character?>.element(of: ["\n", "\r\n", "\r", "."]).map { $0! })
).string(of: 0...600)

@Suite("MIME properties")
struct MIMEPropertyTests {
    static let from = try! EmailAddress(parsing: "Sender <sender@example.com>")

    /// What every serialised message satisfies, whatever it carries.
    static func checkWire(_ bytes: [UInt8]) {
        #expect(bytes.allSatisfy { $0 < 0x80 && $0 != 0 }, "7-bit, no NUL")
        let (lines, bare) = crlfLines(bytes)
        #expect(bare == 0, "no bare CR or LF")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 }, "no line over 998 octets")
    }

    @Test func anySubjectAndDisplayNameDecodeBackEqual() async throws {
        await propertyCheck(count: 400, input: headerText, headerText) { subject, name in
            let to = try EmailAddress(address: "rcpt@example.org", displayName: name)
            let bytes = try MailMessage(from: Self.from, to: [to], subject: subject, textBody: "x").serialized()
            Self.checkWire(bytes)
            let parsed = try ParsedMessage(bytes)
            #expect(try EncodedWordDecoder.decode(parsed.header("Subject") ?? "") == subject)
            #expect(parsed.rawHeaderLines.allSatisfy { $0.utf8.count <= 78 || !$0.contains(" ") }, "folded where it can be")
            #expect(try Self.displayName(inMailboxHeader: parsed.header("To") ?? "") == to.displayName)
        }
    }

    /// The display name of `phrase <addr>` as a reader sees it: unquoted, or encoded-words decoded.
    static func displayName(inMailboxHeader value: String) throws -> String? {
        guard value.hasSuffix(">"), let open = value.lastIndex(of: "<") else { return nil }
        var phrase = String(value[..<open])
        if phrase.hasSuffix(" ") { phrase.removeLast() }
        guard phrase.hasPrefix("\"") else { return try EncodedWordDecoder.decode(phrase) }
        var unquoted = ""
        var escaped = false
        for character in phrase.dropFirst().dropLast() {
            if !escaped && character == "\\" { escaped = true; continue }
            unquoted.append(character)
            escaped = false
        }
        return unquoted
    }

    @Test func anyTextAndHTMLBodyRoundTrips() async throws {
        await propertyCheck(count: 300, input: bodyText, bodyText) { text, html in
            let message = MailMessage(from: Self.from, to: [try EmailAddress(parsing: "a@example.org")], subject: "s", textBody: text, htmlBody: html)
            let bytes = try message.serialized()
            Self.checkWire(bytes)
            let parts = try ParsedMessage(bytes).parts()
            #expect(try parts[0].decodedBody() == crlf(text))
            #expect(try parts[1].decodedBody() == crlf(html))
        }
    }

    @Test func anyAttachmentAndXHeaderRoundTrip() async throws {
        let bytesGen = Gen<UInt8>.uint8().array(of: 0...3000)
        await propertyCheck(count: 200, input: bytesGen, headerText) { data, value in
            var message = MailMessage(from: Self.from, to: [try EmailAddress(parsing: "a@example.org")], subject: "s", textBody: "t")
            message.attachments = [Attachment(filename: "f.bin", contentType: "application/octet-stream", data: data)]
            message.headers = [CustomHeader(name: "X-Value", value: value)]
            let bytes = try message.serialized()
            Self.checkWire(bytes)
            let parsed = try ParsedMessage(bytes)
            #expect(try EncodedWordDecoder.decode(parsed.header("X-Value") ?? "") == value)
            let attachment = try parsed.parts()[1]
            #expect(Data(base64Encoded: attachment.body.replacingOccurrences(of: "\r\n", with: "")).map(Array.init) == data)
        }
    }
}
