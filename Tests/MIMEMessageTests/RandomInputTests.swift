import Foundation
import Testing
@testable import MIMEMessage

/// Seeded random inputs: nothing may crash, accepted addresses must survive a
/// print/parse round trip, and every serialised message must decode back.
@Suite("Random inputs")
struct RandomInputTests {

    static let alphabet: [Character] = Array("aZ09.-_+@<>\"\\ \t,;:()[]!#é山🎉\r\n\u{0}=?") + ["\r\n", "👩‍👩‍👧‍👦", "e\u{301}"]

    static func randomString(_ rng: inout SeededGenerator, maxLength: Int) -> String {
        let length = Int.random(in: 0...maxLength, using: &rng)
        return String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }

    @Test func addressParserNeverCrashesAndRoundTrips() throws {
        var rng = SeededGenerator(state: 2026)
        var accepted = 0
        for i in 0..<4000 {
            // Bias towards plausible shapes so that some inputs are accepted.
            var input = Self.randomString(&rng, maxLength: 12)
            switch i % 4 {
            case 0: input = input + "@example.com"
            case 1: input = input + " <user@example.org>"
            case 2: input = "\"" + input + "\" <a.b@example.net>"
            default: break
            }
            guard let address = try? EmailAddress(parsing: input) else { continue }
            accepted += 1
            #expect(InjectionGuard.forbiddenCharacterReason(in: address.address) == nil)
            #expect(InjectionGuard.forbiddenCharacterReason(in: address.displayName ?? "") == nil)
            let reparsed = try EmailAddress(parsing: address.description)
            #expect(reparsed == address, "\(input.debugDescription) -> \(address.description.debugDescription)")
            #expect(try EmailAddress(address: address.address, displayName: address.displayName) == address)
        }
        #expect(accepted > 500)
    }

    @Test func serialisationOfRandomContent() throws {
        var rng = SeededGenerator(state: 7)
        let from = try EmailAddress(parsing: "Sender <sender@example.com>")
        for _ in 0..<300 {
            let subject = Self.randomString(&rng, maxLength: 120)
            let name = Self.randomString(&rng, maxLength: 40)
            let text = Self.randomString(&rng, maxLength: 300)
            let html = Bool.random(using: &rng) ? Self.randomString(&rng, maxLength: 300) : nil
            guard let to = try? EmailAddress(address: "rcpt@example.org", displayName: name) else {
                #expect(name.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
                continue
            }
            let message = MailMessage(from: from, to: [to], subject: subject, textBody: text, htmlBody: html)
            let bytes: [UInt8]
            do {
                bytes = try message.serialized()
            } catch {
                #expect(error.field == "Subject")
                #expect(subject.utf8.contains { $0 == 0x0D || $0 == 0x0A || $0 == 0 })
                continue
            }
            #expect(bytes.allSatisfy { $0 < 0x80 && $0 != 0 })
            let (lines, bare) = crlfLines(bytes)
            #expect(bare == 0)
            for line in lines { #expect(line.utf8.count <= 78, "\(line)") }

            let parsed = try ParsedMessage(bytes)
            #expect(try EncodedWordDecoder.decode(parsed.header("Subject") ?? "") == subject)
            if let html {
                let parts = try parsed.parts()
                #expect(try parts[0].decodedBody() == crlf(text))
                #expect(try parts[1].decodedBody() == crlf(html))
            } else {
                let body = try parsed.decodedBody()
                #expect(body == crlf(text) || body == crlf(text) + "\r\n")
            }
        }
    }
}
