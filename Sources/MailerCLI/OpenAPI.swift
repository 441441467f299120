import ArgumentParser
import Foundation
import MailerService

/// `mailer openapi`: the OpenAPI document the service serves at /openapi.json, printed without a
/// running service or any configuration; `swift run mailer openapi > openapi.yaml` refreshes
/// the committed copy (a test fails while it is out of date).
struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI 3.1 document of the HTTP API (what GET /openapi.json serves).",
        discussion: "Needs no configuration. The committed openapi.yaml is this command's output: swift run mailer openapi > openapi.yaml"
    )

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case yaml, json
    }

    @Option(help: "yaml (the committed openapi.yaml) or json (indented, keys sorted).")
    var format: Format = .yaml

    func run() {
        switch format {
        case .yaml:
            print(OpenAPIDocument.yaml, terminator: "")
        case .json:
            print(String(decoding: OpenAPIDocument.json.encoded(prettyPrinted: true), as: UTF8.self))
        }
    }
}
