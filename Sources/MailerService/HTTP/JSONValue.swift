import Foundation
import MustacheRenderer

/// Any JSON value, as request bodies and problem documents carry them.
public enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Containers are opened by kind first so that an error deep inside (a bad string escape, a
    /// number out of range) surfaces with its path ("code"), not as a mismatch of the whole body.
    public init(from decoder: Decoder) throws {
        if let object = try? decoder.container(keyedBy: MemberKey.self) {
            var members: [String: JSONValue] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(JSONValue.self, forKey: key) }
            self = .object(members)
            return
        }
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try array.decode(JSONValue.self)) }
            self = .array(elements)
            return
        }
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .int(value) }
        else if let value = try? container.decode(Double.self) { self = .double(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "a value JSON cannot carry here (an invalid string escape or a number out of range)"
            )
        }
    }

    private struct MemberKey: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Template data: the same tree, in the renderer's own type.
    var mustacheValue: MustacheValue {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .int(let value): .int(value)
        case .double(let value): .double(value)
        case .string(let value): .string(value)
        case .array(let values): .array(values.map(\.mustacheValue))
        case .object(let members): .object(members.mapValues(\.mustacheValue))
        }
    }

    /// Keys sorted, so one value always gives the same bytes; `prettyPrinted` for people.
    /// Compact output comes from `JSONWriter` (the same bytes as JSONEncoder, faster); pretty
    /// output, for the CLI, still from JSONEncoder.
    public func encoded(prettyPrinted: Bool = false) -> Data {
        guard prettyPrinted else { return Data(jsonBytes) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data("null".utf8)
    }

    /// `encoded()` as bytes: compact, keys sorted; `null` for a value JSON cannot carry (NaN, infinity).
    var jsonBytes: [UInt8] { JSONWriter.bytes(self) ?? Array("null".utf8) }
}
