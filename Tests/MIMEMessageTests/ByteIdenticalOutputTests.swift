import Foundation
import Testing
@testable import MIMEMessage

/// Pins the exact bytes `serialized` writes, so that work on its speed cannot change its output.
/// The digests were taken from the String-based implementation the byte-based one replaced
/// (commit 7f1f632); boundaries come from a seeded generator, so every run writes the same bytes.
@Suite("Byte-identical output")
struct ByteIdenticalOutputTests {

    /// FNV-1a, 64 bits: enough to tell outputs apart, short enough to keep in this file.
    struct Digest {
        var value: UInt64 = 0xCBF2_9CE4_8422_2325
        mutating func add(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { value = (value ^ UInt64(byte)) &* 0x0100_0000_01B3 }
        }
        var hex: String { String(value, radix: 16) }
    }

    static let date = Date(timeIntervalSince1970: 1_795_309_323)
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// Boundaries shaped like `MIMEBoundary.random`'s, from a seeded generator.
    static func boundaries(seed: UInt64) -> () -> String {
        var generator = SeededGenerator(state: seed)
        return { "=_" + String((0..<28).map { _ in alphabet.randomElement(using: &generator)! }) }
    }

    /// Serialised bytes, or the error, as text a digest can take. With MIME_OUTPUT_DUMP=DIR in
    /// the environment each output is also written to DIR/<label>, to diff two builds when a
    /// digest changes.
    static func output(_ message: MailMessage, label: String, boundaries: () -> String) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try message.serialized(boundaryGenerator: boundaries)
        } catch {
            bytes = Array("error \(error.field): \(error.reason)".utf8)
        }
        if let directory = ProcessInfo.processInfo.environment["MIME_OUTPUT_DUMP"] {
            _ = FileManager.default.createFile(atPath: directory + "/" + label, contents: Data(bytes))
        }
        return bytes
    }

    static func message(subject: String = "Verify your email", text: String, html: String? = nil) -> MailMessage {
        MailMessage(
            from: try! EmailAddress(parsing: "Example Accounts <accounts@mail.example.com>"),
            to: [try! EmailAddress(parsing: "Ada Lovelace <ada@example.org>")],
            subject: subject, textBody: text, htmlBody: html, date: date,
            messageID: "0123456789abcdef@mail.example.com")
    }

    static let longWord = String(repeating: "abcdefghij", count: 9)
    static let html = """
        <!DOCTYPE html>
        <html lang="fr"><head><meta charset="utf-8"><title>Vérifiez votre adresse</title></head>
        <body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1f2933;">
        <p>Bienvenue au café, voici votre code&nbsp;:</p>
        <p style="font-size:28px;font-weight:700;letter-spacing:4px;margin:24px 0;">482913</p>
        </body></html>

        """

    /// Hand-picked inputs for every branch of the encoders, with their digests.
    static let cases: [(name: String, digest: String, make: @Sendable () -> MailMessage)] = [
        ("verification", "3b6aa4dab3d43f85", { message(text: "Hello,\nyour code is 482913.\n", html: html) }),
        ("7bit text only", "50ecee2fce1469b9", { message(text: "Hello,\r\nplease verify.\r\n") }),
        ("non-ASCII text only", "5fb57d60b0c36e63", { message(text: "Grüße aus Köln,\nIhre Bestellung ist unterwegs.") }),
        ("line lengths around the limits", "d717d2030adb3025", {
            message(text: (70...82).map { String(repeating: "x", count: $0) }.joined(separator: "\n"),
                    html: (70...82).map { "é" + String(repeating: "x", count: $0 - 4) + "=" }.joined(separator: "\n")
                        + "\n" + (72...78).map { String(repeating: "y", count: $0) + " " }.joined(separator: "\n"))
        }),
        ("escapes at the fold", "3692014681bc6b0f", {
            message(text: (0..<12).map { String(repeating: "a", count: 70 + $0) + "=é=\t \t" + longWord }.joined(separator: "\n"),
                    html: (0..<6).map { String(repeating: "=", count: 20 + $0 * 7) }.joined(separator: "\r\n"))
        }),
        ("trailing whitespace", "bd0bf12aa4011fcd", {
            message(text: "space \ntab\t\nboth \t\n \n\t\n  \n" + String(repeating: "y", count: 75) + " \n" + String(repeating: "y", count: 74) + "\t",
                    html: "<p> </p> \r\n\t")
        }),
        ("dots and From at line starts", "1a901995a9da77ba", { message(text: ".\n..\n. x\nFrom here\n.", html: ".\r\n.é\r\n") }),
        ("line break conventions", "7f176c182b7ccf24", {
            message(text: "\none\ntwo\rthree\r\nfour\n\n\rfive\r\r\nsix\n\r" + String(repeating: " long line", count: 30) + "\r",
                    html: "<p>\r\r\n\n</p>é\n\r\n")
        }),
        ("empty bodies", "5cb08b483a273ede", { message(text: "", html: "") }),
        ("empty text only", "698b78cc3ff4993e", { message(text: "") }),
        ("only line breaks", "9f9baf6a848dd07d", { message(text: "\n\n", html: "\r\n") }),
        ("controls", "f5c0c6c37c1b8131", { message(text: "nul \u{0} bell \u{7} del \u{7F} esc \u{1B}", html: "\u{7F}") }),
        ("mostly CJK and emoji", "af3c5fe06fe2acbb", {
            message(subject: "ご注文ありがとうございます", text: "ご注文ありがとうございます。商品を発送しました。\nお届けまで少々お待ちください。",
                    html: "<p>🎉👩‍💻🚀🎉👩‍💻🚀🎉👩‍💻🚀</p>")
        }),
        ("long subject and many recipients", "c76fac4b46b3603c", {
            var m = message(subject: String(repeating: "Passwort zurücksetzen – ", count: 9), text: "x")
            m.to = (0..<12).map { try! EmailAddress(address: "user\($0)@example.org", displayName: $0 % 2 == 0 ? "Zoë Ångström \($0)" : "User, \($0)") }
            m.cc = [try! EmailAddress(parsing: "Bob <bob@example.org>")]
            m.bcc = [try! EmailAddress(parsing: "audit@example.org")]
            m.replyTo = [try! EmailAddress(address: "taro@example.jp", displayName: "山田 太郎 (Yamada Taro) 🙇")]
            m.language = "pt-BR"
            m.headers = [
                CustomHeader(name: "X-Campaign", value: "Spring sale – café"),
                CustomHeader(name: "X-Long", value: String(repeating: "token ", count: 40)),
                CustomHeader(name: "List-Unsubscribe", value: "<https://example.com/unsubscribe?u=" + longWord + ">, <mailto:unsub@example.com>"),
                CustomHeader(name: "X-Campaign", value: "repeat"),
            ]
            return m
        }),
        ("unfoldable subjects", "dc45414fe44e68a0", { message(subject: String(repeating: "x", count: 200), text: "x", html: "y") }),
        ("whitespace-run subject", "ae7237e1ef2d9783", { message(subject: "a" + String(repeating: " ", count: 120) + "b", text: "x") }),
        ("attachments", "cc1bdd20d4d15b35", {
            var m = message(text: "See attached.", html: "<p>Logo: <img src=\"cid:logo@acme.test\"></p>")
            m.attachments = [
                Attachment(filename: "invoice 2026.pdf", contentType: "application/PDF", data: Array(0...255) + Array("%PDF-1.7 end".utf8)),
                Attachment(filename: "logo.png", contentType: "image/png", data: [0x89, 0x50, 0x4E, 0x47], contentID: "logo@acme.test"),
                Attachment(filename: "Übersicht – März.txt", contentType: "text/plain", data: []),
                Attachment(filename: "a=_b.bin", contentType: "application/octet-stream", data: [1]),
                Attachment(filename: "two.bin", contentType: "application/octet-stream", data: [1, 2]),
                Attachment(filename: "57.bin", contentType: "application/octet-stream", data: Array(repeating: 0xFF, count: 57)),
                Attachment(filename: "58.bin", contentType: "application/octet-stream", data: Array(repeating: 0x3E, count: 58)),
            ]
            return m
        }),
        ("inline image without HTML", "f5af5f85bb4b723f", {
            var m = message(text: "Logo attached.")
            m.attachments = [Attachment(filename: "logo.png", contentType: "image/png", data: [0x89, 0x50], contentID: "logo@acme.test")]
            return m
        }),
        ("invalid header", "3d194fdfa733d1f8", {
            var m = message(text: "x")
            m.headers = [CustomHeader(name: "From", value: "evil@example.com")]
            return m
        }),
    ]

    @Test(arguments: 0..<cases.count)
    func handPickedMessages(index: Int) {
        let testCase = Self.cases[index]
        var digest = Digest()
        digest.add(Self.output(testCase.make(), label: "case-\(index)", boundaries: Self.boundaries(seed: UInt64(index))))
        #expect(digest.hex == testCase.digest, "\(testCase.name)")
    }

    /// Boundaries that occur in the content are skipped, in the order the generator gives them,
    /// and so are those that are too long or empty.
    @Test func collidingBoundaries() {
        var m = Self.message(text: "7bit text with =_taken and =_also-taken in it", html: "<p>=_html</p>")
        m.attachments = [Attachment(filename: "=_in-a-header.txt", contentType: "text/plain", data: [0x41])]
        // multipart/alternative takes the fourth; multipart/mixed, around it, the last.
        var candidates = ["=_taken", "", String(repeating: "b", count: 71), "=_ok-inner",
                          "=_in-a-header", "=_also-taken", "=_ok-inner", "=_ok-outer"]
        var digest = Digest()
        digest.add(Self.output(m, label: "colliding", boundaries: { candidates.removeFirst() }))
        #expect(candidates.isEmpty)
        #expect(digest.hex == "363a6c50214cd9e1")
        let exhausted = Self.output(m, label: "exhausted", boundaries: { "=_taken" })
        #expect(String(decoding: exhausted, as: UTF8.self) == "error Content-Type: could not find a MIME boundary absent from the body")
    }

    /// Seeded random messages: text from the property tests' alphabet, every line-break
    /// convention, attachments and headers now and then.
    @Test func seededRandomMessages() {
        var random = SeededGenerator(state: 2026)
        let pieces: [String] = [
            "a", "b", "Z", "0", "9", " ", " ", "\t", "=", "?", "_", ".", "\"", "<", ">", ",", ";", ":", "\\", "(", ")",
            "é", "ß", "Ø", "日", "本", "한", "ע", "ب", "😀", "👩‍💻", "🇩🇪", "e\u{301}", "\u{A0}", "\n", "\r\n", "\r",
            "=_", "word ", "longer words here ", String(repeating: "x", count: 40),
        ]
        func text(_ maxLength: Int) -> String {
            String((0..<Int.random(in: 0...maxLength, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined())
        }
        func line(_ maxLength: Int) -> String {
            text(maxLength).replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        }
        var digest = Digest()
        for index in 0..<300 {
            var m = Self.message(subject: line(30), text: text(200), html: Bool.random(using: &random) ? text(400) : nil)
            if Int.random(in: 0..<4, using: &random) == 0 {
                if let second = try? EmailAddress(address: "b@example.org", displayName: line(20)) { m.to.append(second) }
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                m.headers = [CustomHeader(name: "X-Random", value: line(40))]
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                let data = (0..<Int.random(in: 0...200, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                let inline = Bool.random(using: &random)
                m.attachments = [Attachment(filename: "f\(index).bin", contentType: "application/octet-stream", data: data,
                                            contentID: inline ? "img\(index)@example.com" : nil)]
            }
            digest.add(Self.output(m, label: "random-\(index)", boundaries: Self.boundaries(seed: 1000 + UInt64(index))))
            digest.add([0])
        }
        #expect(digest.hex == "10e0541ab6f68029")
    }
}

@Suite("Quoted-printable against the reference encoder")
struct QuotedPrintableReferenceTests {
    /// Random text over the bytes that change the encoding: runs of letters of every length
    /// (so lines land on each column around the 76 limit), '=', spaces and tabs at line ends,
    /// multi-byte characters and every line-break convention.
    @Test func sameOutputAsTheReference() {
        var random = SeededGenerator(state: 76)
        let pieces = ["a", "bc", "defghij", String(repeating: "k", count: 70), "=", " ", "\t", "é", "😀", "\u{7F}", "\u{0}",
                      "\n", "\r", "\r\n", " \n", "\t\r\n", "=\n"]
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...120, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined()
            #expect(QuotedPrintable.encode(text) == ReferenceQuotedPrintable.encode(text), "\(text.debugDescription)")
        }
        for length in 0...240 {
            for tail in ["", " ", "\t", "=", "é", " x", "\n"] {
                let text = String(repeating: "y", count: length) + tail
                #expect(QuotedPrintable.encode(text) == ReferenceQuotedPrintable.encode(text), "\(text.debugDescription)")
            }
        }
    }
}
