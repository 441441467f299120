import Foundation
import HTTPTypes
import Hummingbird
import SMTP

/// An RFC 9457 problem document with our stable `code`, so callers branch on codes, not prose.
public struct Problem: Error, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var title: String
    public var detail: String
    public var extra: [String: JSONValue] = [:]
    /// Headers the answer needs besides its body, such as WWW-Authenticate on a 401.
    public var headers: HTTPFields = [:]

    public init(status: HTTPResponse.Status, code: String, title: String, detail: String, extra: [String: JSONValue] = [:], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.extra = extra
        self.headers = headers
    }

    static func validation(_ field: String, _ detail: String) -> Problem {
        Problem(status: .unprocessableContent, code: "EVALIDATION", title: "Invalid request", detail: detail, extra: ["field": .string(field)])
    }

    static func delivery(_ error: SMTPError, id: String) -> Problem {
        // What a caller branches on (hint, transient, phase, smtp...); the message is the detail.
        var extra = error.jsonFields
        extra["code"] = nil
        extra["message"] = nil
        extra["id"] = .string(id)
        extra["email_status"] = .string("failed")
        return Problem(status: .badGateway, code: error.code.rawValue, title: "Email not sent", detail: error.message, extra: extra)
    }

    /// A delivery problem as the `error` of an answer that is not itself an error (a deferred email).
    var attemptError: JSONValue {
        var members = extra
        members["id"] = nil
        members["email_status"] = nil
        members["code"] = .string(code)
        members["detail"] = .string(detail)
        return .object(members)
    }

    var body: JSONValue {
        var members = extra
        members["type"] = .string("urn:mailer:problem:\(code)")
        members["title"] = .string(title)
        members["status"] = .int(status.code)
        members["detail"] = .string(detail)
        members["code"] = .string(code)
        return .object(members)
    }

    public var response: Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: body.jsonBytes)))
    }
}

extension Response {
    static func json(_ value: JSONValue, status: HTTPResponse.Status, headers extra: HTTPFields = [:]) -> Response {
        var headers = extra
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: value.jsonBytes)))
    }
}

extension Problem {
    /// How a template failure reads to the caller: always 422 ETEMPLATE, naming what to change.
    init(_ error: TemplateRenderError) {
        switch error {
        case .unknownTemplate(let name, let available):
            self.init(status: .unprocessableContent, code: "ETEMPLATE", title: "Unknown template",
                      detail: "no template named '\(name)'; available: \(available.joined(separator: ", "))",
                      extra: ["field": .string("template"), "available": .array(available.map { .string($0) })])
        case .missingVariables(let template, let missing):
            self.init(status: .unprocessableContent, code: "ETEMPLATE", title: "Missing template variables",
                      detail: "template '\(template)' uses variables the request does not provide: \(missing.joined(separator: ", ")) (add them to 'data', or send 'Prefer: lenient' to render them empty)",
                      extra: ["field": .string("data"), "missing": .array(missing.map { .string($0) })])
        case .renderFailed(let template, let detail):
            self.init(status: .unprocessableContent, code: "ETEMPLATE", title: "Template error",
                      detail: "template '\(template)' failed to render: \(detail)")
        }
    }
}
