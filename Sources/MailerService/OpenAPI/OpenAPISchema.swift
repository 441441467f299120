/// Shorthands for the JSON Schema 2020-12 (OpenAPI 3.1) pieces the document repeats, so each
/// schema reads as its fields and their meaning.
enum OpenAPISchema {
    static func ref(_ name: String) -> JSONValue {
        ["$ref": .string("#/components/schemas/\(name)")]
    }

    static func object(_ properties: [String: JSONValue], required: [String] = [], closed: Bool = false, description: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["type": "object", "properties": .object(properties)]
        if !required.isEmpty { members["required"] = .array(required.sorted().map { .string($0) }) }
        // A closed object is one the service refuses unknown fields of (422), not a style choice.
        if closed { members["additionalProperties"] = false }
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    /// An object whose members are named by data (template variables, counts per code).
    static func map(of values: JSONValue, description: String) -> JSONValue {
        ["type": "object", "additionalProperties": values, "description": .string(description)]
    }

    static func string(_ description: String? = nil, format: String? = nil, examples: [String] = [], nullable: Bool = false) -> JSONValue {
        var members: [String: JSONValue] = ["type": nullable ? ["string", "null"] : "string"]
        if let description { members["description"] = .string(description) }
        if let format { members["format"] = .string(format) }
        if !examples.isEmpty { members["examples"] = .array(examples.map { .string($0) }) }
        return .object(members)
    }

    static func cases(_ values: [String], description: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["type": "string", "enum": .array(values.map { .string($0) })]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    static func integer(_ description: String? = nil, minimum: Int? = nil, maximum: Int? = nil, nullable: Bool = false) -> JSONValue {
        var members: [String: JSONValue] = ["type": nullable ? ["integer", "null"] : "integer"]
        if let description { members["description"] = .string(description) }
        if let minimum { members["minimum"] = .int(minimum) }
        if let maximum { members["maximum"] = .int(maximum) }
        return .object(members)
    }

    static func boolean(_ description: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["type": "boolean"]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }

    static func array(of items: JSONValue, description: String? = nil, minItems: Int? = nil, maxItems: Int? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["type": "array", "items": items]
        if let description { members["description"] = .string(description) }
        if let minItems { members["minItems"] = .int(minItems) }
        if let maxItems { members["maxItems"] = .int(maxItems) }
        return .object(members)
    }

    static var strings: JSONValue { array(of: string()) }

    /// A `$ref`'d schema or null; a reference cannot carry a `type` list itself.
    static func nullable(_ schema: JSONValue) -> JSONValue {
        ["anyOf": [schema, ["type": "null"]]]
    }

    /// `description` on a `$ref`: allowed beside it in OpenAPI 3.1, and read by documentation tools.
    static func described(_ schema: JSONValue, _ description: String) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        members["description"] = .string(description)
        return .object(members)
    }

    static func allOf(_ schemas: JSONValue..., description: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = ["allOf": .array(schemas)]
        if let description { members["description"] = .string(description) }
        return .object(members)
    }
}
