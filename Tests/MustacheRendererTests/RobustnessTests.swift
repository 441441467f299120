import Testing
@testable import MustacheRenderer

/// Deterministic generator so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Robustness")
struct RobustnessTests {
    static let fragments = [
        "{{", "}}", "{{{", "}}}", "{{#a}}", "{{/a}}", "{{^b}}", "{{/b}}", "{{>p}}", "{{>q}}", "{{<p}}", "{{/p}}",
        "{{$x}}", "{{/x}}", "{{>*name}}", "{{=<% %>=}}", "<%", "%>", "{{!c}}", "{{.}}", "{{a.b}}", "{{&a}}",
        " ", "  ", "\n", "\r\n", "\t", "text", "é", "*", "=", "#", "/", "&", "<", ">",
    ]

    static func randomTemplate(_ rng: inout SplitMix64) -> String {
        let count = Int.random(in: 0...24, using: &rng)
        var text = ""
        for _ in 0..<count { text += fragments.randomElement(using: &rng) ?? "" }
        return text
    }

    @Test func randomTemplatesParseOrFailCleanly() {
        var rng = SplitMix64(state: 42)
        let data: MustacheValue = ["a": [["b": "<1>"], ["b": 2]], "b": false, "name": "p", "x": ["y": nil]]
        var rendered = 0
        for _ in 0..<1500 {
            var library = MustacheLibrary()
            for name in ["p", "q"] {
                if let partial = try? MustacheTemplate(source: Self.randomTemplate(&rng), name: name) {
                    library.register(partial, named: name)
                }
            }
            guard let template = try? MustacheTemplate(source: Self.randomTemplate(&rng)) else { continue }
            _ = template.render(data, partials: library)
            rendered += 1
        }
        #expect(rendered > 50)
    }

    @Test func mutuallyRecursiveParentsAndDeepSectionsStop() throws {
        let deep = String(repeating: "{{#a}}", count: 200) + "{{>self}}" + String(repeating: "{{/a}}", count: 200)
        var library = MustacheLibrary()
        library.register(try MustacheTemplate(source: deep, name: "self"), named: "self")
        library.register(try MustacheTemplate(source: "{{<b}}{{$x}}{{<a}}{{/a}}{{/x}}{{/b}}", name: "a"), named: "a")
        library.register(try MustacheTemplate(source: "[{{$x}}{{/x}}]{{<a}}{{/a}}", name: "b"), named: "b")
        let data: MustacheValue = ["a": true]
        #expect(try library.render("self", data).output.isEmpty)
        #expect(try library.render("a", data).output.hasPrefix("[["))
        let argumentLoop = try MustacheTemplate(source: "{{<p}}{{$x}}+{{$x}}{{/x}}{{/x}}{{/p}}")
        let result = argumentLoop.render([:], partials: MustacheLibrary(templates: ["p": try MustacheTemplate(source: "{{$x}}{{/x}}")]))
        #expect(result.output.allSatisfy { $0 == "+" })
    }

    /// Fuzz/fuzz-mustache: a closing delimiter that starts with a tag's sigil (`#` here) was found
    /// at the sigil itself, and the name's range ran backwards: a trap instead of an error. The
    /// sigil is now read before the closing delimiter is looked for, as mustache.js does.
    @Test func closingDelimiterStartingWithTheSigilIsNotFoundInsideIt() throws {
        let fuzzed = "a\r\n{{#flaame %>\u{1B}<%={{ }}=%>{{name}} {{=| #=}}|#items||a\u{FFFD}g}}men"
        #expect(throws: MustacheParseError.self) { try MustacheTemplate(source: fuzzed) }
        #expect(throws: MustacheParseError.self) { try MustacheTemplate(source: "{{=[ >]=}}[>]") }
        let template = try MustacheTemplate(source: "{{=| #=}}|#items#<|label#>|/items#|!note#|>p#|^none#-|/none#")
        let result = template.render(["items": [["label": "a"], ["label": "b"]]], partials: MustacheLibrary(templates: ["p": try MustacheTemplate(source: "P")]))
        #expect(result.output == "<a><b>P-")
    }
}
