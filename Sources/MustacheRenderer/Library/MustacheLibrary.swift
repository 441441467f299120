import Foundation

/// Named templates that `{{>name}}` and `{{<name}}` tags refer to. Names are
/// case-sensitive and compared exactly as written in the tag (after trimming).
public struct MustacheLibrary: Sendable {
    private var templates: [String: MustacheTemplate]

    public init() {
        templates = [:]
    }

    public init(templates: [String: MustacheTemplate]) {
        self.templates = templates
    }

    public mutating func register(_ template: MustacheTemplate, named name: String) {
        templates[name] = template
    }

    /// Loads every `directory/<name>.<fileExtension>` (not recursive). `<name>` may contain
    /// dots, e.g. `layout.html.mustache` registers `layout.html`. Each template is parsed
    /// now, so a broken file fails here and not at first use; its error names the file.
    public init(directory: URL, fileExtension: String = "mustache") throws {
        templates = [:]
        let suffix = "." + fileExtension
        let entries = try FileManager.default.contentsOfDirectory(
            at: directory, includingPropertiesForKeys: [.isRegularFileKey], options: [])
        for url in entries {
            let fileName = url.lastPathComponent
            guard fileName.hasSuffix(suffix), fileName.count > suffix.count else { continue }
            let values = try? url.resourceValues(forKeys: [.isRegularFileKey])
            if values?.isRegularFile == false { continue }
            let name = String(fileName.dropLast(suffix.count))
            let data = try Data(contentsOf: url)
            let source = String(decoding: data, as: UTF8.self)
            templates[name] = try MustacheTemplate(source: source, name: fileName)
        }
    }

    public subscript(name: String) -> MustacheTemplate? {
        templates[name]
    }

    /// Registered names, sorted so listings are stable.
    public var names: [String] {
        templates.keys.sorted()
    }

    /// Renders the template registered as `name`, with this library providing its partials.
    public func render(_ name: String, _ context: MustacheValue, escaping: MustacheEscaping = .html,
                       limits: MustacheRenderLimits = .default) throws -> MustacheRenderResult {
        guard let template = templates[name] else {
            throw MustacheLibraryError.unknownTemplate(name)
        }
        return template.render(context, partials: self, escaping: escaping, limits: limits)
    }
}

/// Errors from looking templates up in a `MustacheLibrary`.
public enum MustacheLibraryError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownTemplate(String)

    public var description: String {
        switch self {
        case .unknownTemplate(let name): return "no template named '\(name)'"
        }
    }
}
