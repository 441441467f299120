import Foundation
import Testing
@testable import MustacheRenderer

/// Renders `source` against `data`, failing the test on parse errors.
func render(_ source: String, _ data: MustacheValue = [:], partials: [String: String] = [:], escaping: MustacheEscaping = .html,
            limits: MustacheRenderLimits = .default) throws -> MustacheRenderResult {
    var library = MustacheLibrary()
    for (name, text) in partials {
        library.register(try MustacheTemplate(source: text, name: name), named: name)
    }
    return try MustacheTemplate(source: source).render(data, partials: library, escaping: escaping, limits: limits)
}

@Suite("Interpolation")
struct InterpolationTests {
    @Test func escapesHTMLSpecialCharacters() throws {
        let result = try render("{{v}}", ["v": "& \" < > '"])
        #expect(result.output == "&amp; &quot; &lt; &gt; &#39;")
    }

    @Test func tripleMustacheAndAmpersandDoNotEscape() throws {
        let result = try render("{{{v}}}|{{& v}}", ["v": "<b>&</b>"])
        #expect(result.output == "<b>&</b>|<b>&</b>")
    }

    @Test func noEscapingMode() throws {
        let result = try render("{{v}}", ["v": "<a & b>"], escaping: .none)
        #expect(result.output == "<a & b>")
    }

    @Test func numbersAndBooleans() throws {
        let result = try render("{{i}} {{d}} {{big}} {{t}} {{n}}|", ["i": 85, "d": 1.21, "big": 1e16, "t": true, "n": nil])
        #expect(result.output == "85 1.21 10000000000000000 true |")
    }

    @Test func dottedNamesAndPadding() throws {
        let data: MustacheValue = ["user": ["name": ["first": "Ada"]]]
        #expect(try render("{{ user.name.first }}", data).output == "Ada")
        #expect(try render("{{user.missing.first}}", data).output == "")
    }

    @Test func dottedNameResolutionDoesNotFallBackOnceFirstPartMatches() throws {
        let data: MustacheValue = ["a": ["b": [:]], "b": ["c": "ERROR"]]
        #expect(try render("{{#a}}{{b.c}}{{/a}}", data).output == "")
    }

    @Test func implicitIterator() throws {
        #expect(try render("{{#list}}({{.}}){{/list}}", ["list": ["a", 1, 2.5]]).output == "(a)(1)(2.5)")
        #expect(try render("{{.}}", "top").output == "top")
    }
}

@Suite("Sections")
struct SectionTests {
    @Test func listsIterateWithContextStack() throws {
        let data: MustacheValue = ["greeting": "Hi", "people": [["name": "Ann"], ["name": "Bob"]]]
        #expect(try render("{{#people}}{{greeting}} {{name}}. {{/people}}", data).output == "Hi Ann. Hi Bob. ")
    }

    @Test func objectsPushContext() throws {
        #expect(try render("{{#user}}{{name}}{{/user}}", ["user": ["name": "Eve"]]).output == "Eve")
    }

    @Test func booleansAndFalseyValues() throws {
        let template = "{{#v}}yes{{/v}}{{^v}}no{{/v}}"
        #expect(try render(template, ["v": true]).output == "yes")
        #expect(try render(template, ["v": false]).output == "no")
        #expect(try render(template, ["v": nil]).output == "no")
        #expect(try render(template, ["v": []]).output == "no")
        #expect(try render(template, ["v": ""]).output == "no")
        #expect(try render(template, ["v": 0]).output == "yes")
        #expect(try render(template, [:]).output == "no")
    }

    @Test func standaloneLinesAreRemoved() throws {
        let template = "<ul>\n  {{#items}}\n  <li>{{.}}</li>\n  {{/items}}\n</ul>\n"
        #expect(try render(template, ["items": ["a", "b"]]).output == "<ul>\n  <li>a</li>\n  <li>b</li>\n</ul>\n")
    }

    @Test func crlfStandaloneLines() throws {
        #expect(try render("|\r\n{{#b}}\r\n{{/b}}\r\n|", ["b": true]).output == "|\r\n|")
    }

    @Test func commentsAreDropped() throws {
        #expect(try render("a{{! note }}b\n{{!\nmulti\n}}\nc", [:]).output == "ab\nc")
    }

    @Test func setDelimiters() throws {
        let template = "{{=<% %>=}}<% name %> {{name}} <%={{ }}=%>{{name}}"
        #expect(try render(template, ["name": "x"]).output == "x {{name}} x")
    }
}

