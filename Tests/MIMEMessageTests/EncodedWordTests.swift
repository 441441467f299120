import Testing
@testable import MIMEMessage

@Suite("RFC 2047 encoded-words")
struct EncodedWordTests {
    static let samples: [String] = [
        "Café crème brûlée",
        "Grüße aus Köln – Ihr Passwort",
        "Vérifiez votre adresse e-mail",
        "确认您的电子邮件地址",
        "パスワードをリセットしてください",
        "비밀번호 재설정",
        "Welcome 🎉🚀 to the team 👩‍👩‍👧‍👦",
        "🇯🇵🇫🇷🇩🇪🇺🇸🇬🇧🇮🇹🇪🇸🇨🇦🇧🇷🇮🇳🇨🇳🇰🇷🇷🇺🇲🇽🇦🇺🇳🇱🇸🇪🇨🇭",
        "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}\u{307}\u{308}\u{309}\u{30A}\u{30B}\u{30C}\u{30D}\u{30E}\u{30F}\u{310}\u{311}\u{312}\u{313}\u{314}\u{315}",
        "under_score = equals ? question",
        "tab\there",
        "  leading and trailing  ",
        "control \u{1B}[31m escape",
        String(repeating: "Ünïcödé ", count: 25),
        String(repeating: "日本", count: 100),
        String(repeating: "🙂", count: 200),
    ]

    @Test("decodes back, words ≤ 75, each word valid UTF-8", arguments: samples)
    func roundTrip(_ text: String) throws {
        for firstWidth in [75, 69, 30] {
            let words = EncodedWord.encode(text, firstWordMaxLength: firstWidth)
            #expect(!words.isEmpty)
            for (i, word) in words.enumerated() {
                #expect(word.utf8.count <= (i == 0 ? firstWidth : 75), "\(word)")
                #expect(word.allSatisfy { $0.isASCII && !$0.isWhitespace }, "\(word)")
                #expect(try EncodedWordDecoder.wordIsValidUTF8(word), "word splits a UTF-8 sequence: \(word)")
            }
            #expect(try EncodedWordDecoder.decode(words.joined(separator: " ")) == text)
        }
    }

    @Test func splitsOnGraphemeBoundaries() throws {
        // A family emoji is one grapheme of 25 bytes; it must never be cut between words.
        let family = "👩‍👩‍👧‍👦"
        let text = String(repeating: family, count: 12)
        let words = EncodedWord.encode(text)
        #expect(words.count > 1)
        for word in words {
            let bytes = try #require(try EncodedWordDecoder.decodeWord(word))
            let decoded = String(decoding: bytes, as: UTF8.self)
            #expect(decoded.allSatisfy { $0 == Character(family) })
        }
    }

    @Test func oversizedGraphemeFallsBackToScalars() throws {
        // One grapheme far larger than a word can hold.
        let zalgo = "a" + String(repeating: "\u{301}", count: 60)
        let words = EncodedWord.encode(zalgo)
        #expect(words.count > 1)
        for word in words { #expect(try EncodedWordDecoder.wordIsValidUTF8(word)) }
        #expect(try EncodedWordDecoder.decode(words.joined(separator: " ")) == zalgo)
    }

    @Test func choosesQForMostlyLatinAndBForCJK() {
        #expect(EncodedWord.encode("Café")[0].hasPrefix("=?utf-8?q?"))
        #expect(EncodedWord.encode("确认您的电子邮件地址")[0].hasPrefix("=?utf-8?b?"))
    }

    @Test func qEncodingEscapesSpecials() {
        #expect(EncodedWord.encode("Hello wörld a_b=c?d") == ["=?utf-8?q?Hello_w=C3=B6rld_a=5Fb=3Dc=3Fd?="])
        #expect(EncodedWord.encode("确认") == ["=?utf-8?b?56Gu6K6k?="])
    }

    @Test func isRequired() {
        #expect(!EncodedWord.isRequired(for: "Hello, world"))
        #expect(EncodedWord.isRequired(for: "Héllo"))
        #expect(EncodedWord.isRequired(for: "a =?b"))
        #expect(EncodedWord.isRequired(for: "bell \u{7}"))
        #expect(!EncodedWord.isRequired(for: "tab\tok"))
    }
}
