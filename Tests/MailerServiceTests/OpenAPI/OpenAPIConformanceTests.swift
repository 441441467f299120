import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMTPTestServer
import Synchronization
import Testing
@testable import MailerService

/// The OpenAPI document against the service itself: the router serves exactly the documented
/// operations, and real answers over HTTP (statuses, media types, headers, every key of every
/// JSON body, problem codes) are what the document says.
@Suite struct OpenAPIConformanceTests {
    static let model = OpenAPIModel()

    static var documented: Set<ServedRoute> {
        Set(model.operations.map { ServedRoute(method: $0.method, path: $0.path) })
    }


    @Test func routerPathsAreWrittenAsOpenAPIPaths() {
        #expect(openAPIPath("/v1/emails/:id/retry") == "/v1/emails/{id}/retry")
        #expect(openAPIPath("/v1/templates/{name}/preview") == "/v1/templates/{name}/preview")
        #expect(openAPIPath("/healthz") == "/healthz")
    }

    @Test func theRouterServesExactlyTheDocumentedOperations() async throws {
        try await withServiceAndRoutes(smtpPort: ClosedPort.reserve()) { _, served in
            #expect(served.count >= 17, "\(served)")
            for route in served.subtracting(Self.documented).sorted(by: { $0.description < $1.description }) {
                Issue.record("\(route) is served by the router but not documented in the OpenAPI document")
            }
            for route in Self.documented.subtracting(served).sorted(by: { $0.description < $1.description }) {
                Issue.record("\(route) is documented in the OpenAPI document but the router does not serve it")
            }
        }
    }

    @Test func realAnswersAreTheDocumentedOnes() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [
            .rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody@"),
            .rejectRecipient(code: 450, text: "4.2.1 mailbox busy, try later", matching: "later@"),
        ]
        let server = try await SMTPTestServer.start(settings)
        let environment = ["MAILER_RETRY_BASE_SECONDS": "600", "MAILER_MAX_MESSAGE_BYTES": "10000"]
        try await withServiceAndRoutes(smtpPort: server.port, environment) { raw, served in
            let api = Conformance(model: Self.model, client: AuthorizingClient(client: raw, token: testAPIToken))
            try await Self.exercise(api)

            // Without a token: 401 problem+json everywhere but on the public operations.
            let anonymous = Conformance(model: Self.model, client: raw, covers: false)
            for operation in Self.model.operations where served.contains(ServedRoute(method: operation.method, path: operation.path)) {
                let uri = operation.path.replacing(/\{[^}]+\}/, with: "0")
                let body = Self.model.object(of: operation)["requestBody"] == nil ? nil : "{}"
                let answer = try await anonymous.call(HTTPRequest.Method(operation.method.uppercased())!, uri, body)
                if Self.model.isPublic(operation) {
                    #expect(answer.status != 401, "\(operation) is documented as public but answered 401")
                } else {
                    #expect(answer.status == 401, "\(operation) answered \(answer.status) without a token")
                }
            }

