import Foundation
import MustacheRenderer

/// The emails the service can send, parsed once from the templates folder.
///
/// `templates/<name>/` holds `subject.mustache` and `text.mustache` and/or `html.mustache`
/// (without a text template, the text part is derived from the HTML); `templates/partials/<partial>.mustache` are shared partials and layouts,
/// available to every template by file name (`{{<layout.html}}`, `{{> footer}}`).
public struct EmailTemplateCatalog: Sendable {
    public let directory: String
    public let names: [String]
    private let library: MustacheLibrary

    static let partialsFolder = "partials"
    static let parts = ["subject", "text", "html"]

    public init(directory: String) throws(TemplateCatalogError) {
        self.directory = directory
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        var library = MustacheLibrary()
        var names: [String] = []
        do {
            let partials = root.appendingPathComponent(Self.partialsFolder, isDirectory: true)
            for file in try Self.mustacheFiles(in: partials) {
                let name = String(file.lastPathComponent.dropLast(".mustache".count))
                library.register(try Self.parse(file, shownAs: "\(Self.partialsFolder)/\(file.lastPathComponent)"), named: name)
            }
            for folder in try Self.subfolders(of: root) where folder.lastPathComponent != Self.partialsFolder {
                let name = folder.lastPathComponent
                let present = Set(try Self.mustacheFiles(in: folder).map { String($0.lastPathComponent.dropLast(".mustache".count)) })
                guard present.contains("subject") else { continue }
                guard present.contains("text") || present.contains("html") else {
                    throw TemplateCatalogError(message: "template \(name) has subject.mustache but neither text.mustache nor html.mustache in \(folder.path)")
                }
                for part in Self.parts where present.contains(part) {
                    let file = folder.appendingPathComponent("\(part).mustache")
                    library.register(try Self.parse(file, shownAs: "\(name)/\(part).mustache"), named: "\(name)/\(part)")
                }
                names.append(name)
            }
        } catch let error as TemplateCatalogError {
            throw error
        } catch let error as MustacheParseError {
            throw TemplateCatalogError(message: "template \(error.description)")
        } catch {
            throw TemplateCatalogError(message: "cannot load templates from \(directory): \(error.localizedDescription)")
        }
        guard !names.isEmpty else {
            throw TemplateCatalogError(message: "no templates in \(directory): expected folders such as verification/ holding subject.mustache and text.mustache")
        }
        self.library = library
        self.names = names.sorted()
    }

    private static func parse(_ file: URL, shownAs name: String) throws -> MustacheTemplate {
        try MustacheTemplate(source: String(contentsOf: file, encoding: .utf8), name: name)
    }

    private static func mustacheFiles(in folder: URL) throws -> [URL] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        return try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "mustache" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    private static func subfolders(of folder: URL) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isDirectoryKey])
            .filter { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// The variables the template's parts read, following partials and layouts.
    public func variables(of name: String) -> [String] {
        var names: [String] = []
        for part in parts(of: name) {
            for variable in library.variableNames(of: "\(name)/\(part)") where !names.contains(variable) {
                names.append(variable)
            }
        }
        return names
    }

    /// Which of subject, text and html the template has.
    public func parts(of name: String) -> [String] {
        Self.parts.filter { library["\(name)/\($0)"] != nil }
    }

    /// Renders subject, text and HTML. With `strict`, any variable the templates use but `data`
    /// lacks fails the whole render, listing every missing name at once.
    public func render(_ name: String, data: MustacheValue, strict: Bool) throws(TemplateRenderError) -> RenderedEmail {
        guard contains(name) else { throw .unknownTemplate(name, available: names) }
        do {
            let subject = try library.render("\(name)/subject", data, escaping: .none)
            let text = try library["\(name)/text"].map { _ in try library.render("\(name)/text", data, escaping: .none) }
            let html = try library["\(name)/html"].map { _ in try library.render("\(name)/html", data, escaping: .html) }
            var missing: [String] = []
            for result in [subject] + [text, html].compactMap({ $0 }) {
                for variable in result.missingVariables where !missing.contains(variable) { missing.append(variable) }
            }
            if strict, !missing.isEmpty { throw TemplateRenderError.missingVariables(template: name, missing) }
            // The catalog only admits templates with text or HTML, so one of the two is there.
            let textBody = text?.output ?? HTMLText.plainText(from: html?.output ?? "")
            return RenderedEmail(subject: Self.oneLine(subject.output), text: textBody, html: html?.output, missingVariables: missing)
        } catch let error as TemplateRenderError {
            throw error
        } catch {
            throw .renderFailed(template: name, "\(error)")
        }
    }

    /// A subject is one header line: template newlines and runs of space fold into single spaces.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }
}

public struct RenderedEmail: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String?
    /// Variables the templates used but the data lacked (rendered empty); empty under strict rendering.
    public var missingVariables: [String] = []
}

public struct TemplateCatalogError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum TemplateRenderError: Error, Sendable, Equatable {
    case unknownTemplate(String, available: [String])
    case missingVariables(template: String, [String])
    case renderFailed(template: String, String)
}
