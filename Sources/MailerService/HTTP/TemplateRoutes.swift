import Foundation
import HTTPTypes
import Hummingbird
import MIMEMessage

/// The template catalog over HTTP: what exists, and what an email would look like, without sending.
struct TemplateRoutes: Sendable {
    let configuration: MailerConfiguration
    let templates: TemplateStore

    func register(on router: Router<BasicRequestContext>) {
        router.get("/v1/templates") { _, _ in
            let catalog = templates.catalog
            return Response.json(.object([
                "defaultLocale": .string("\(catalog.defaultLocale)"),
                "templates": .array(catalog.names.map { name in
                    .object([
                        "name": .string(name),
                        "parts": .array(catalog.parts(of: name).map { .string($0) }),
                        "locales": .array(catalog.locales(of: name).map { .string("\($0)") }),
                        "variables": .array(catalog.variables(of: name).map { .string($0) }),
                    ])
                }),
            ]), status: .ok)
        }
        router.post("/v1/templates/:name/preview") { request, context in
            // A thrown Problem becomes problem+json in ProblemMiddleware.
            try await preview(request, name: context.parameters.get("name") ?? "")
        }
    }

    /// Renders leniently and reports what was missing, so template authors see the whole email at once.
    private func preview(_ request: Request, name: String) async throws(Problem) -> Response {
        let body = try await EmailRoutes.readJSON(request, limit: configuration.maximumBodyBytes)
        guard case .object(let fields) = body else {
            throw Problem(status: .badRequest, code: "EVALIDATION", title: "Invalid request",
                          detail: "the body must be a JSON object such as {\"data\": {\"code\": \"123456\"}}")
        }
        for key in fields.keys.sorted() where !["data", "to", "locale"].contains(key) {
            throw UnknownField.problem(key, field: key, accepted: ["data", "to", "locale"], otherwise: "preview accepts data, to, locale")
        }
        let locale = try EmailRequest.locale(fields["locale"])
        var data: [String: JSONValue] = [:]
        switch fields["data"] {
        case nil, .null?: break
        case .object(let members)?: data = members
        case let other?: throw Problem.validation("data", "'data' must be a JSON object of template variables, got \(other.typeName)")
        }
        var recipient = "recipient@example.com"
        if case .string(let text)? = fields["to"] {
            do {
                recipient = try EmailAddress(parsing: text).address
            } catch {
                throw Problem.validation("to", "'to' is not a valid email address (\(error.reason))")
            }
        }
        let rendered: RenderedEmail
        do {
            rendered = try templates.catalog.render(name, locale: locale, data: TemplateVariables.make(configuration, recipient: recipient, data: data), strict: false)
        } catch {
            throw Problem(error)
        }
        var members: [String: JSONValue] = [
            "template": .string(name),
            "locale": .string("\(rendered.locale)"),
            "subject": .string(rendered.subject),
            "text": .string(rendered.text),
            "missing": .array(rendered.missingVariables.map { .string($0) }),
        ]
        members["html"] = rendered.html.map { .string($0) } ?? .null
        return .json(.object(members), status: .ok)
    }
}
