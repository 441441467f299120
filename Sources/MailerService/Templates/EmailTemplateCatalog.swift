import Foundation
import MustacheRenderer

/// The emails the service can send, loaded once from the templates folder.
///
/// An email named `verification` is three files: `verification.subject.mustache`,
/// `verification.text.mustache` and optionally `verification.html.mustache`. Every other
/// `.mustache` file (such as `layout.html.mustache`) is a partial, available to all by its file name.
public struct EmailTemplateCatalog: Sendable {
    public let directory: String
    public let names: [String]
    private let library: MustacheLibrary

    public init(directory: String) throws(TemplateCatalogError) {
        self.directory = directory
        do {
            library = try MustacheLibrary(directory: URL(fileURLWithPath: directory, isDirectory: true))
        } catch let error as MustacheParseError {
            throw TemplateCatalogError(message: "template \(error.description)")
        } catch {
            throw TemplateCatalogError(message: "cannot load templates from \(directory): \(error)")
        }
        let subjects = library.names.filter { $0.hasSuffix(".subject") }.map { String($0.dropLast(".subject".count)) }
        var names: [String] = []
        for name in subjects.sorted() {
            guard library[name + ".text"] != nil else {
                throw TemplateCatalogError(message: "template \(name) has \(name).subject.mustache but no \(name).text.mustache in \(directory)")
            }
            names.append(name)
        }
        self.names = names
    }

    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// Renders subject, text and HTML. With `strict`, any variable the templates use but `data`
    /// lacks fails the whole render, listing every missing name at once.
    public func render(_ name: String, data: MustacheValue, strict: Bool) throws(TemplateRenderError) -> RenderedEmail {
        guard contains(name) else { throw .unknownTemplate(name, available: names) }
        do {
            let subject = try library.render(name + ".subject", data, escaping: .none)
            let text = try library.render(name + ".text", data, escaping: .none)
            let html = try library[name + ".html"].map { _ in try library.render(name + ".html", data, escaping: .html) }
            if strict {
                var missing: [String] = []
                for result in [subject, text] + (html.map { [$0] } ?? []) {
                    for variable in result.missingVariables where !missing.contains(variable) { missing.append(variable) }
                }
                if !missing.isEmpty { throw TemplateRenderError.missingVariables(template: name, missing) }
            }
            return RenderedEmail(subject: Self.oneLine(subject.output), text: text.output, html: html?.output)
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
