import Foundation
import Testing
@testable import MIMEMessage

@Suite("Display names")
struct DisplayNameTests {
    @Test(arguments: [
        ("Ada Lovelace", "Ada Lovelace <ada@example.com>"),
        ("Lovelace, Ada", "\"Lovelace, Ada\" <ada@example.com>"),
        ("Ada; Lovelace", "\"Ada; Lovelace\" <ada@example.com>"),
        ("John Q. Public", "\"John Q. Public\" <ada@example.com>"),
        ("Ada \"The Countess\"", "\"Ada \\\"The Countess\\\"\" <ada@example.com>"),
        ("back\\slash", "\"back\\\\slash\" <ada@example.com>"),
        ("a@b", "\"a@b\" <ada@example.com>"),
        ("<x>", "\"<x>\" <ada@example.com>"),
        ("(x)", "\"(x)\" <ada@example.com>"),
        ("two  spaces", "\"two  spaces\" <ada@example.com>"),
        ("José", "José <ada@example.com>"),
    ])
    func description(_ name: String, _ expected: String) throws {
        let address = try EmailAddress(address: "ada@example.com", displayName: name)
        #expect(address.description == expected)
    }

    @Test func descriptionWithoutName() throws {
        #expect(try EmailAddress(parsing: "<ada@example.com>").description == "ada@example.com")
    }

    /// Whatever we write must parse back to the same mailbox.
    @Test(arguments: ["Ada Lovelace", "Lovelace, Ada", "Ada \"The Countess\" L.", "back\\slash", "a@b <c>", "José Müller"])
    func descriptionRoundTrips(_ name: String) throws {
        let address = try EmailAddress(address: "ada@example.com", displayName: name)
        let reparsed = try EmailAddress(parsing: address.description)
        #expect(reparsed == address)
    }

    @Test func wireFormQuotesASCIIAndEncodesNonASCII() throws {
        #expect(DisplayNameFormatter.wirePhrase("Lovelace, Ada") == "\"Lovelace, Ada\"")
        #expect(DisplayNameFormatter.wirePhrase("Ada") == "Ada")
        let encoded = DisplayNameFormatter.wirePhrase("José, Müller")
        #expect(encoded.hasPrefix("=?utf-8?"))
        #expect(encoded.allSatisfy { $0.isASCII })
        #expect(try EncodedWordDecoder.decode(encoded) == "José, Müller")
        // Something that merely looks like an encoded-word must not be decoded by readers.
        let lookalike = DisplayNameFormatter.wirePhrase("=?utf-8?q?x?=")
        #expect(try EncodedWordDecoder.decode(lookalike) == "=?utf-8?q?x?=")
    }

    /// Fuzz/fuzz-mime: a display name of one 1013-byte ASCII word went out as a plain atom, which
    /// folding cannot break, so the From line passed RFC 5322's 998-byte limit. Such a word now
    /// travels as encoded-words, and the message keeps every line within 78 characters.
    @Test(arguments: ["Lis" + String(repeating: "y", count: 1010), String(repeating: "x", count: 77) + " Lovelace"])
    func displayNameWordLongerThanALineIsEncoded(_ name: String) throws {
        let sender = try EmailAddress(address: "sender@example.com", displayName: name)
        let message = MailMessage(
            from: sender, to: [try EmailAddress(address: "rcpt@example.org", displayName: name)],
            subject: "s", textBody: "t", date: Date(timeIntervalSince1970: 1_780_000_000), messageID: "fuzz@example.com")
        let bytes = try message.serialized()
        let (lines, bare) = crlfLines(bytes)
        #expect(bare == 0)
        for line in lines { #expect(line.utf8.count <= 78, "line of \(line.utf8.count) bytes") }
        let parsed = try ParsedMessage(bytes)
        for field in ["From", "To"] {
            let value = try #require(parsed.header(field))
            #expect(try EncodedWordDecoder.decode(String(value.prefix { $0 != "<" }).trimmingCharacters(in: .whitespaces)) == name)
        }
        #expect(DisplayNameFormatter.wirePhrase("Ada " + String(repeating: "x", count: 76)) == "Ada " + String(repeating: "x", count: 76))
    }
}
