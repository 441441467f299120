import Foundation
import HTTPTypes
@testable import MailerService

/// The parts of an OpenAPI document the tests navigate: `$ref`s, operations, responses, and a
/// check of a JSON value against a schema (the subset of JSON Schema the document uses).
struct OpenAPIModel {
    static let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]

    struct Operation: Hashable, CustomStringConvertible {
        let method: String
        let path: String
        let id: String
        var description: String { "\(id) (\(method.uppercased()) \(path))" }
    }

    let root: JSONValue

    init(_ root: JSONValue = OpenAPIDocument.json) { self.root = root }

    /// `#/a/b~1c` → the value there (JSON Pointer, RFC 6901); nil when nothing is.
    func pointer(_ reference: String) -> JSONValue? {
        guard reference.hasPrefix("#") else { return nil }
        var value = root
        for token in reference.dropFirst().split(separator: "/", omittingEmptySubsequences: false).dropFirst() {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch value {
            case .object(let members): guard let next = members[key] else { return nil }; value = next
            case .array(let items): guard let position = Int(key), items.indices.contains(position) else { return nil }; value = items[position]
            default: return nil
            }
        }
        return value
    }

    /// Follows `$ref` until a value without one.
    func resolve(_ value: JSONValue) -> JSONValue {
        var value = value
        for _ in 0..<20 {
            guard case .object(let members) = value, case .string(let reference)? = members["$ref"], let target = pointer(reference) else { return value }
            value = target
        }
        return value
    }

    var paths: [String: JSONValue] {
        guard case .object(let paths)? = pointer("#/paths") else { return [:] }
        return paths
    }

    var operations: [Operation] {
        paths.flatMap { path, item -> [Operation] in
            guard case .object(let members) = item else { return [] }
            return Self.methods.compactMap { method in
                guard case .object(let operation)? = members[method] else { return nil }
                guard case .string(let id)? = operation["operationId"] else { return Operation(method: method, path: path, id: "") }
                return Operation(method: method, path: path, id: id)
            }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    func object(of operation: Operation) -> [String: JSONValue] {
        guard case .object(let item)? = paths[operation.path], case .object(let members)? = item[operation.method] else { return [:] }
        return members
    }

    func isPublic(_ operation: Operation) -> Bool {
        object(of: operation)["security"] == .array([])
    }

    /// The operation a request for `path` reaches: a literal segment beats a `{parameter}`, as
    /// in the router (`/v1/emails/verification` before `/v1/emails/{id}`).
    func operation(_ method: HTTPRequest.Method, _ path: String) -> Operation? {
        let segments = path.split(separator: "/")
        let candidates = operations.filter { operation in
            let template = operation.path.split(separator: "/")
            return operation.method == method.rawValue.lowercased() && template.count == segments.count
                && zip(template, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
        return candidates.max { literals($0.path) < literals($1.path) }
    }

    private func literals(_ path: String) -> Int { path.split(separator: "/").filter { !$0.hasPrefix("{") }.count }

    func response(_ operation: Operation, status: Int) -> [String: JSONValue]? {
        guard case .object(let responses)? = object(of: operation)["responses"], let response = responses[String(status)],
              case .object(let members) = resolve(response) else { return nil }
        return members
    }

    func statuses(_ operation: Operation) -> [String] {
        guard case .object(let responses)? = object(of: operation)["responses"] else { return [] }
        return responses.keys.sorted()
    }

    // MARK: Schemas

    /// Why `value` does not fit `schema`, one line each naming the key path; empty when it fits.
    /// Stricter than JSON Schema on one point: an object member no schema declares is reported
    /// unless the schema says `additionalProperties` (the document must name every key it answers).
    func violations(_ value: JSONValue, _ schema: JSONValue, at path: String = "$") -> [String] {
        // `allOf` parts and the whole see the same members: say each finding once.
        var seen = Set<String>()
        return check(value, schema, at: path).filter { seen.insert($0).inserted }
    }

    private func check(_ value: JSONValue, _ schema: JSONValue, at path: String) -> [String] {
        guard case .object(let members) = resolve(schema) else { return [] }
        var found: [String] = []
        if case .array(let parts)? = members["allOf"] {
            // Each part sees only its own keys; undeclared keys are judged over all parts together.
            for part in parts { found += check(value, part, at: path).filter { !$0.contains("is not declared") } }
        }
        for combinator in ["oneOf", "anyOf"] {
            guard case .array(let branches)? = members[combinator] else { continue }
            let outcomes = branches.map { check(value, $0, at: path) }
            if !outcomes.contains(where: \.isEmpty) {
                found += outcomes.min { $0.count < $1.count } ?? []
            }
        }
        if let types = members["type"] {
            let allowed: [String] = switch types {
            case .string(let type): [type]
            case .array(let list): list.compactMap { if case .string(let type) = $0 { type } else { nil } }
            default: []
            }
            let kind = Self.kind(value)
            if !allowed.contains(kind) && !(kind == "integer" && allowed.contains("number")) {
                return found + ["\(path) is \(kind), the document says \(allowed.joined(separator: " or "))"]
            }
        }
        if case .array(let cases)? = members["enum"], !cases.contains(value) {
            found.append("\(path) is \(String(decoding: value.encoded(), as: UTF8.self)), not one of the documented values \(String(decoding: JSONValue.array(cases).encoded(), as: UTF8.self))")
        }
        if case .int(let number) = value {
            if case .int(let minimum)? = members["minimum"], number < minimum { found.append("\(path) is \(number), below the documented minimum \(minimum)") }
            if case .int(let maximum)? = members["maximum"], number > maximum { found.append("\(path) is \(number), above the documented maximum \(maximum)") }
        }
        switch value {
        case .object(let object) where members["type"] == "object" || members["properties"] != nil || members["allOf"] != nil:
            let (properties, required, additional) = objectRules(schema)
            for name in required where object[name] == nil {
                found.append("\(path) lacks `\(name)`, which the document requires")
            }
            for (name, member) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[name] {
                    found += check(member, property, at: "\(path).\(name)")
                } else if let additional, additional != .bool(false) {
                    found += check(member, additional, at: "\(path).\(name)")
                } else {
                    found.append("\(path).\(name) is not declared in the documented schema")
                }
            }
        case .array(let items):
            if let itemSchema = members["items"] {
                for (position, item) in items.enumerated() { found += check(item, itemSchema, at: "\(path)[\(position)]") }
            }
        default:
            break
        }
        return found
    }

    /// Properties, required names and `additionalProperties` of an object schema and its `allOf` parts.
    private func objectRules(_ schema: JSONValue) -> (properties: [String: JSONValue], required: [String], additional: JSONValue?) {
        guard case .object(let members) = resolve(schema) else { return ([:], [], nil) }
        var properties: [String: JSONValue] = [:]
        var required: [String] = []
        var additional = members["additionalProperties"]
        if case .object(let own)? = members["properties"] { properties.merge(own) { first, _ in first } }
        if case .array(let names)? = members["required"] { required += names.compactMap { if case .string(let name) = $0 { name } else { nil } } }
        if case .array(let parts)? = members["allOf"] {
            for part in parts {
                let rules = objectRules(part)
                properties.merge(rules.properties) { first, _ in first }
                required += rules.required
                if additional == nil { additional = rules.additional }
            }
        }
        return (properties, required, additional)
    }

    static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// Every `$ref` in the document, with where it is.
    func references() -> [(at: String, target: String)] {
        var found: [(String, String)] = []
        func walk(_ value: JSONValue, _ at: String) {
            switch value {
            case .object(let members):
                if case .string(let target)? = members["$ref"] { found.append((at, target)) }
                for (key, member) in members { walk(member, "\(at)/\(key)") }
            case .array(let items):
                for (position, item) in items.enumerated() { walk(item, "\(at)/\(position)") }
            default:
                break
            }
        }
        walk(root, "#")
        return found
    }
}
