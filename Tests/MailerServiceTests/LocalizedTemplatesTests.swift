import Foundation
import MustacheRenderer
import Testing
@testable import MailerService

@Suite struct LocalizedTemplatesTests {
    static let files = [
        "partials/layout.mustache": "<html lang=\"{{locale}}\">{{$body}}{{/body}}|{{>footer}}</html>",
        "partials/footer.mustache": "Thanks",
        "partials/de/footer.mustache": "Danke",
        "partials/de-AT/footer.mustache": "Servus",
        "welcome/subject.mustache": "Welcome {{name}}",
        "welcome/html.mustache": "{{<layout}}{{$body}}Hello {{name}}{{/body}}{{/layout}}",
        "welcome/de/subject.mustache": "Willkommen {{name}}",
        "welcome/de/html.mustache": "{{<layout}}{{$body}}Hallo {{name}} {{title}}{{/body}}{{/layout}}",
        "welcome/pt_BR/subject.mustache": "Bem-vindo {{name}}",
        "welcome/pt_BR/text.mustache": "Olá {{name}}",
        "other/subject.mustache": "Other",
        "other/text.mustache": "Only English",
    ]

    @Test func requestLocaleFallsBackToShorterTagsThenTheDefault() throws {
        let catalog = try EmailTemplateCatalog(directory: try templateFolder(Self.files))
        #expect(catalog.locales(of: "welcome").map(\.description) == ["en", "de", "pt-BR"])
        let cases: [(String?, String, String)] = [
            (nil, "en", "Welcome Ada"), ("de", "de", "Willkommen Ada"), ("de-CH", "de", "Willkommen Ada"),
            ("DE_at", "de", "Willkommen Ada"), ("pt-BR", "pt-BR", "Bem-vindo Ada"), ("pt", "en", "Welcome Ada"),
            ("fr", "en", "Welcome Ada"),
        ]
        for (requested, used, subject) in cases {
            let email = try catalog.render("welcome", locale: requested.flatMap(LocaleTag.init), data: ["name": "Ada", "title": "Dr."], strict: true)
            #expect(email.locale.description == used, "\(requested ?? "nil")")
            #expect(email.subject == subject, "\(requested ?? "nil")")
        }
        #expect(try catalog.render("other", locale: LocaleTag("de"), data: [:], strict: true).text == "Only English")
    }

    @Test func partialsFollowTheLocaleAndLangIsSet() throws {
        let catalog = try EmailTemplateCatalog(directory: try templateFolder(Self.files))
        let english = try catalog.render("welcome", data: ["name": "Ada"], strict: true)
        #expect(english.html == "<html lang=\"en\">Hello Ada|Thanks</html>")
        let german = try catalog.render("welcome", locale: LocaleTag("de"), data: ["name": "Ada", "title": "Dr."], strict: true)
        #expect(german.html == "<html lang=\"de\">Hallo Ada Dr.|Danke</html>")
        // de-AT has no welcome of its own, so the de version renders with de partials throughout.
        let austrian = try catalog.render("welcome", locale: LocaleTag("de-AT"), data: ["name": "Ada", "title": "Dr."], strict: true)
        #expect(austrian.html == german.html)
        // Without a text template the text comes from the translated HTML.
        #expect(german.text.contains("Hallo Ada Dr."))
        // A caller cannot make the page claim another language than the one rendered.
        let spoofed = try catalog.render("welcome", locale: LocaleTag("de"), data: ["name": "A", "title": "B", "locale": "fr"], strict: true)
        #expect(spoofed.html?.hasPrefix("<html lang=\"de\">") == true)
    }

