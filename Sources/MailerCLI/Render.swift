import ArgumentParser
import Foundation
import MustacheRenderer

/// Renders one template exactly as the service would, for template authors and the spec runner.
struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a Mustache template with JSON data and print the result exactly (no newline added).",
        discussion: """
            Missing variables render as empty, as the Mustache spec says. Partials are read from DIR/<name>.mustache. \
            Exits with 65 when the template does not parse, or when rendering stops at a bound \
            (\(MustacheRenderLimits.default.summary)), printing which to standard error.
            """
    )

    @Option(name: .long, help: ArgumentHelp("The template file.", valueName: "FILE"))
    var template: String

    @Option(name: .long, help: ArgumentHelp("A JSON file holding the data: any JSON value.", valueName: "FILE.json"))
    var data: String

    @Option(name: .long, help: ArgumentHelp("Directory of partials, DIR/<name>.mustache (names are case-sensitive).", valueName: "DIR"))
    var partials: String?

    @Flag(name: .long, help: "Do not HTML-escape {{variables}} (for subjects and plain-text bodies).")
    var noEscape = false

    func run() throws {
        let source: String
        do {
            source = try String(contentsOfFile: template, encoding: .utf8)
        } catch {
            throw CLIError("cannot read template \(template): \(error.localizedDescription)")
        }
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: data))
        } catch {
            throw CLIError("cannot read data file \(data): \(error.localizedDescription)")
        }
        let value: MustacheValue
        do {
            value = try MustacheValue(json: bytes)
        } catch {
            throw CLIError("\(data) is not valid JSON: \(error)")
        }
        var library = MustacheLibrary()
        if let partials {
            do {
                library = try MustacheLibrary(directory: URL(fileURLWithPath: partials, isDirectory: true))
            } catch {
                throw CLIError("cannot load partials from \(partials): \(error)")
            }
        }
        let parsed: MustacheTemplate
        do {
            parsed = try MustacheTemplate(source: source, name: template)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode(65)  // EX_DATAERR
        }
        let result = parsed.render(value, partials: library, escaping: noEscape ? .none : .html)
        if let limit = result.limitReached {
            FileHandle.standardError.write(Data("error: \(template): rendering stopped: \(limit)\n".utf8))
            throw ExitCode(65)  // EX_DATAERR
        }
        FileHandle.standardOutput.write(Data(result.output.utf8))
    }
}
