import Foundation
import MustacheRenderer

/// The emails the service can send, parsed once from the templates folder.
///
/// `templates/<name>/` holds `subject.mustache` and `text.mustache` and/or `html.mustache`
/// (without a text template, the text part is derived from the HTML); `templates/partials/<partial>.mustache` are shared partials and layouts,
/// available to every template by file name (`{{<layout.html}}`, `{{> footer}}`).
///
/// Translations live beside them: `templates/<name>/<locale>/` holds the same files in another
/// language, and `templates/partials/<locale>/` overrides shared partials for that language (and
/// its regional variants: `partials/de/` serves `de-AT` too). The files directly in `templates/<name>/`
/// are in the default locale (`MAILER_DEFAULT_LOCALE`), which may also have a folder of its own instead.
public struct EmailTemplateCatalog: Sendable {
    public let directory: String
    public let defaultLocale: LocaleTag
    public let names: [String]
    /// Per locale: the shared partials, that locale's own, and the template versions written in it.
    private let libraries: [LocaleTag: MustacheLibrary]
    /// The locales each template is written in, the default first.
    private let versions: [String: [LocaleTag]]

    static let partialsFolder = "partials"
    static let parts = ["subject", "text", "html"]

    public init(directory: String, defaultLocale: LocaleTag = .english) throws(TemplateCatalogError) {
        self.directory = directory
        self.defaultLocale = defaultLocale
        let root = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            let partialsRoot = root.appendingPathComponent(Self.partialsFolder, isDirectory: true)
            let sharedPartials = try Self.parseFolder(partialsRoot, shownAs: Self.partialsFolder)
            var localPartials: [LocaleTag: [String: MustacheTemplate]] = [:]
            for folder in try Self.localeFolders(in: partialsRoot, shownAs: Self.partialsFolder) {
                localPartials[folder.locale] = try Self.parseFolder(folder.url, shownAs: "\(Self.partialsFolder)/\(folder.url.lastPathComponent)")
            }

            var templates: [LocaleTag: [String: MustacheTemplate]] = [:]
            var versions: [String: [LocaleTag]] = [:]
            for folder in try Self.subfolders(of: root) where folder.lastPathComponent != Self.partialsFolder {
                let name = folder.lastPathComponent
                var found: [(LocaleTag, [String: MustacheTemplate])] = []
                if let parts = try Self.parseVersion(folder, shownAs: name) {
                    found.append((defaultLocale, parts))
                }
                for localeFolder in try Self.localeFolders(in: folder, shownAs: name) {
                    let shownAs = "\(name)/\(localeFolder.url.lastPathComponent)"
                    guard let parts = try Self.parseVersion(localeFolder.url, shownAs: shownAs) else { continue }
                    if found.contains(where: { $0.0 == localeFolder.locale }) {
                        throw TemplateCatalogError(message: "template \(name) has two versions for \(localeFolder.locale): the files in \(name)/ are the default locale's (MAILER_DEFAULT_LOCALE=\(defaultLocale)) and so is \(shownAs)/; keep one of them")
                    }
                    found.append((localeFolder.locale, parts))
                }
                guard !found.isEmpty else { continue }
                guard found.contains(where: { $0.0 == defaultLocale }) else {
                    throw TemplateCatalogError(message: "template \(name) is written in \(found.map { "\($0.0)" }.joined(separator: ", ")) but not in the default locale \(defaultLocale) (MAILER_DEFAULT_LOCALE): put its files in \(name)/ or \(name)/\(defaultLocale)/, or set MAILER_DEFAULT_LOCALE")
                }
                for (locale, parts) in found {
                    for (part, template) in parts { templates[locale, default: [:]]["\(name)/\(part)"] = template }
                }
                let others = found.map(\.0).filter { $0 != defaultLocale }.sorted { "\($0)" < "\($1)" }
                versions[name] = [defaultLocale] + others
            }
            guard !versions.isEmpty else {
                throw TemplateCatalogError(message: "no templates in \(directory): expected folders such as verification/ holding subject.mustache and text.mustache")
            }

            var libraries: [LocaleTag: MustacheLibrary] = [:]
            for locale in Set(templates.keys) {
                var library = MustacheLibrary(templates: sharedPartials)
                // General before specific, so partials/de-AT/ overrides partials/de/.
                for tag in locale.fallbacks.reversed() {
                    for (name, partial) in localPartials[tag] ?? [:] { library.register(partial, named: name) }
                }
                for (name, template) in templates[locale] ?? [:] { library.register(template, named: name) }
                libraries[locale] = library
            }
            self.libraries = libraries
            self.versions = versions
            self.names = versions.keys.sorted()
        } catch let error as TemplateCatalogError {
            throw error
        } catch let error as MustacheParseError {
            throw TemplateCatalogError(message: "template \(error.description)")
        } catch {
            throw TemplateCatalogError(message: "cannot load templates from \(directory): \(error.localizedDescription)")
        }
    }

    /// The parts of one version of a template, or nil when the folder has no subject (not a template).
    private static func parseVersion(_ folder: URL, shownAs name: String) throws -> [String: MustacheTemplate]? {
        let present = Set(try mustacheFiles(in: folder).map { String($0.lastPathComponent.dropLast(".mustache".count)) })
        guard present.contains("subject") else { return nil }
        guard present.contains("text") || present.contains("html") else {
            throw TemplateCatalogError(message: "template \(name) has subject.mustache but neither text.mustache nor html.mustache in \(folder.path)")
        }
        var parsed: [String: MustacheTemplate] = [:]
        for part in parts where present.contains(part) {
            parsed[part] = try parse(folder.appendingPathComponent("\(part).mustache"), shownAs: "\(name)/\(part).mustache")
        }
        return parsed
    }

    private static func parseFolder(_ folder: URL, shownAs prefix: String) throws -> [String: MustacheTemplate] {
        var parsed: [String: MustacheTemplate] = [:]
        for file in try mustacheFiles(in: folder) {
            parsed[String(file.lastPathComponent.dropLast(".mustache".count))] = try parse(file, shownAs: "\(prefix)/\(file.lastPathComponent)")
        }
        return parsed
    }

    /// Subfolders named by a language tag. A folder of templates named otherwise is a mistake
    /// (`pt.BR`, `german`) that would silently serve the default language, so it stops loading.
    private static func localeFolders(in folder: URL, shownAs name: String) throws -> [(locale: LocaleTag, url: URL)] {
        guard FileManager.default.fileExists(atPath: folder.path) else { return [] }
        var result: [(LocaleTag, URL)] = []
        for subfolder in try subfolders(of: folder) {
            if let locale = LocaleTag(subfolder.lastPathComponent) {
                if let clash = result.first(where: { $0.0 == locale }) {
                    throw TemplateCatalogError(message: "\(name)/\(clash.1.lastPathComponent)/ and \(name)/\(subfolder.lastPathComponent)/ are the same locale \(locale); keep one")
                }
                result.append((locale, subfolder))
            } else if try !mustacheFiles(in: subfolder).isEmpty {
                throw TemplateCatalogError(message: "\(name)/\(subfolder.lastPathComponent)/ holds templates but is not named by \(LocaleTag.example)")
            }
        }
        return result
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

    public func contains(_ name: String) -> Bool { versions[name] != nil }

    /// The locales the template is written in, the default first.
    public func locales(of name: String) -> [LocaleTag] { versions[name] ?? [] }

    /// The version a request for `locale` gets: the locale itself, then shorter tags
    /// (`pt-BR` → `pt`), then the default.
    public func locale(of name: String, for locale: LocaleTag?) -> LocaleTag {
        let written = versions[name] ?? []
        return (locale?.fallbacks ?? []).first(where: written.contains) ?? defaultLocale
    }

    /// The variables the template's parts read in any of its languages, following partials and layouts.
    public func variables(of name: String) -> [String] {
        var names: [String] = []
        for locale in locales(of: name) {
            guard let library = libraries[locale] else { continue }
            for part in Self.parts where library["\(name)/\(part)"] != nil {
                for variable in library.variableNames(of: "\(name)/\(part)") where !names.contains(variable) && variable != Self.localeVariable {
                    names.append(variable)
                }
            }
        }
        return names
    }

    /// Which of subject, text and html the template has (in the default locale).
    public func parts(of name: String) -> [String] {
        Self.parts.filter { libraries[defaultLocale]?["\(name)/\($0)"] != nil }
    }

    /// Set by the catalog, not the caller: the language of the version rendered (for `<html lang>`).
    public static let localeVariable = "locale"

    /// Renders subject, text and HTML in the best locale for `locale`. With `strict`, any variable
    /// the templates use but `data` lacks fails the whole render, listing every missing name at once.
    public func render(_ name: String, locale requested: LocaleTag? = nil, data: MustacheValue, strict: Bool) throws(TemplateRenderError) -> RenderedEmail {
        guard contains(name) else { throw .unknownTemplate(name, available: names) }
        let locale = locale(of: name, for: requested)
        guard let library = libraries[locale] else { throw .renderFailed(template: name, "no templates for locale \(locale)") }
        var data = data
        if case .object(var members) = data {
            members[Self.localeVariable] = .string("\(locale)")
            data = .object(members)
        }
        /// A stopped render is a truncated body: refuse it, and before the next part costs as much.
        func render(_ part: String, escaping: MustacheEscaping) throws -> MustacheRenderResult {
            let result = try library.render("\(name)/\(part)", data, escaping: escaping)
            if let limit = result.limitReached {
                throw TemplateRenderError.renderFailed(template: name, "rendering '\(name)/\(part)' stopped: \(limit)")
            }
            return result
        }
        do {
            let subject = try render("subject", escaping: .none)
            let text = try library["\(name)/text"].map { _ in try render("text", escaping: .none) }
            let html = try library["\(name)/html"].map { _ in try render("html", escaping: .html) }
            var missing: [String] = []
            for result in [subject] + [text, html].compactMap({ $0 }) {
                for variable in result.missingVariables where !missing.contains(variable) { missing.append(variable) }
            }
            if strict, !missing.isEmpty { throw TemplateRenderError.missingVariables(template: name, missing) }
            // The catalog only admits templates with text or HTML, so one of the two is there.
            let textBody = text?.output ?? HTMLText.plainText(from: html?.output ?? "")
            return RenderedEmail(subject: Self.oneLine(subject.output), text: textBody, html: html?.output, locale: locale, missingVariables: missing)
        } catch let error as TemplateRenderError {
            throw error
        } catch {
            throw .renderFailed(template: name, "\(error)")
        }
    }

    /// A subject is one header line: template newlines and runs of space fold into single spaces.
    static func oneLine(_ text: String) -> String {
        // Most subjects are ASCII, where whitespace is six bytes: folded byte by byte, without
        // splitting into Characters (every email's subject passes here).
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
            return text.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        }
        var folded: [UInt8] = []
        folded.reserveCapacity(text.utf8.count)
        var spaceDue = false
        for byte in text.utf8 {
            if byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte) {
                spaceDue = !folded.isEmpty
                continue
            }
            if spaceDue { folded.append(UInt8(ascii: " ")) }
            spaceDue = false
            folded.append(byte)
        }
        return String(decoding: folded, as: UTF8.self)
    }
}

public struct RenderedEmail: Sendable, Equatable {
    public let subject: String
    public let text: String
    public let html: String?
    /// The language of the version rendered (the request's, a shorter tag of it, or the default).
    public var locale: LocaleTag = .english
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