    @Test func strictModeChecksTheTranslationsOwnVariables() throws {
        let catalog = try EmailTemplateCatalog(directory: try templateFolder(Self.files))
        #expect(throws: TemplateRenderError.missingVariables(template: "welcome", ["title"])) {
            try catalog.render("welcome", locale: LocaleTag("de"), data: ["name": "Ada"], strict: true)
        }
        #expect(catalog.variables(of: "welcome") == ["name", "title"])
    }

    @Test func aDifferentDefaultLocaleNamesTheTopLevelFiles() throws {
        let directory = try templateFolder([
            "welcome/subject.mustache": "Willkommen", "welcome/text.mustache": "Hallo",
            "welcome/en/subject.mustache": "Welcome", "welcome/en/text.mustache": "Hello",
        ])
        let catalog = try EmailTemplateCatalog(directory: directory, defaultLocale: try #require(LocaleTag("de")))
        #expect(catalog.locales(of: "welcome").map(\.description) == ["de", "en"])
        #expect(try catalog.render("welcome", locale: LocaleTag("fr"), data: [:], strict: true).text == "Hallo")
        #expect(try catalog.render("welcome", locale: LocaleTag("en-GB"), data: [:], strict: true).text == "Hello")

        let onlyFolders = try templateFolder(["welcome/en/subject.mustache": "Welcome", "welcome/en/text.mustache": "Hello"])
        #expect(try EmailTemplateCatalog(directory: onlyFolders).render("welcome", data: [:], strict: true).text == "Hello")
    }

    @Test(arguments: [
        (["w/subject.mustache": "a", "w/text.mustache": "b", "w/en/subject.mustache": "c", "w/en/text.mustache": "d"], "two versions for en"),
        (["w/de/subject.mustache": "a", "w/de/text.mustache": "b"], "not in the default locale en"),
        (["w/subject.mustache": "a", "w/text.mustache": "b", "w/german/subject.mustache": "c"], "w/german/ holds templates but is not named by a language tag"),
        (["w/subject.mustache": "a", "w/text.mustache": "b", "partials/x y/p.mustache": "c"], "partials/x y/ holds templates"),
        (["w/subject.mustache": "a", "w/text.mustache": "b", "w/pt_BR/subject.mustache": "c", "w/pt_BR/text.mustache": "d",
          "w/pt-br/subject.mustache": "e", "w/pt-br/text.mustache": "f"], "same locale pt-BR"),
        (["w/subject.mustache": "a", "w/text.mustache": "b", "w/de/subject.mustache": "{{#x}}", "w/de/text.mustache": "t"], "w/de/subject.mustache:1:1"),
    ])
    func ambiguousOrMisnamedTranslationsStopLoading(_ files: [String: String], _ message: String) throws {
        let directory = try templateFolder(files)
        #expect {
            try EmailTemplateCatalog(directory: directory)
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func shippedTemplatesHaveGermanTwinsWithTheSameVariables() throws {
        let catalog = try EmailTemplateCatalog(directory: templatesDirectory)
        let data: [String: MustacheValue] = [
            "code": "493817", "productName": "Acme", "baseUrl": "https://x.test", "email": "ada@example.org",
            "link": "https://x.test/l?a=1&b=2", "inviterName": "Grace", "organizationName": "Navy",
        ]
        for name in catalog.names {
            #expect(catalog.locales(of: name).map(\.description) == ["en", "de"])
            let english = try catalog.render(name, data: .object(data), strict: true)
            let german = try catalog.render(name, locale: LocaleTag("de-DE"), data: .object(data), strict: true)
            #expect(german.locale.description == "de")
            #expect(english.html?.contains("<html lang=\"en\">") == true)
            #expect(german.html?.contains("<html lang=\"de\">") == true)
            #expect(german.html?.contains("Falls sie nicht für Sie bestimmt ist") == true)
            #expect(german.subject != english.subject)
            #expect(german.text != english.text)
        }
    }
}

@Suite struct TemplateStoreTests {
    @Test func reloadSwapsTheWholeCatalogOrKeepsTheOldOne() throws {
        let directory = try templateFolder(["w/subject.mustache": "One", "w/text.mustache": "1"])
        let store = TemplateStore(try EmailTemplateCatalog(directory: directory))
        let before = store.catalog

        try writeFiles(["w/subject.mustache": "Two", "w/de/subject.mustache": "Zwei", "w/de/text.mustache": "2"], under: directory)
        #expect(try before.render("w", data: [:], strict: true).subject == "One", "a snapshot is not changed by a reload")
        try store.reload()
        #expect(try store.catalog.render("w", data: [:], strict: true).subject == "Two")
        #expect(try store.catalog.render("w", locale: LocaleTag("de"), data: [:], strict: true).subject == "Zwei")

        try writeFiles(["w/text.mustache": "{{#open}}"], under: directory)
        #expect {
            try store.reload()
        } throws: { error in
            "\(error)".contains("w/text.mustache:1:1")
        }
        #expect(try store.catalog.render("w", data: [:], strict: true).subject == "Two", "a broken folder keeps the catalog in use")
    }
}
