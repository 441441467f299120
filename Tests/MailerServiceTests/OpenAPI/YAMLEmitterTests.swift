import Foundation
import Testing
@testable import MailerService

/// The YAML writer behind `openapi.yaml`: block style, stable, and read back as the same value
/// even for strings that look like something else to YAML.
@Suite struct YAMLEmitterTests {
    @Test func blockStyleWithSortedKeys() {
        let value: JSONValue = [
            "paths": ["/v1/emails": ["post": ["operationId": "send", "tags": ["emails"]]]],
            "openapi": "3.1.0",
            "security": [["bearerAuth": []]],
            "empty": [:],
            "numbers": [1, -2, .double(2.5), true, .null],
        ]
        #expect(YAMLEmitter.emit(value) == """
            empty: {}
            numbers:
              - 1
              - -2
              - 2.5
              - true
              - null
            openapi: "3.1.0"
            paths:
              /v1/emails:
                post:
                  operationId: send
                  tags:
                    - emails
            security:
              - bearerAuth: []

            """)
    }

    @Test func nestedContainersInSequencesStartOnTheDashLine() {
        let value: JSONValue = [["a": 1, "b": ["x", ["z"]]], [[1, 2], []]]
        #expect(YAMLEmitter.emit(value) == """
            - a: 1
              b:
                - x
                - - z
            - - - 1
                - 2
              - []

            """)
    }

    /// Strings YAML 1.1 or 1.2 would read as something else, or that break the structure.
    static let trickyStrings = [
        "", " ", "yes", "No", "ON", "off", "y", "N", "~", "null", "Null", "true", "False", "1", "-1", "0x1F", "0o17",
        "1e3", ".5", "1_000", "1:20", "2001-12-14", ".inf", "-.Inf", ".NaN", "- a", "-", "a: b", "a:b", "a #b", "#c",
        " lead", "trail ", "[x]", "{y}", "&anchor", "*alias", "!tag", "%directive", "@at", "`tick", "|", ">", "'q'",
        "\"dq\"", "--- ", "...", "?", "? k", "<<", "=", "$ref", "/v1/emails/{id}", "a\nb", "tab\there", "cr\r",
        "back\\slash", "\u{0}\u{7}\u{1B}", "\u{7F}", "é", "日本語", "😀", "\u{85}next", "line\u{2028}sep", "para\u{2029}",
        "\u{FEFF}bom", "\u{FFFE}", "\u{A0}nbsp", "plain words, (and) punctuation; fine", "Idempotency-Key", "application/problem+json",
    ]

    @Test(arguments: trickyStrings)
    func everyStringReadsBackAsItself(_ text: String) throws {
        for value in [JSONValue.string(text), .object([text: .string(text)]), .array([.string(text)])] {
            let yaml = YAMLEmitter.emit(value)
            #expect(try StrictYAMLReader.read(yaml) == value, "\(yaml)")
        }
    }

    @Test func quotedStringsAreJSONStrings() throws {
        for text in Self.trickyStrings where !YAMLEmitter.isPlainSafe(text) {
            let quoted = YAMLEmitter.quoted(text)
            #expect(try JSONDecoder().decode(String.self, from: Data(quoted.utf8)) == text)
        }
    }

    @Test func numbersStayNumbersOfTheirKind() throws {
        for number in [0.5, -2.25, 1e20, 1e-7, 123456789.125, 2.0] {
            let text = YAMLEmitter.number(number)
            #expect(text.contains("."), "\(text): YAML 1.1 reads a float without a dot as a string")
            #expect(try StrictYAMLReader.read(text + "\n") == .double(number))
        }
        #expect(YAMLEmitter.emit(.int(Int.min)) == "\(Int.min)\n")
    }

    @Test func aVeryLongKeyUsesTheExplicitForm() throws {
        let key = String(repeating: "k", count: 1500)
        let value: JSONValue = [key: ["nested": 1], "short": 2]
        let yaml = YAMLEmitter.emit(value)
        #expect(yaml.hasPrefix("? \(key)\n:\n  nested: 1\n"))
        #expect(try StrictYAMLReader.read(yaml) == value)
    }

    /// Random documents built from the tricky strings, deep and wide, read back unchanged.
    @Test func randomValuesRoundTrip() throws {
        var random = SplitMix64(seed: 0x6F70_656E_6170_69)
        for round in 0..<300 {
            let value = Self.randomValue(&random, depth: 0)
            let yaml = YAMLEmitter.emit(value)
            let read = try StrictYAMLReader.read(yaml)
            #expect(read == value, "round \(round):\n\(yaml)")
            #expect(YAMLEmitter.emit(value) == yaml, "the same value gives the same text")
        }
    }

    static func randomValue(_ random: inout SplitMix64, depth: Int) -> JSONValue {
        let choice = Int(random.next() % (depth >= 4 ? 5 : 7))
        switch choice {
        case 0: return .null
        case 1: return .bool(random.next() % 2 == 0)
        case 2: return .int(Int(truncatingIfNeeded: random.next()) >> Int(random.next() % 60))
        case 3: return .double(Double(Int64(truncatingIfNeeded: random.next()) >> 20) / 1024)
        case 4: return .string(randomString(&random))
        case 5: return .array((0..<Int(random.next() % 4)).map { _ in randomValue(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int(random.next() % 4) { members[randomString(&random)] = randomValue(&random, depth: depth + 1) }
            return .object(members)
        }
    }

    static func randomString(_ random: inout SplitMix64) -> String {
        (0..<Int(random.next() % 3 + 1)).map { _ in trickyStrings[Int(random.next() % UInt64(trickyStrings.count))] }.joined()
    }
}

/// A seeded generator, so a failing round can be replayed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
