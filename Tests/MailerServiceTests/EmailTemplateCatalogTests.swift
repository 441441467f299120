import Foundation
import Testing
@testable import MailerService

@Suite struct EmailTemplateCatalogTests {
    private func folder(_ files: [String: String]) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)")
        for (path, content) in files {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try content.write(to: url, atomically: true, encoding: .utf8)
        }
        return root.path
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
        let directory = try folder(["welcome/subject.mustache": "Hi", "welcome/text.mustache": "line one\n{{#open}}never closed\n"])
        #expect {
            try EmailTemplateCatalog(directory: directory)
        } throws: { error in
            "\(error)".contains("welcome/text.mustache:2:1") && "\(error)".contains("open")
        }
    }

    @Test func partialsAreSharedAndTextIsRequired() throws {
        let directory = try folder([
            "partials/sign.mustache": "-- {{productName}}",
            "welcome/subject.mustache": "Welcome\n",
            "welcome/text.mustache": "Hello\n{{> sign}}",
        ])
        let catalog = try EmailTemplateCatalog(directory: directory)
        let email = try catalog.render("welcome", data: ["productName": "Acme"], strict: true)
        #expect(email.text == "Hello\n-- Acme")
        #expect(email.html == nil)
        #expect(email.subject == "Welcome")

        let noText = try folder(["welcome/subject.mustache": "Hi", "welcome/html.mustache": "<p>Hi</p>"])
        #expect(throws: TemplateCatalogError.self) { try EmailTemplateCatalog(directory: noText) }
    }

    @Test func strictRenderingListsEveryMissingVariableOnce() throws {
        let catalog = try EmailTemplateCatalog(directory: templatesDirectory)
        #expect(throws: TemplateRenderError.missingVariables(template: "verification", ["productName", "code", "baseUrl"])) {
            try catalog.render("verification", data: [:], strict: true)
        }
    }
}
