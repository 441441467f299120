import Foundation
import Testing
@testable import MIMEMessage

@Suite("Quoted-printable")
struct QuotedPrintableTests {
    static let samples: [String] = [
        "",
        "plain ascii",
        "a = b == c =3D",
        "trailing space \ntrailing tab\t\nboth \t",
        "   ",
        "line1\r\nline2\nline3\rline4\r\n",
        "\n\n\r\r\n",
        String(repeating: "x", count: 76),
        String(repeating: "x", count: 77),
        String(repeating: "x", count: 500),
        String(repeating: "=", count: 100),
        String(repeating: "é", count: 100),
        String(repeating: "a", count: 74) + "é" + String(repeating: "b", count: 10),
        String(repeating: "a", count: 75) + " ",
        String(repeating: "word ", count: 40),
        "Grüße 🎉 — “quotes” ½ \u{0} nul \u{7F} del",
        "<p style=\"color: red\">Hi</p>\n<a href=\"https://example.com/reset?token=abc==&x=1\">Reset</a>",
        ".leading dot\nFrom the start",
    ]

    @Test("round trip and line limits", arguments: samples)
    func roundTrip(_ text: String) throws {
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded.allSatisfy { $0.isASCII })
        let (lines, bare) = crlfLines(Array(encoded.utf8))
        #expect(bare == 0)
        for line in lines {
            #expect(line.utf8.count <= 76, "\(line)")
            // Whitespace at the end of an encoded line would be lost in transit.
            #expect(line.last != " " && line.last != "\t", "\(line.debugDescription)")
            #expect(!line.contains("\u{0}"))
        }
        #expect(try QPDecoder.decodeString(encoded) == crlf(text))
    }

    @Test func neverSplitsAnEscape() {
        // Put escapes at every offset around the 75-column soft-break point.
        for prefix in 70...76 {
            let text = String(repeating: "a", count: prefix) + String(repeating: "=", count: 10)
            for line in QuotedPrintable.encode(text).components(separatedBy: "\r\n") {
                let body = line.hasSuffix("=") && !line.hasSuffix("=3D") ? String(line.dropLast()) : line
                var i = body.startIndex
                while let eq = body[i...].firstIndex(of: "=") {
                    let rest = body[body.index(after: eq)...]
                    #expect(rest.prefix(2) == "3D", "split escape in \(line)")
                    i = body.index(eq, offsetBy: 3, limitedBy: body.endIndex) ?? body.endIndex
                }
            }
        }
    }

    @Test func exactOutput() {
        #expect(QuotedPrintable.encode("a=b \nc\t") == "a=3Db=20\r\nc=09")
        #expect(QuotedPrintable.encode("é") == "=C3=A9")
        let long = QuotedPrintable.encode(String(repeating: "x", count: 80))
        #expect(long == String(repeating: "x", count: 75) + "=\r\n" + String(repeating: "x", count: 5))
    }

    @Test func transferEncodingChoice() {
        #expect(ContentTransferEncoding.choose(for: "Hello\nWorld\n") == .sevenBit)
        #expect(ContentTransferEncoding.choose(for: "Héllo") == .quotedPrintable)
        #expect(ContentTransferEncoding.choose(for: String(repeating: "x", count: 79)) == .quotedPrintable)
        #expect(ContentTransferEncoding.choose(for: "trailing \nspace") == .quotedPrintable)
        #expect(ContentTransferEncoding.choose(for: "nul\u{0}") == .quotedPrintable)
        #expect(ContentTransferEncoding.encode(.sevenBit)("a\nb\rc\r\n") == "a\r\nb\r\nc\r\n")
    }
}
