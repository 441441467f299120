import Foundation
import MustacheRenderer

/// Our renderer, with the template and partials parsed once up front.
struct OursRenderer {
    let template: MustacheTemplate
    let library: MustacheLibrary
    let context: MustacheValue

    init(templatePath: String, partialsDirectory: String?, data: MustacheValue) throws {
        let url = URL(fileURLWithPath: templatePath)
        let source = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        template = try MustacheTemplate(source: source, name: url.lastPathComponent)
        if let partialsDirectory {
            library = try MustacheLibrary(directory: URL(fileURLWithPath: partialsDirectory, isDirectory: true))
        } else {
            library = MustacheLibrary()
        }
        context = data
    }

    @inline(never)
    func render() -> String {
        template.render(context, partials: library).output
    }
}

/// Decodes the data file once; both renderers get the same values.
func loadData(path: String) throws -> MustacheValue {
    try MustacheValue(json: Data(contentsOf: URL(fileURLWithPath: path)))
}

/// The same data as plain Swift values (`[String: Any]`, `[Any]`, `String`, `Int`, `Double`,
/// `Bool`), which is what swift-mustache reads through reflection. A `null` member is left
/// out of its object (swift-mustache treats a missing key and a null alike); a `null` array
/// element becomes `NSNull`.
func plainSwiftValue(_ value: MustacheValue) -> Any {
    switch value {
    case .null: return NSNull()
    case .bool(let b): return b
    case .int(let i): return i
    case .double(let d): return d
    case .string(let s): return s
    case .array(let items): return items.map(plainSwiftValue)
    case .object(let members):
        var object: [String: Any] = [:]
        for (key, member) in members {
            if case .null = member { continue }
            object[key] = plainSwiftValue(member)
        }
        return object
    }
}
