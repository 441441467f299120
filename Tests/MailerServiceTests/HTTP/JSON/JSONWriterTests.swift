import Foundation
import Testing
@testable import MailerService

/// `JSONWriter` writes the bytes JSONEncoder wrote (`[.sortedKeys, .withoutEscapingSlashes]`):
/// answers and stored idempotent replays do not change by a byte.
@Suite struct JSONWriterTests {
    private func encoderBytes(_ value: JSONValue) -> [UInt8]? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { Array($0) }
    }

    private func expectSameBytes(_ value: JSONValue, sourceLocation: SourceLocation = #_sourceLocation) {
        let written = JSONWriter.bytes(value)
        let encoded = encoderBytes(value)
        #expect(written == encoded, "\(value): \(written.map { String(decoding: $0, as: UTF8.self) } ?? "nil") vs \(encoded.map { String(decoding: $0, as: UTF8.self) } ?? "nil")", sourceLocation: sourceLocation)
    }

    @Test func writesScalarsAsJSONEncoderDid() {
        let scalars: [JSONValue] = [
            .null, .bool(true), .bool(false), .int(0), .int(-1), .int(42), .int(.max), .int(.min),
            .double(0), .double(-0.0), .double(1), .double(-1), .double(1.5), .double(0.1), .double(1e15), .double(1e16),
            .double(1e20), .double(1e-5), .double(1e-7), .double(123456789), .double(1e300), .double(-1e-300),
            .double(5e-324), .double(.greatestFiniteMagnitude), .double(.leastNormalMagnitude), .double(2.5e-5),
            .double(9007199254740993), .double(0.30000000000000004), .double(100), .double(1234.5678),
        ]
        for value in scalars { expectSameBytes(value) }
        #expect(String(decoding: JSONWriter.bytes(.double(1))!, as: UTF8.self) == "1")
        #expect(String(decoding: JSONWriter.bytes(.double(1e20))!, as: UTF8.self) == "1e+20")
    }

    @Test func escapesStringsAsJSONEncoderDid() {
        var everyControl = ""
        for value in 0..<0x20 { everyControl.unicodeScalars.append(Unicode.Scalar(UInt8(value))) }
        let strings = [
            "", "plain", everyControl, "\"quoted\" and \\backslashed\\", "a/b </script>", "\u{7F}", "é ü 😀 \u{2028}\u{2029}",
            "e\u{301}", "\u{FEFF}bom", "\u{FFFD}", "tab\there", "line\nbreak\r\n", "\u{0}",
        ]
        for text in strings {
            expectSameBytes(.string(text))
            expectSameBytes(.object([text: .string(text)]))
        }
        #expect(String(decoding: JSONWriter.bytes(.string("a/\u{1}\u{1F}\n"))!, as: UTF8.self) == #""a/\u0001\u001f\n""#)
    }

    @Test func sortsMembersByTheirUTF8Bytes() {
        let names = ["b", "a", "B", "A", "_", "a10", "a2", "aa", "a-", "", "z", "é", "Ä", "z\u{308}", "ž", "\u{212B}", "\u{E000}", "\u{FFFD}", "😀", "a\u{0}"]
        var members: [String: JSONValue] = [:]
        for (index, name) in names.enumerated() { members[name] = .int(index) }
        expectSameBytes(.object(members))
        expectSameBytes(.object(["outer": .object(members), "list": .array([.object(members), .object([:])])]))
    }

    @Test func aValueJSONCannotCarryIsNullAsBefore() {
        for value: JSONValue in [.double(.nan), .double(.infinity), .array([.int(1), .double(-.infinity)]), .object(["a": .object(["b": .double(.nan)])])] {
            #expect(JSONWriter.bytes(value) == nil)
            #expect(encoderBytes(value) == nil)
            #expect(value.encoded() == Data("null".utf8))
        }
    }

    @Test func theServicesOwnAnswersAreUnchanged() {
        expectSameBytes(EmailRoutes.queuedAnswer(id: "01JF8ZK9V6S3W5H2QX7C4M0B1N", locale: LocaleTag("pt-BR")!))
        expectSameBytes(Problem.validation("data.items[3].name", "'data.items[3].name' is longer than 10000 characters").body)
        expectSameBytes(OpenAPIDocument.json)
    }

    @Test func randomValuesMatchJSONEncoder() {
        var random = SplitMix64(seed: 0x4A53_4F4E_5752)
        for _ in 0..<2_000 {
            expectSameBytes(YAMLEmitterTests.randomValue(&random, depth: 0))
        }
        // Doubles from every part of the range, from their bit patterns.
        for _ in 0..<5_000 {
            let double = Double(bitPattern: random.next())
            guard double.isFinite else { continue }
            expectSameBytes(.double(double))
        }
    }

    @Test func prettyPrintingStillComesFromJSONEncoder() {
        let value: JSONValue = .object(["a": .array([.int(1), .object([:])]), "b": .null])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        #expect(value.encoded(prettyPrinted: true) == (try? encoder.encode(value)))
        #expect(value.encoded() == Data(JSONWriter.bytes(value)!))
    }
}