            for finding in api.findings + anonymous.findings { Issue.record("\(finding)") }
            for route in Self.documented.intersection(served).subtracting(api.covered).sorted(by: { $0.description < $1.description }) {
                Issue.record("no request of the conformance test reaches \(route): add one to exercise(_:)")
            }
        }
        try await server.shutdown()
    }

    /// At least one real request per operation, most statuses each answers.
    static func exercise(_ api: Conformance) async throws {
        // Operations
        let health = try await api.call(.get, "/healthz")
        #expect(health.status == 200)
        let document = try await api.call(.get, "/openapi.json")
        #expect(document.status == 200)
        #expect(document.json == OpenAPIDocument.json, "GET /openapi.json serves the document")
        #expect(try await api.call(.get, "/readyz").status == 200)
        #expect(try await api.call(.get, "/metrics").status == 200)

        // Sending
        let wait: HTTPFields = [HTTPField.Name("Prefer")!: "wait=5"]
        let sent = try await api.call(.post, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "493817"}"#, wait)
        #expect(sent.status == 200)
        #expect(try await api.call(.post, "/v1/emails/password-reset", #"{"to": "ada@example.org", "code": "k3J9x"}"#, wait).status == 200)
        #expect(try await api.call(.post, "/v1/emails/invitation", #"{"to": ["bob@example.org"], "inviteUrl": "https://app.example.com/i/42", "inviterName": "Ada"}"#, wait).status == 200)
        #expect(try await api.call(.post, "/v1/emails", #"{"template": "verification", "to": "ada@example.org", "data": {"code": "1"}, "locale": "de"}"#, wait).status == 200)
        #expect(try await api.call(.post, "/v1/emails/verification", #"{"to": "ada@example.org", "code": 7}"#).status == 202)
        let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "order-42", HTTPField.Name("X-Request-ID")!: "checkout-7f3a"]
        #expect(try await api.call(.post, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "42"}"#, key).status == 202)
        let replayed = try await api.call(.post, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "42"}"#, key)
        #expect(replayed.status == 202 && replayed.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
        let deferred = try await api.call(.post, "/v1/emails/verification", #"{"to": "later@example.org", "code": "1"}"#, wait)
        #expect(deferred.status == 202 && deferred.json?.member("status") == "deferred", "\(deferred)")
        let alsoDeferred = try await api.call(.post, "/v1/emails/invitation", #"{"to": "later@example.org", "code": "2"}"#, wait)
        let failed = try await api.call(.post, "/v1/emails/password-reset", #"{"to": "nobody@example.org", "code": "3"}"#, wait)
        #expect(failed.status == 502)
        #expect(try await api.call(.post, "/v1/emails/verification", "{").status == 400)
        #expect(try await api.call(.post, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1", "bcc2": "x"}"#).status == 422)
        #expect(try await api.call(.post, "/v1/emails", #"{"template": "verification", "to": "ada@example.org"}"#).status == 422, "missing variables")
        #expect(try await api.call(.post, "/v1/emails", #"{"template": "nothing", "to": "ada@example.org"}"#).status == 422, "unknown template")
        #expect(try await api.call(.post, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#, [HTTPField.Name("Idempotency-Key")!: String(repeating: "k", count: 256)]).status == 422)
        let large = Data(repeating: 0x41, count: 12_000).base64EncodedString()
        #expect(try await api.call(.post, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1", "attachments": [{"filename": "a.bin", "contentType": "application/octet-stream", "content": "\#(large)"}]}"#).status == 413)
        // MAILER_PER_RECIPIENT_PER_HOUR (10 by default): the eleventh reset to one address.
        for _ in 1...10 {
            #expect(try await api.call(.post, "/v1/emails/password-reset", #"{"to": "storm@example.org", "code": "1"}"#).status == 202)
        }
        let limited = try await api.call(.post, "/v1/emails/password-reset", #"{"to": "storm@example.org", "code": "1"}"#)
        #expect(limited.status == 429 && limited.headers[.retryAfter] != nil, "\(limited)")

        // The outbox
        let sentID = sent.json?.member("id")?.text ?? ""
        let deferredID = deferred.json?.member("id")?.text ?? ""
        let failedID = failed.json?.member("id")?.text ?? ""
        #expect(try await api.call(.get, "/v1/emails/\(sentID)").status == 200)
        #expect(try await api.call(.get, "/v1/emails/\(failedID)").status == 200)
        #expect(try await api.call(.get, "/v1/emails/\(deferredID)").status == 200)
        #expect(try await api.call(.get, "/v1/emails/0").status == 404)
        let page = try await api.call(.get, "/v1/emails?limit=2")
        #expect(page.status == 200)
        if let cursor = page.json?.member("nextCursor")?.text {
            #expect(try await api.call(.get, "/v1/emails?cursor=\(cursor)&status=sent").status == 200)
        }
        #expect(try await api.call(.get, "/v1/emails?status=lost").status == 422)
        #expect(try await api.call(.delete, "/v1/emails/\(deferredID)").status == 200)
        #expect(try await api.call(.delete, "/v1/emails/\(sentID)").status == 409)
        #expect(try await api.call(.delete, "/v1/emails/0").status == 404)
        #expect(try await api.call(.post, "/v1/emails/\(alsoDeferred.json?.member("id")?.text ?? "")/retry").status == 200)
        #expect(try await api.call(.post, "/v1/emails/\(deferredID)/retry").status == 409, "a cancelled email is not retried")
        #expect(try await api.call(.post, "/v1/emails/0/retry").status == 404)
        #expect(try await api.call(.get, "/v1/queue/stats").status == 200)
        #expect(try await api.call(.post, "/v1/queue/flush").status == 200)
        #expect(try await api.call(.delete, "/v1/queue").status == 422)
        #expect(try await api.call(.delete, "/v1/queue?confirm=cancel-all").status == 200)

        // Templates
        #expect(try await api.call(.get, "/v1/templates").status == 200)
        #expect(try await api.call(.post, "/v1/templates/verification/preview", #"{"data": {"code": "1"}, "locale": "de"}"#).status == 200)
        #expect(try await api.call(.post, "/v1/templates/nothing/preview", "{}").status == 422)
        #expect(try await api.call(.post, "/v1/templates/verification/preview", "[").status == 400)

        // SMTP diagnostics
        #expect(try await api.call(.post, "/v1/smtp/check").status == 200)
        #expect(try await api.call(.post, "/v1/smtp/check", #"{"to": "nobody@example.org"}"#).status == 502)
        #expect(try await api.call(.post, "/v1/smtp/check", #"{"to": 1}"#).status == 422)
        #expect(try await api.call(.post, "/v1/smtp/test", #"{"to": "ada@example.org"}"#).status == 200)
        #expect(try await api.call(.post, "/v1/smtp/test", #"{"to": "nobody@example.org"}"#).status == 502)
        #expect(try await api.call(.post, "/v1/smtp/test", "{}").status == 422)
        #expect(try await api.call(.post, "/v1/smtp/test", "nope").status == 400)
    }
}

/// Sends requests and holds each answer against the document; collects what does not match.
final class Conformance: Sendable {
    struct Answer: CustomStringConvertible {
        let status: Int
        let headers: HTTPFields
        let json: JSONValue?
        var description: String { "\(status) \(json.map { String(decoding: $0.encoded(), as: UTF8.self) } ?? "")" }
    }

    let model: OpenAPIModel
    let client: any TestClientProtocol
    /// False for requests that should not count as exercising an operation (the 401 sweep).
    let covers: Bool
    private let state = Mutex<(findings: [String], covered: Set<ServedRoute>)>(([], []))

    init(model: OpenAPIModel, client: any TestClientProtocol, covers: Bool = true) {
        self.model = model
        self.client = client
        self.covers = covers
    }

    var findings: [String] { state.withLock { $0.findings } }
    var covered: Set<ServedRoute> { state.withLock { $0.covered } }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil, _ extraHeaders: HTTPFields = [:]) async throws -> Answer {
        var headers = extraHeaders
        if body != nil { headers[.contentType] = "application/json" }
        let (status, responseHeaders, bytes) = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) { response in
            (Int(response.status.code), response.headers, Data(response.body.readableBytesView))
        }
        let json = try? JSONDecoder().decode(JSONValue.self, from: bytes)
        let found = check(method, uri, status: status, headers: responseHeaders, body: bytes, json: json)
        state.withLock { $0.findings += found }
        return Answer(status: status, headers: responseHeaders, json: json)
    }

    private func check(_ method: HTTPRequest.Method, _ uri: String, status: Int, headers: HTTPFields, body: Data, json: JSONValue?) -> [String] {
        let path = String(uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        guard let operation = model.operation(method, path) else {
            return ["\(method) \(path) reaches no documented operation"]
        }
        if covers { state.withLock { _ = $0.covered.insert(ServedRoute(method: operation.method, path: operation.path)) } }
        let label = "\(operation) answered \(status)"
        guard let response = model.response(operation, status: status) else {
            return ["\(label), a status the document does not list for it (it lists \(model.statuses(operation).joined(separator: ", ")))"]
        }
        var findings: [String] = []
        var declaredHeaders = Set<String>()
        if case .object(let documented)? = response["headers"] { declaredHeaders = Set(documented.keys.map { $0.lowercased() }) }
        for name in ["Preference-Applied", "Idempotent-Replayed", "WWW-Authenticate", "X-Request-ID", "Retry-After"]
        where headers[HTTPField.Name(name)!] != nil && !declaredHeaders.contains(name.lowercased()) {
            findings.append("\(label) with the header \(name), which the document does not declare for it")
        }
        guard !body.isEmpty else { return findings }
        let mediaType = (headers[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        guard case .object(let content)? = response["content"], case .object(let media)? = content[mediaType] else {
            return findings + ["\(label) with Content-Type \(mediaType), which the document does not declare for it"]
        }
        guard mediaType.hasSuffix("json") else { return findings }
        guard let json else { return findings + ["\(label): the body is not JSON"] }
        if let schema = media["schema"] {
            findings += model.violations(json, schema).map { "\(label): \($0)" }
        }
        if mediaType == "application/problem+json", json.member("status") != .int(status) {
            findings.append("\(label): the problem's status is \(json.member("status").map { "\($0)" } ?? "missing")")
        }
        for code in Self.codes(in: json) where !ProblemCodes.all.contains(code) {
            findings.append("\(label): code \(code) is not among the codes Problem.code documents")
        }
        return findings
    }

    /// Every error code in the body: the problem's, a deferred email's `error`, attempts, steps.
    static func codes(in value: JSONValue) -> [String] {
        switch value {
        case .object(let members):
            let own: [String] = if case .string(let code)? = members["code"] { [code] } else { [] }
            return own + members.values.flatMap(codes(in:))
        case .array(let items):
            return items.flatMap(codes(in:))
        default:
            return []
        }
    }
}

extension JSONValue {
    func member(_ name: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[name]
    }

    var text: String? {
        guard case .string(let text) = self else { return nil }
        return text
    }
}
