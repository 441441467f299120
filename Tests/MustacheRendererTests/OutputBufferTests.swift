import Testing
@testable import MustacheRenderer

/// The fast paths behind rendering: the byte buffer, bulk escaping and small-object
/// lookups. Each result is compared with a plain, obviously correct reference.
@Suite("Output buffer and fast paths")
struct OutputBufferTests {
    /// Reference escaping, one character at a time.
    static func referenceEscape(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "\"": result += "&quot;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    @Test(arguments: [
        "", "plain", "&", "\"", "<", ">", "'", "&&&&&&&&", "<<>>''\"\"",
        "a<b", "<ab", "ab<", "Siobhán O'Brien & Co. — £9.99 <ok>", "日本語 & 한국어 \"引用\"",
        "emoji 👩‍👩‍👧 <tag> & 'q'", String(repeating: "x", count: 100) + "&",
    ])
    func escapesLikeTheReference(_ text: String) throws {
        let result = try render("[{{v}}]", ["v": .string(text)])
        #expect(result.output == "[" + Self.referenceEscape(text) + "]")
        #expect(try render("[{{{v}}}]", ["v": .string(text)]).output == "[" + text + "]")
    }

    @Test func outputLargerThanTheInitialBufferGrowsIt() throws {
        // 3 x 5000 specials escape to ~70 KB, well past the initial capacity.
        let specials = String(repeating: "<&'", count: 5000)
        let text = String(repeating: "é.", count: 10_000)
        let result = try render("{{#items}}{{v}}|{{{t}}}|{{/items}}",
                                ["items": [["v": .string(specials), "t": .string(text)],
                                           ["v": "ok", "t": "ok"]]])
        let expected = Self.referenceEscape(specials) + "|" + text + "|ok|ok|"
        #expect(result.output == expected)
        #expect(result.output.utf8.count == expected.utf8.count)
    }

    @Test func smallAndLargeObjectsResolveTheSameKeys() throws {
        // Up to the linear-search limit keys are compared; past it they are hashed.
        for size in [1, 2, Renderer.linearSearchLimit, Renderer.linearSearchLimit + 1, 50] {
            var members: [String: MustacheValue] = [:]
            for i in 0..<size { members["key\(i)"] = .string("value\(i)") }
            members["a-much-longer-key-than-fifteen-bytes"] = "long"
            let data = MustacheValue.object(members)
            for i in 0..<size {
                #expect(try render("{{key\(i)}}", data).output == "value\(i)")
            }
            #expect(try render("{{a-much-longer-key-than-fifteen-bytes}}", data).output == "long")
            let missing = try render("{{key\(size)}}|{{ke}}|{{key0x}}", data)
            #expect(missing.output == "||")
            #expect(missing.missingVariables == ["key\(size)", "ke", "key0x"])
        }
    }

    @Test func lookupWalksTheStackFromTheTop() throws {
        let data: MustacheValue = ["name": "root", "shop": ["url": "u"],
                                   "items": [["name": "first"], ["other": 1]]]
        let result = try render("{{#items}}{{name}}@{{shop.url}};{{/items}}", data)
        #expect(result.output == "first@u;root@u;")
    }
}
