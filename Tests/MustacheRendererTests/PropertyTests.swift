import PropertyBased
import Testing
@testable import MustacheRenderer

/// Characters that stress the renderer: HTML specials, braces on their own, line endings
/// (standalone-line rules), multi-byte UTF-8 and a grapheme cluster made of several scalars.
private let trickyCharacters: [Character] = [
    "{", "}", "<", ">", "&", "\"", "'", "=", "#", "^", "/", "!", ">", "$", ".", " ", "\t", "\n", "\r\n", "\r",
    "é", "ß", "日", "本", "😀", "👩‍💻", "\u{0}", "\u{7F}",
]

private let mixedCharacter = Gen<Character>.frequency(
    (3, Gen.letterOrNumber),
    (2, Gen<Character?>.element(of: trickyCharacters).map { $0! }),
    (1, Gen<UnicodeScalar>.unicodeScalar(in: "\u{A0}"..."\u{D7FF}").map(Character.init))
)

/// Any text, including lone braces and `{{` turned into `{ {` so it holds no tag.
private let textWithoutTags = mixedCharacter.string(of: 0...80).map { text in
    // Bytes, not Characters: "{" followed by a combining mark is one Character.
    var bytes = Array(text.utf8)
    while let index = bytes.indices.dropLast().first(where: { bytes[$0] == UInt8(ascii: "{") && bytes[$0 + 1] == UInt8(ascii: "{") }) {
        bytes.insert(UInt8(ascii: " "), at: index + 1)
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Any string a request could put in a variable, `<` and `&` included.
private let anyValue = mixedCharacter.string(of: 0...60)

@Suite("Properties")
struct PropertyTests {
    @Test func textWithoutTagsRendersToItself() async throws {
        await propertyCheck(count: 500, input: textWithoutTags) { text in
            let template = try MustacheTemplate(source: text)
            let data: MustacheValue = ["x": "<value>"]
            #expect(template.render(data).output == text)
            #expect(template.render(data, escaping: .none).output == text)
        }
    }

    @Test func escapingNeverLetsMarkupThrough() async throws {
        let templates = try [
            "{{v}}",
            "<p title=\"{{v}}\">{{v}}</p>",
            "{{#list}}<li>{{.}}</li>{{/list}}",
            "{{#nested}}{{#inner}}{{v}}{{/inner}}{{/nested}}",
            "{{>partial}}",
            "{{<layout}}{{$body}}{{v}}{{/body}}{{/layout}}",
        ].map { try MustacheTemplate(source: $0) }
        let partials = MustacheLibrary(templates: [
            "partial": try MustacheTemplate(source: "  {{v}}\n", name: "partial"),
            "layout": try MustacheTemplate(source: "<div>{{$body}}{{/body}}</div>", name: "layout"),
        ])
        let markupTemplates: Set<Int> = [1, 2, 5]

        await propertyCheck(count: 300, input: anyValue) { value in
            let data: MustacheValue = ["v": .string(value), "list": [.string(value), .string(value)], "nested": ["inner": true]]
            for (index, template) in templates.enumerated() {
                var output = Array(template.render(data, partials: partials).output.utf8)
                if markupTemplates.contains(index) {
                    // The template's own markup is not what is under test: strip it.
                    for tag in ["<p title=\"", "\">", "</p>", "<li>", "</li>", "<div>", "</div>"] {
                        output = Self.replacing(Array(tag.utf8), with: [], in: output)
                    }
                }
                // Bytes, not Characters: a combining mark after `<` would hide it from a Character search.
                for forbidden in "<>\"'".utf8 {
                    #expect(!output.contains(forbidden), "template \(index) let \(UnicodeScalar(forbidden)) through for \(value.debugDescription)")
                }
                #expect(Self.ampersandsAreEntities(output), "bare '&' in \(String(decoding: output, as: UTF8.self).debugDescription)")
            }
            // Escaping loses nothing: decoding the five entities gives the value back.
            #expect(Self.unescape(Array(templates[0].render(data).output.utf8)) == Array(value.utf8))
        }
    }

    static let entities: [(entity: [UInt8], character: UInt8)] = [
        ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&"),
    ].map { (Array($0.0.utf8), Array($0.1.utf8)[0]) }

    static func ampersandsAreEntities(_ bytes: [UInt8]) -> Bool {
        bytes.indices.allSatisfy { index in
            bytes[index] != UInt8(ascii: "&") || entities.contains { bytes[index...].starts(with: $0.entity) }
        }
    }

    static func unescape(_ bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if let match = entities.first(where: { bytes[index...].starts(with: $0.entity) }) {
                result.append(match.character)
                index += match.entity.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }

    static func replacing(_ needle: [UInt8], with replacement: [UInt8], in bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index...].starts(with: needle) {
                result += replacement
                index += needle.count
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return result
    }
}
