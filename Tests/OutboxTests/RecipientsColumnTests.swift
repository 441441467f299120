import Foundation
@testable import Outbox
import Testing

/// The `recipients` column is JSON written and read by hand; it must stay JSON that any reader
/// (and rows written by earlier builds with JSONEncoder) agrees on.
@Suite struct RecipientsColumnTests {
    static let lists: [[String]] = [
        [],
        ["ada@example.com"],
        ["ada@example.com", "Zoë <zoe@example.com>", "bob@example.com"],
        ["\"Quoted, Name\" <q@example.com>", "back\\slash@example.com", "tab\there@example.com", "nul\u{0}@example.com"],
        ["用户@例子.广告", "a/b@example.com", "🙂@example.com"],
    ]

    @Test(arguments: lists)
    func whatIsWrittenReadsBackTheSame(_ recipients: [String]) throws {
        let json = Records.recipientsJSON(recipients)
        #expect(Records.recipients(fromJSON: json) == recipients)
        #expect(try JSONDecoder().decode([String].self, from: Data(json.utf8)) == recipients)
    }

    @Test(arguments: lists)
    func rowsWrittenByJSONEncoderStillRead(_ recipients: [String]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(recipients), as: UTF8.self)
        #expect(Records.recipients(fromJSON: json) == recipients)
    }

    @Test(arguments: ["", "[", "]", "[\"a\"", "[\"a\" \"b\"]", "{\"a\":1}", "[1]", "[\"a\"]x", "null"])
    func anythingElseIsUnreadable(_ json: String) {
        #expect(Records.recipients(fromJSON: json) == nil)
    }
}
