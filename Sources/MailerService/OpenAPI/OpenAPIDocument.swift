import Hummingbird
import MustacheRenderer

/// The OpenAPI 3.1 description of the HTTP API, written once in Swift: `GET /openapi.json`
/// serves it, `mailer openapi` prints it as YAML (the committed `openapi.yaml`), and the
/// conformance tests hold it against the router and against real answers.
public enum OpenAPIDocument {
    /// The version of this description: bumped when the API changes, not with every release.
    static let version = "1.0.0"

    public static let json: JSONValue = [
        "openapi": "3.1.0",
        "info": [
            "title": "mailer",
            "version": .string(version),
            "summary": "Transactional email over HTTP: verification, password-reset and invitation emails (or any template) through any SMTP server.",
            "description": .string("""
                Every accepted email is first written to the outbox, then sent by a worker that retries transient failures. \
                Failures are RFC 9457 problem+json documents with a stable `code` and a `hint`. \
                Every route except \(PublicPaths.all.sorted().joined(separator: ", ")) needs `Authorization: Bearer <token>` \
                with a token from MAILER_API_TOKENS (without it, the service logs a generated token at start-up).
                """),
        ],
        "servers": [["url": "http://localhost:8080", "description": "docker compose up (MAILER_PORT)"]],
        "security": [["bearerAuth": []]],
        "tags": [
            ["name": "emails", "description": "Send an email."],
            ["name": "outbox", "description": "The mail log and the queue: what happened to an email, retry, cancel, flush, counts."],
            ["name": "templates", "description": "The template catalog and previews."],
            ["name": "smtp", "description": "SMTP diagnostics with the service's own client."],
            ["name": "operations", "description": "Probes, metrics and this document; no token needed."],
        ],
        "paths": .object(paths),
        "components": [
            "securitySchemes": [
                "bearerAuth": [
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A token from MAILER_API_TOKENS (`name:token` entries; the name is logged, never the token).",
                ],
            ],
            "schemas": .object(schemas),
            "parameters": .object(parameters),
            "headers": .object(headers),
            "responses": .object(responses),
        ],
    ]

    /// As `openapi.yaml` holds it.
    public static var yaml: String { YAMLEmitter.emit(json) }

    // MARK: Reusable parts

    static func parameter(_ name: String) -> JSONValue { ["$ref": .string("#/components/parameters/\(name)")] }
    static func response(_ name: String) -> JSONValue { ["$ref": .string("#/components/responses/\(name)")] }
    static func header(_ name: String) -> JSONValue { ["$ref": .string("#/components/headers/\(name)")] }

    private static var parameters: [String: JSONValue] {
        [
            "EmailID": ["name": "id", "in": "path", "required": true, "schema": OpenAPISchema.ref("EmailID")],
            "TemplateName": ["name": "name", "in": "path", "required": true, "schema": ["type": "string"], "description": "A template folder's name.", "example": "verification"],
            "Prefer": [
                "name": "Prefer", "in": "header",
                "description": "RFC 7240. `wait=N` (N ≤ \(Preferences.maximumWait) seconds): wait for the first attempt and answer 200 sent, 202 deferred or 502; `lenient`: render missing template variables empty instead of answering 422.",
                "schema": ["type": "string"],
                "examples": ["wait": ["value": "wait=10"], "lenient": ["value": "lenient"], "both": ["value": "wait=10, lenient"]],
            ],
            "RequestID": [
                "name": "X-Request-ID", "in": "header",
                "description": "The caller's id for this request (visible ASCII without quotes or backslashes, at most \(RequestIDMiddleware<BasicRequestContext>.maximumLength) characters; anything else is replaced by one the service makes): logged as `request_id` with the request and every delivery attempt, stored as the email's `requestId`, and echoed in the answer.",
                "schema": ["type": "string", "minLength": 1, "maxLength": .int(RequestIDMiddleware<BasicRequestContext>.maximumLength)],
            ],
            "IdempotencyKey": [
                "name": "Idempotency-Key", "in": "header",
                "description": "Makes a retried POST answer the first request's 202 (with `Idempotent-Replayed: true`) and queue nothing, for MAILER_IDEMPOTENCY_TTL. 1 to 255 bytes (422 EVALIDATION otherwise).",
                "schema": ["type": "string", "minLength": 1, "maxLength": 255],
            ],
        ]
    }

