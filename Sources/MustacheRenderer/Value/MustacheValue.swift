import Foundation

/// JSON-shaped data a template is rendered against.
///
/// Objects are plain dictionaries: Mustache looks keys up by name, so key order
/// carries no meaning and two objects with the same pairs compare equal.
public enum MustacheValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([MustacheValue])
    case object([String: MustacheValue])

    /// Decodes any JSON value (object, array, string, number, bool or null at the top level).
    ///
    /// Numbers written without fraction or exponent become `.int` when they fit, so that
    /// `85` renders as `85` and never as `85.0`.
    public init(json: Data) throws {
        self = try JSONDecoding.decode(json)
    }

    /// Decodes JSON held in a string; see `init(json:)`.
    public init(jsonString: String) throws {
        self = try JSONDecoding.decode(Data(jsonString.utf8))
    }

    /// Mustache truthiness: sections skip these values and inverted sections render for them.
    ///
    /// Empty strings are falsey (as in mustache.js) because mail templates commonly guard
    /// optional text such as `{{#middleName}} {{middleName}}{{/middleName}}`; zero stays
    /// truthy so that counts can still be shown inside a section.
    public var isFalsey: Bool {
        switch self {
        case .null: return true
        case .bool(let b): return !b
        case .array(let a): return a.isEmpty
        case .string(let s): return s.isEmpty
        case .int, .double, .object: return false
        }
    }

    /// The text an interpolation tag produces for this value (before escaping).
    public var renderedText: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return NumberFormatting.format(d)
        case .string(let s): return s
        case .array(let items):
            // Mirrors JavaScript's Array#toString, the behaviour most Mustache users expect.
            return items.map(\.renderedText).joined(separator: ",")
        case .object: return ""
        }
    }

    /// Member access for a single key; `nil` when this is not an object or lacks the key.
    public subscript(key: String) -> MustacheValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }
}

extension MustacheValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension MustacheValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .int(value) }
}

extension MustacheValue: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension MustacheValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension MustacheValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension MustacheValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: MustacheValue...) { self = .array(elements) }
}

extension MustacheValue: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, MustacheValue)...) {
        // Later duplicates win, like JSON parsers generally do.
        var members: [String: MustacheValue] = [:]
        members.reserveCapacity(elements.count)
        for (key, value) in elements { members[key] = value }
        self = .object(members)
    }
}
