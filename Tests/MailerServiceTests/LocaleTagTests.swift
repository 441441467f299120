import Testing
@testable import MailerService

@Suite struct LocaleTagTests {
    @Test(arguments: [
        ("de", "de"), ("DE", "de"), ("pt-br", "pt-BR"), ("pt_BR", "pt-BR"), ("zh-hant-tw", "zh-Hant-TW"),
        ("es-419", "es-419"), ("sr-Latn", "sr-Latn"), ("fil", "fil"),
    ])
    func spellingsCompareEqualAndPrintCanonically(_ text: String, _ canonical: String) throws {
        let tag = try #require(LocaleTag(text))
        #expect(tag.description == canonical)
        #expect(tag == LocaleTag(canonical))
    }

    @Test(arguments: ["", "e", "english", "de-", "-de", "de--AT", "de AT", "dé", "de-AT\r\n", "de/../x", "1a", String(repeating: "a-bc", count: 10)])
    func invalidTagsAreRefused(_ text: String) {
        #expect(LocaleTag(text) == nil)
    }

    @Test func fallbacksGoFromSpecificToGeneral() throws {
        let tag = try #require(LocaleTag("zh_Hant_TW"))
        #expect(tag.fallbacks.map(\.description) == ["zh-Hant-TW", "zh-Hant", "zh"])
        #expect(LocaleTag.english.fallbacks == [.english])
    }
}
