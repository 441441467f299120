import Foundation
import MustacheRenderer
import Testing
@testable import MailerService

@Suite struct EmailTemplateCatalogTests {
    /// The ASCII fast path folds exactly as the Character-by-Character fold does.
    @Test(arguments: [
        "Your code", "  Your\tcode \r\n is\n\n 493817  ", "", "   ", "\u{0B}a\u{0C}b\r", "a  b", "x\r\ny",
        "Café  au\u{00A0}lait", "Line\u{2028}sep", "Ünïcode\n subject",
    ])
    func subjectsFoldToOneLine(_ subject: String) {
        let byCharacters = subject.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        #expect(EmailTemplateCatalog.oneLine(subject) == byCharacters)
    }

    @Test func shippedTemplatesLoadAndRender() throws {
        let catalog = try EmailTemplateCatalog(directory: templatesDirectory)
        #expect(catalog.names == ["invitation", "password-reset", "verification"])
        let email = try catalog.render("verification", data: ["code": "4<2", "productName": "Acme", "baseUrl": "https://x.test"], strict: true)
        #expect(email.subject == "Your Acme verification code: 4<2")
        #expect(email.text.contains("    4<2\n"))
        #expect(email.html?.contains("4&lt;2") == true)
        #expect(email.html?.contains("<!DOCTYPE html>") == true)
    }

    @Test func brokenTemplateStopsLoadingWithFileLineAndColumn() throws {
        let directory = try templateFolder(["welcome/subject.mustache": "Hi", "welcome/text.mustache": "line one\n{{#open}}never closed\n"])
        #expect {
            try EmailTemplateCatalog(directory: directory)
        } throws: { error in
            "\(error)".contains("welcome/text.mustache:2:1") && "\(error)".contains("open")
        }
    }

    @Test func partialsAreSharedAndTextIsRequired() throws {
        let directory = try templateFolder([
            "partials/sign.mustache": "-- {{productName}}",
            "welcome/subject.mustache": "Welcome\n",
            "welcome/text.mustache": "Hello\n{{> sign}}",
        ])
        let catalog = try EmailTemplateCatalog(directory: directory)
        let email = try catalog.render("welcome", data: ["productName": "Acme"], strict: true)
        #expect(email.text == "Hello\n-- Acme")
        #expect(email.html == nil)
        #expect(email.subject == "Welcome")

        let noBody = try templateFolder(["welcome/subject.mustache": "Hi"])
        #expect(throws: TemplateCatalogError.self) { try EmailTemplateCatalog(directory: noBody) }
    }

    @Test func withoutATextTemplateTheTextIsDerivedFromTheHTML() throws {
        let directory = try templateFolder([
            "welcome/subject.mustache": "Hi",
            "welcome/html.mustache": """
                <html><head><title>x</title><style>p { color: red }</style></head><body>
                <h1>Welcome, {{name}}</h1>
                <p>Confirm   your address:<br>
                <a href="{{link}}" style="x">Confirm</a></p>
                <ul><li>one &amp; two</li><li>&lt;three&gt;</li></ul>
                <p><a href="https://x.test/a?b=1&amp;c=2">https://x.test/a?b=1&amp;c=2</a></p>
                </body></html>
                """,
        ])
        let email = try EmailTemplateCatalog(directory: directory)
            .render("welcome", data: ["name": "Ada <3", "link": "https://x.test/c?d=1&e=2"], strict: true)
        #expect(email.text == """
            Welcome, Ada <3

            Confirm your address:
            Confirm (https://x.test/c?d=1&e=2)

            - one & two
            - <three>

            https://x.test/a?b=1&c=2

            """)
        #expect(email.html?.contains("Ada &lt;3") == true)
    }

    @Test func aRenderThatReachesItsBoundFailsNamingThePart() throws {
        let directory = try templateFolder(["big/subject.mustache": "Big", "big/text.mustache": "ok", "big/html.mustache": "{{#rows}}{{{row}}}{{/rows}}"])
        let catalog = try EmailTemplateCatalog(directory: directory)
        let row = MustacheValue.string(String(repeating: "x", count: 1 << 20))
        let data: MustacheValue = ["rows": .array(Array(repeating: ["row": row], count: 17))]
        #expect {
            try catalog.render("big", data: data, strict: false)
        } throws: { error in
            guard case TemplateRenderError.renderFailed(let template, let detail) = error else { return false }
            return template == "big" && detail.hasPrefix("rendering 'big/html' stopped: the output grew past 16 MiB")
        }
        let fits: MustacheValue = ["rows": .array(Array(repeating: ["row": row], count: 15))]
        #expect(try catalog.render("big", data: fits, strict: false).html?.utf8.count == 15 << 20)
    }

    @Test func strictRenderingListsEveryMissingVariableOnce() throws {
        let catalog = try EmailTemplateCatalog(directory: templatesDirectory)
        #expect(throws: TemplateRenderError.missingVariables(template: "verification", ["productName", "code", "baseUrl"])) {
            try catalog.render("verification", data: [:], strict: true)
        }
    }
}
