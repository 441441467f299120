import Dispatch
import Testing
@testable import MustacheRenderer

/// Renders that data can make arbitrarily expensive stop at a bound and say which.
@Suite("Render limits")
struct RenderLimitsTests {
    /// `render` on a thread of its own, for renders that run to a large bound: on the two threads of
    /// the test runner's cooperative pool they would hold up every other suite's tasks meanwhile,
    /// and tests that wait for a connection to close would see their timeouts fire first.
    private func renderAway(_ source: String, _ data: MustacheValue, partials: [String: String] = [:],
                            limits: MustacheRenderLimits) async throws -> MustacheRenderResult {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try render(source, data, partials: partials, limits: limits) })
            }
        }
    }

    /// 20⁶ = 64 million iterations if nothing stops them.
    private static let nestedLoops = String(repeating: "{{#list}}", count: 6) + "." + String(repeating: "{{/list}}", count: 6)
    private static let list: MustacheValue = ["list": .array(Array(repeating: ["x": 1], count: 20))]

    @Test func nestedLoopsOverOneListStopAtTheStepBound() throws {
        let result = try render(Self.nestedLoops, Self.list, limits: MustacheRenderLimits(maximumSteps: 10_000))
        #expect(result.limitReached == .steps(10_000))
        // Each "." costs at least its text node and its item: the render stopped at the bound, not later.
        #expect(result.output.count > 1_000 && result.output.count <= 5_000)
        #expect("\(result.limitReached!)".contains("the work passed 10000 steps"))
    }

    /// Found in review: an innermost loop with nothing to render cost no step, so three nested
    /// loops over 1,000 items (the service's largest array) ran 10⁹ times within the bound.
    @Test(.timeLimit(.minutes(1))) func loopsWithAnEmptyBodyCountTheirItems() async throws {
        let template = "{{#l}}{{#l}}{{#l}}{{/l}}{{/l}}{{/l}}"
        // 100 items: 10⁶ innermost iterations against ≈ 30,000 steps for the nodes and lookups.
        let hundred: MustacheValue = ["l": .array(Array(repeating: 1, count: 100))]
        #expect(try await renderAway(template, hundred, limits: MustacheRenderLimits(maximumSteps: 500_000)).limitReached == .steps(500_000))
        let comment = "{{#l}}{{#l}}{{#l}}{{! nothing }}{{/l}}{{/l}}{{/l}}"
        #expect(try await renderAway(comment, hundred, limits: MustacheRenderLimits(maximumSteps: 500_000)).limitReached == .steps(500_000))
        let thousand: MustacheValue = ["l": .array(Array(repeating: 1, count: 1_000))]
        #expect(try await renderAway(template, thousand, limits: .default).limitReached == .steps(MustacheRenderLimits.default.maximumSteps))
    }

    /// Found in review: each expansion copies the indentation, so deep indentation costs steps.
    @Test func deepIndentationMakesExpansionsDearer() throws {
        let partials = ["p": "{{#l}}\n" + String(repeating: " ", count: 6_400) + "{{>q}}\n{{/l}}", "q": ""]
        let data: MustacheValue = ["l": .array(Array(repeating: 1, count: 1_000))]
        // 1,000 expansions of an empty partial under 6,400 spaces: ≈ 100 steps each for the copy.
        #expect(try render("{{>p}}", data, partials: partials, limits: MustacheRenderLimits(maximumSteps: 50_000)).limitReached == .steps(50_000))
        #expect(try render("{{>p}}", data, partials: partials, limits: MustacheRenderLimits(maximumSteps: 200_000)).limitReached == nil)
    }

    /// The defaults stop it too (the case found by Fuzz/fuzz-mustache timing out).
    @Test(.timeLimit(.minutes(1))) func theDefaultBoundsStopExponentialTemplates() async throws {
        let loops = try await renderAway(Self.nestedLoops, Self.list, limits: .default)
        #expect(loops.limitReached == .steps(MustacheRenderLimits.default.maximumSteps))
        // A partial that includes itself twice per list item: 4¹⁰⁰ expansions within the depth
        // bound, which used to stop each branch quietly and go on with the next.
        let doubling = try await renderAway("{{>p}}", ["items": [1, 2]], partials: ["p": "{{#items}}{{>p}}{{>p}}{{/items}}"], limits: .default)
        #expect(doubling.limitReached == .expansionDepth(MustacheRenderLimits.default.maximumExpansionDepth))
        // Recursion that data ends (a tree 16 levels deep, each node listing itself twice) is
        // within the depth bound, and so stops at the steps.
        var tree: MustacheValue = ["children": []]
        for _ in 0..<16 { tree = ["children": [tree, tree]] }
        let walk = try await renderAway("{{>node}}", tree, partials: ["node": "{{#children}}{{>node}}{{>node}}{{/children}}."], limits: .default)
        #expect(walk.limitReached == .steps(MustacheRenderLimits.default.maximumSteps))
    }

    @Test func lookupsInADeepContextCountAsSteps() throws {
        // 60 nested frames, and every level looks the name up through all frames below it.
        let deep = String(repeating: "{{#o}}", count: 60) + String(repeating: "{{/o}}", count: 60)
        var value: MustacheValue = ["leaf": 1]
        for _ in 0..<60 { value = ["o": value] }
        let nodesOnly = 60
        let result = try render(deep, value, limits: MustacheRenderLimits(maximumSteps: nodesOnly * 2))
        #expect(result.limitReached == nil, "60 nodes and 60 one-frame lookups")
        // Names found only at the bottom are searched for through every frame.
        let bottom = String(repeating: "{{#o}}{{top}}", count: 60) + String(repeating: "{{/o}}", count: 60)
        var withTop = value
        if case .object(var members) = withTop { members["top"] = "t"; withTop = .object(members) }
        let slow = try render(bottom, withTop, limits: MustacheRenderLimits(maximumSteps: 1_000))
        #expect(slow.limitReached == .steps(1_000), "1 + 2 + … + 60 frames searched for top")
    }

    @Test func outputStopsAtTheByteBound() throws {
        let result = try render("{{#list}}0123456789{{/list}}", ["list": .array(Array(repeating: 1, count: 500))],
                                limits: MustacheRenderLimits(maximumOutputBytes: 1_000))
        #expect(result.limitReached == .outputBytes(1_000))
        #expect(result.output.utf8.count > 1_000 && result.output.utf8.count <= 1_010)
    }

    @Test func theLastAppendIsMeasuredToo() throws {
        let result = try render("{{big}}", ["big": .string(String(repeating: "x", count: 2_000))],
                                limits: MustacheRenderLimits(maximumOutputBytes: 1_000))
        #expect(result.limitReached == .outputBytes(1_000))
    }

    @Test func indentedLinesAreMeasuredOneByOne() throws {
        // One text chunk of 400 lines, each indented by 20 levels of 10 spaces: 80 KB from one node.
        let lines = String(repeating: "line\n", count: 400)
        var partials = ["p0": lines]
        for level in 1...20 { partials["p\(level)"] = "          {{>p\(level - 1)}}\n" }
        let result = try render("{{>p20}}\n", [:], partials: partials, limits: MustacheRenderLimits(maximumOutputBytes: 1_000))
        #expect(result.limitReached == .outputBytes(1_000))
        #expect(result.output.utf8.count <= 1_000 + 205 + 5)
    }

    @Test func selfIncludingPartialsStopAtTheDepthBound() throws {
        let result = try render("{{>loop}}", [:], partials: ["loop": "x{{>loop}}"], limits: .default)
        #expect(result.output == String(repeating: "x", count: 100))
        #expect(result.limitReached == .expansionDepth(100))
        #expect("\(result.limitReached!)".contains("needs a section that ends the recursion"))
    }

    @Test func sectionsAndExpansionsTogetherStopAtTheNestingBound() throws {
        let sections = String(repeating: "{{#t}}", count: 5) + "{{>p}}" + String(repeating: "{{/t}}", count: 5)
        let result = try render("{{>p}}", ["t": true], partials: ["p": sections], limits: MustacheRenderLimits(maximumNesting: 20))
        #expect(result.limitReached == .nesting(20))
        let inverted = String(repeating: "{{^f}}", count: 30) + String(repeating: "{{/f}}", count: 30)
        #expect(try render(inverted, ["f": false], limits: MustacheRenderLimits(maximumNesting: 20)).limitReached == .nesting(20))
    }

    @Test func theFirstBoundReachedIsTheOneReported() throws {
        // The depth bound is reached first; the steps spent unwinding afterwards do not replace it.
        let result = try render("{{>loop}}", [:], partials: ["loop": "x{{>loop}}x"],
                                limits: MustacheRenderLimits(maximumSteps: 250, maximumExpansionDepth: 100))
        #expect(result.limitReached == .expansionDepth(100))
    }

    @Test func ordinaryTemplatesReachNoBound() throws {
        let result = try render("{{#list}}<li>{{x}}</li>\n{{/list}}{{^none}}done{{/none}}", Self.list, limits: .default)
        #expect(result.limitReached == nil)
        #expect(result.output.hasSuffix("<li>1</li>\ndone"))
    }

    /// A table of the largest list the service accepts (1,000 rows of ten columns) takes ≈ 155,000
    /// steps: within a fifth of the default.
    @Test func aThousandRowTableIsFarFromTheDefaults() throws {
        let row = "<tr>{{#cells}}<td>{{#link}}<a href=\"{{link}}\">{{/link}}{{value}} {{currency}}{{#link}}</a>{{/link}}</td>{{/cells}}</tr>\n"
        let cells: MustacheValue = .array((0..<10).map { column in ["value": .string("v\(column)"), "link": column == 0 ? "https://x.test/r" : false] })
        let data: MustacheValue = ["currency": "EUR", "rows": .array(Array(repeating: ["cells": cells], count: 1_000))]
        let generous = MustacheRenderLimits(maximumSteps: MustacheRenderLimits.default.maximumSteps / 5)
        let result = try render("<table>\n{{#rows}}" + row + "{{/rows}}</table>\n", data, limits: generous)
        #expect(result.limitReached == nil, "a fifth of the default steps is enough")
        #expect(result.output.utf8.count > 120_000)
    }
}
