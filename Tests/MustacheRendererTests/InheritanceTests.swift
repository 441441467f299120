import Testing
@testable import MustacheRenderer

@Suite("Inheritance details")
struct InheritanceTests {
    @Test func outermostArgumentWinsAcrossLevels() throws {
        let partials = ["parent": "{{<grand}}{{$a}}p{{/a}}{{/grand}}", "grand": "{{$a}}g{{/a}}"]
        #expect(try render("{{<parent}}{{$a}}c{{/a}}{{/parent}}", partials: partials).output == "c")
        #expect(try render("{{<parent}}{{/parent}}", partials: partials).output == "p")
    }

    @Test func argumentsRenderInTheParentsContext() throws {
        let data: MustacheValue = ["fruit": "apple", "nested": ["fruit": "banana"]]
        let result = try render("{{<parent}}{{$b}}{{fruit}}{{/b}}{{/parent}}", data,
                                partials: ["parent": "{{#nested}}{{$b}}{{/b}}{{/nested}}"])
        #expect(result.output == "banana")
    }

    @Test func intrinsicIndentationComesFromDefaultContent() throws {
        let result = try render("{{<parent}}{{$block}}\none\ntwo\n{{/block}}{{/parent}}\n",
                                partials: ["parent": "Hi,\n{{$block}}\n  default\n{{/block}}\n"])
        #expect(result.output == "Hi,\n  one\n  two\n")
    }

    @Test func textInsideParentIsIgnored() throws {
        let result = try render("{{<parent}} ignored {{x}} {{$a}}kept{{/a}} ignored {{/parent}}",
                                ["x": "X"], partials: ["parent": "[{{$a}}{{/a}}]"])
        #expect(result.output == "[kept]")
    }

    @Test func dynamicParentName() throws {
        let result = try render("{{<*layout}}{{$a}}A{{/a}}{{/*layout}}", ["layout": "l"], partials: ["l": "<{{$a}}{{/a}}>"])
        #expect(result.output == "<A>")
    }

    @Test func missingDynamicNameIsReported() throws {
        let result = try render("{{>*kind}}")
        #expect(result.output == "")
        #expect(result.missingVariables == ["kind"])
    }
}

@Suite("Value literals")
struct ValueLiteralTests {
    @Test func literalsMatchDecodedJSON() throws {
        let literal: MustacheValue = ["s": "x", "i": 1, "d": 0.5, "b": true, "n": nil, "a": [1, "two"], "o": ["k": "v"]]
        let decoded = try MustacheValue(jsonString: #"{"o":{"k":"v"},"a":[1,"two"],"n":null,"b":true,"d":0.5,"i":1,"s":"x"}"#)
        #expect(literal == decoded)
        #expect(literal["o"]?["k"] == "v")
    }

    @Test func arraysInterpolateCommaSeparated() throws {
        #expect(try render("{{a}}", ["a": [1, "b", true]]).output == "1,b,true")
    }
}