    private static var headers: [String: JSONValue] {
        [
            "PreferenceApplied": ["description": "The `wait` preference honoured.", "schema": ["type": "string", "examples": ["wait=10"]]],
            "IdempotentReplayed": ["description": "`true` on the replay of a request with an Idempotency-Key already seen: nothing was queued.", "schema": OpenAPISchema.cases(["true"])],
            "RequestID": ["description": "The request's X-Request-ID, or the id the service made for it.", "schema": ["type": "string"]],
            "RetryAfter": ["description": "Whole seconds after which the request goes through.", "schema": ["type": "integer", "minimum": 1]],
            "WWWAuthenticate": ["description": "The scheme to use.", "schema": ["type": "string", "examples": ["Bearer realm=\"mailer\""]]],
        ]
    }

    static func problem(_ description: String, schema: String = "Problem", headers: [String: JSONValue] = [:]) -> JSONValue {
        var members: [String: JSONValue] = [
            "description": .string(description),
            "content": ["application/problem+json": ["schema": OpenAPISchema.ref(schema)]],
        ]
        if !headers.isEmpty { members["headers"] = .object(headers) }
        return .object(members)
    }

    /// Every answer carries X-Request-ID (the outermost middleware sets it), whatever the route.
    static func withRequestID(_ response: JSONValue) -> JSONValue {
        guard case .object(var members) = response, members["$ref"] == nil else { return response }
        var headers: [String: JSONValue] = [:]
        if case .object(let own)? = members["headers"] { headers = own }
        headers["X-Request-ID"] = header("RequestID")
        members["headers"] = .object(headers)
        return .object(members)
    }

    private static var responses: [String: JSONValue] {
        let responses: [String: JSONValue] = [
            "BadRequest": problem("EVALIDATION: the body is empty, not JSON or not a JSON object."),
            "TooManyRequests": problem("ERATELIMIT: MAILER_RATE_LIMIT_PER_MINUTE for this API token, or MAILER_PER_RECIPIENT_PER_HOUR for an address and flow (`field` names the address list), is reached; send again after Retry-After seconds.",
                                       headers: ["Retry-After": header("RetryAfter")]),
            "Unauthorized": problem("EUNAUTHORIZED: no valid bearer token; the detail says whether the header is missing, not Bearer, or the token unknown.",
                                    headers: ["WWW-Authenticate": header("WWWAuthenticate")]),
            "NotFound": problem("ENOTFOUND: no email with this id (emails are kept MAILER_RETENTION_DAYS after they are done)."),
            "Conflict": problem("ESTATE: the email's status forbids this (a sent email cannot be cancelled, a queued one not retried)."),
            "ContentTooLarge": problem("EMESSAGE: the body is larger than MAILER_MAX_BODY_BYTES, or the message built from it than MAILER_MAX_MESSAGE_BYTES."),
            "Unprocessable": problem("EVALIDATION: an invalid, missing or unknown field (`field` names it, e.g. `data.items[3].name`), including a body nested more than \(JSONLimits.maximumDepth) deep, a string longer than \(JSONLimits.maximumStringLength) characters (attachment content aside) or an object or array of more than \(JSONLimits.maximumMembers) members; ETEMPLATE: an unknown template (`available`), missing variables (`missing`), or a render of one part that reached a bound (\(MustacheRenderLimits.default.summary); `detail` names the part and the bound)."),
            "InternalError": problem("EINTERNAL: an unexpected error (the log has details); EDKIM: the message could not be signed."),
            "OutboxUnavailable": problem("EOUTBOX: the outbox cannot store or read emails (`hint`: MAILER_DATA_DIR writable, disk not full)."),
        ]
        return responses.mapValues(withRequestID)
    }
}
