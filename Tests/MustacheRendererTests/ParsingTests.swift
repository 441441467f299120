import Foundation
import Testing
@testable import MustacheRenderer

@Suite("Parse errors")
struct ParseErrorTests {
    func parseError(_ source: String, name: String = "t.mustache") -> MustacheParseError? {
        do {
            _ = try MustacheTemplate(source: source, name: name)
            return nil
        } catch {
            return error
        }
    }

    @Test func unclosedSectionNamesTemplateLineColumnAndExpectedTag() throws {
        let error = try #require(parseError("<p>\n\n  <ul>{{#items}}\n", name: "verification.html.mustache"))
        #expect(error.templateName == "verification.html.mustache")
        #expect(error.line == 3)
        #expect(error.column == 7)
        #expect(error.description == "verification.html.mustache:3:7: unclosed section 'items' (expected {{/items}})")
    }

    @Test func mismatchedClosingTag() throws {
        let error = try #require(parseError("{{#a}}\n {{/b}}"))
        #expect(error.line == 2)
        #expect(error.column == 2)
        #expect(error.message.contains("{{/b}}"))
        #expect(error.message.contains("expected {{/a}}"))
    }

    @Test func closingTagWithoutSection() throws {
        let error = try #require(parseError("x {{/a}}"))
        #expect(error.line == 1 && error.column == 3)
        #expect(error.message.contains("unexpected closing tag {{/a}}"))
    }

    @Test func badDelimiters() throws {
        let error = try #require(parseError("ok\n{{=<%=}}"))
        #expect(error.line == 2 && error.column == 1)
        #expect(error.message.contains("invalid set-delimiter tag"))
        #expect(parseError("{{=a= b=}}") != nil)
    }

    @Test func unclosedTag() throws {
        let error = try #require(parseError("héllo {{name"))
        #expect(error.line == 1 && error.column == 7)
        #expect(error.message.contains("expected }}"))
    }

    @Test func customDelimitersAppearInExpectedTag() throws {
        let error = try #require(parseError("{{=<% %>=}}<%#list%>"))
        #expect(error.message == "unclosed section 'list' (expected <%/list%>)")
    }

    @Test func unclosedParentAndBlock() throws {
        #expect(try #require(parseError("{{<layout}}")).message == "unclosed parent 'layout' (expected {{/layout}})")
        #expect(try #require(parseError("{{$body}}")).message == "unclosed block 'body' (expected {{/body}})")
    }

    @Test func excessiveNestingIsAnErrorNotACrash() throws {
        let source = String(repeating: "{{#a}}", count: 10_000) + String(repeating: "{{/a}}", count: 10_000)
        #expect(parseError(source)?.message.contains("nested") == true)
    }
}

@Suite("JSON values")
struct JSONValueTests {
    @Test func decodesEveryTopLevelKind() throws {
        #expect(try MustacheValue(jsonString: #"{"a": [1, 2.5, "x", true, null], "b": {}}"#)
            == ["a": [1, 2.5, "x", true, nil], "b": [:]])
        #expect(try MustacheValue(jsonString: "[1]") == [1])
        #expect(try MustacheValue(jsonString: #""s\u00e9\n""#) == "sé\n")
        #expect(try MustacheValue(jsonString: " 42 ") == .int(42))
        #expect(try MustacheValue(jsonString: "-1.5e2") == .double(-150))
        #expect(try MustacheValue(jsonString: "false") == false)
        #expect(try MustacheValue(jsonString: "null") == .null)
        #expect(try MustacheValue(jsonString: #""\ud83d\ude00""#) == "😀")
    }

    @Test func rejectsMalformedJSON() {
        for bad in ["", "{", "[1,]", "tru", "01", "\"abc", "{\"a\" 1}", "1 2"] {
            #expect(throws: MustacheJSONError.self) { try MustacheValue(jsonString: bad) }
        }
        let deep = String(repeating: "[", count: 100_000)
        #expect(throws: MustacheJSONError.self) { try MustacheValue(jsonString: deep) }
    }

    @Test func doubleFormatting() {
        #expect(MustacheValue.double(1.210).renderedText == "1.21")
        #expect(MustacheValue.double(85.0).renderedText == "85")
        #expect(MustacheValue.double(0.00001).renderedText == "0.00001")
        #expect(MustacheValue.double(-2.5e-3).renderedText == "-0.0025")
        #expect(MustacheValue.double(1e21).renderedText == "1e+21")
    }
}