@Suite("Partials and inheritance")
struct PartialTests {
    @Test func partialRendersInCurrentContext() throws {
        let result = try render("{{#user}}{{>card}}{{/user}}", ["user": ["name": "Ann"]], partials: ["card": "[{{name}}]"])
        #expect(result.output == "[Ann]")
    }

    @Test func standalonePartialIsIndentedButDataIsNot() throws {
        let result = try render("<div>\n  {{>p}}\n</div>\n", ["v": "a\nb"], partials: ["p": "<p>\n{{{v}}}\n</p>\n"])
        #expect(result.output == "<div>\n  <p>\n  a\nb\n  </p>\n</div>\n")
    }

    @Test func missingPartialRendersEmpty() throws {
        #expect(try render("[{{>nope}}]").output == "[]")
    }

    @Test func selfRecursivePartialDoesNotCrash() throws {
        let result = try render("{{>loop}}", [:], partials: ["loop": "x{{>loop}}"])
        #expect(result.output == String(repeating: "x", count: MustacheRenderLimits.default.maximumExpansionDepth))
        #expect(result.limitReached == .expansionDepth(MustacheRenderLimits.default.maximumExpansionDepth))
    }

    @Test func dynamicPartialName() throws {
        let result = try render("{{>*kind}}", ["kind": "welcome", "name": "Ann"], partials: ["welcome": "Hi {{name}}"])
        #expect(result.output == "Hi Ann")
    }

    @Test func parentBlocksAreOverridden() throws {
        let layout = "<h1>{{$title}}Default{{/title}}</h1>\n{{$body}}none{{/body}}\n"
        let result = try render("{{<layout}}{{$title}}Welcome{{/title}}{{$body}}Hi {{name}}{{/body}}{{/layout}}",
                                ["name": "Ann"], partials: ["layout": layout])
        #expect(result.output == "<h1>Welcome</h1>\nHi Ann\n")
    }

    @Test func blockDefaultsRenderWithoutOverride() throws {
        #expect(try render("{{<layout}}{{/layout}}", partials: ["layout": "{{$x}}default{{/x}}"]).output == "default")
    }

    @Test func argumentsAreReindentedToTheBlock() throws {
        let layout = "<body>\n  {{$content}}\n  {{/content}}\n</body>\n"
        let template = "{{<layout}}\n{{$content}}\n    <p>one</p>\n    <p>two</p>\n{{/content}}\n{{/layout}}\n"
        #expect(try render(template, partials: ["layout": layout]).output == "<body>\n  <p>one</p>\n  <p>two</p>\n</body>\n")
    }

    @Test func libraryLoadsDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mustache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("<{{>part.inner}}>".utf8).write(to: directory.appendingPathComponent("layout.html.mustache"))
        try Data("{{v}}".utf8).write(to: directory.appendingPathComponent("part.inner.mustache"))
        try Data("ignored".utf8).write(to: directory.appendingPathComponent("notes.txt"))
        let library = try MustacheLibrary(directory: directory)
        #expect(library.names == ["layout.html", "part.inner"])
        #expect(try library.render("layout.html", ["v": "&"]).output == "<&amp;>")
        #expect(throws: MustacheLibraryError.unknownTemplate("nope")) { try library.render("nope", [:]) }
    }

    @Test func libraryReportsParseErrorWithFileName() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mustache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data("a\n{{#x}}".utf8).write(to: directory.appendingPathComponent("broken.mustache"))
        #expect {
            _ = try MustacheLibrary(directory: directory)
        } throws: { error in
            (error as? MustacheParseError)?.description == "broken.mustache:2:1: unclosed section 'x' (expected {{/x}})"
        }
    }
}

@Suite("Missing variables")
struct MissingVariableTests {
    @Test func reportsInOrderWithoutDuplicates() throws {
        let result = try render("{{a}} {{user.name}} {{a}} {{#s}}x{{/s}} {{^t}}y{{/t}} {{present}} {{nullValue}}",
                                ["present": 1, "nullValue": nil, "user": [:]])
        #expect(result.missingVariables == ["a", "user.name", "s", "t"])
        #expect(result.output == "    y 1 ")
    }

    @Test func reportsLookupsInsidePartials() throws {
        let result = try render("{{>p}}", [:], partials: ["p": "{{inner}}"])
        #expect(result.missingVariables == ["inner"])
    }
}
