import Outbox

/// `paths`: every route the router serves, with what it takes and every status it answers.
extension OpenAPIDocument {
    static var paths: [String: JSONValue] {
        [
            "/healthz": ["get": operation(
                "getHealth", tag: "operations", path: "/healthz", summary: "Liveness: the process answers.",
                responses: ["200": json("Alive.", "Health")])],
            "/readyz": ["get": operation(
                "getReadiness", tag: "operations", path: "/readyz", summary: "Readiness: the service takes work.",
                responses: [
                    "200": json("Ready.", "Readiness"),
                    "503": problem("EOUTBOX: the outbox cannot store an email now; the problem says why.", schema: "NotReady"),
                ])],
            "/metrics": ["get": operation(
                "getMetrics", tag: "operations", path: "/metrics", summary: "Prometheus metrics, in the text exposition format.",
                description: "Served on MAILER_PORT unless MAILER_METRICS_PORT names a port of its own (then only there) or is `off` (nowhere).",
                responses: ["200": [
                    "description": "The metrics.",
                    "content": ["text/plain": ["schema": ["type": "string"]]],
                ]])],
            "/openapi.json": ["get": operation(
                "getOpenAPIDocument", tag: "operations", path: "/openapi.json", summary: "This document, as JSON.",
                description: "Public: it describes the API and holds no secrets, so tools can load it without a token.",
                responses: ["200": [
                    "description": "The OpenAPI document.",
                    "content": ["application/json": ["schema": ["type": "object", "additionalProperties": true, "description": "OpenAPI 3.1"]]],
                ]])],

            "/v1/emails/verification": ["post": send("sendVerificationEmail", path: "/v1/emails/verification", "A verification code.", body: "VerificationEmail")],
            "/v1/emails/password-reset": ["post": send("sendPasswordResetEmail", path: "/v1/emails/password-reset", "A password-reset link.", body: "PasswordResetEmail")],
            "/v1/emails/invitation": ["post": send("sendInvitationEmail", path: "/v1/emails/invitation", "An invitation link.", body: "InvitationEmail")],
            "/v1/emails": [
                "post": send("sendTemplateEmail", path: "/v1/emails", "Any template of the templates folder, with your data.", body: "TemplateEmail"),
                "get": operation(
                    "listEmails", tag: "outbox", path: "/v1/emails", summary: "The mail log, newest first.",
                    parameters: [
                        ["name": "status", "in": "query", "schema": OpenAPISchema.ref("EmailStatus"), "description": "Only emails in this status."],
                        ["name": "limit", "in": "query", "schema": ["type": "integer", "minimum": 1, "maximum": 500, "default": 50]],
                        ["name": "cursor", "in": "query", "schema": ["type": "string"], "description": "A previous page's `nextCursor`."],
                    ],
                    responses: outboxAnswers(["200": json("A page of emails.", "EmailPage"), "422": response("Unprocessable")])),
            ],
            "/v1/emails/{id}": [
                "parameters": [parameter("EmailID")],
                "get": operation(
                    "getEmail", tag: "outbox", path: "/v1/emails/{id}",
                    summary: "An email: status, recipients, messageId, nextAttemptAt, lastError and every attempt with its code, hint and SMTP reply.",
                    responses: outboxAnswers(["200": json("The email.", "EmailDetail"), "404": response("NotFound")])),
                "delete": operation(
                    "cancelEmail", tag: "outbox", path: "/v1/emails/{id}", summary: "Cancel an email unless it was sent (cancelling twice is fine).",
                    responses: outboxAnswers(["200": json("The cancelled email.", "EmailRecord"), "404": response("NotFound"), "409": response("Conflict")])),
            ],
            "/v1/emails/{id}/retry": ["post": operation(
                "retryEmail", tag: "outbox", path: "/v1/emails/{id}/retry", summary: "Make a deferred or failed email due now.",
                parameters: [parameter("EmailID")],
                responses: outboxAnswers(["200": json("The email, queued.", "EmailRecord"), "404": response("NotFound"), "409": response("Conflict")]))],
            "/v1/queue/flush": ["post": operation(
                "flushQueue", tag: "outbox", path: "/v1/queue/flush", summary: "Make every deferred email due now, e.g. after an outage; wakes the worker.",
                responses: outboxAnswers(["200": json("How many are due.", "FlushResult")]))],
            "/v1/queue": ["delete": operation(
                "cancelQueue", tag: "outbox", path: "/v1/queue", summary: "Cancel every queued and deferred email (sent ones are not affected).",
                parameters: [[
                    "name": "confirm", "in": "query", "required": true, "schema": OpenAPISchema.cases(["cancel-all"]),
                    "description": "Cancelling everything is not undone: without `confirm=cancel-all` the answer is 422.",
                ]],
                responses: outboxAnswers(["200": json("How many were cancelled.", "CancelAllResult"), "422": response("Unprocessable")]))],
            "/v1/queue/stats": ["get": operation(
                "getQueueStats", tag: "outbox", path: "/v1/queue/stats", summary: "Counts per status, the oldest waiting email's age, today's sent and failed (by code).",
                responses: outboxAnswers(["200": json("The counts.", "QueueStats")]))],

            "/v1/templates": ["get": operation(
                "listTemplates", tag: "templates", path: "/v1/templates",
                summary: "The template catalog: each template's parts, locales and the variables it reads.",
                responses: ["200": json("The catalog.", "TemplateCatalog"), "401": response("Unauthorized")])],
            "/v1/templates/{name}/preview": ["post": operation(
                "previewTemplate", tag: "templates", path: "/v1/templates/{name}/preview",
                summary: "Render a template leniently without sending it; `missing` lists the variables the data lacked.",
                parameters: [parameter("TemplateName")],
                body: "PreviewRequest",
                responses: [
                    "200": json("The rendered email.", "Preview"),
                    "400": response("BadRequest"), "401": response("Unauthorized"),
                    "413": response("ContentTooLarge"), "422": response("Unprocessable"),
                ])],

            "/v1/smtp/check": ["post": operation(
                "checkSMTP", tag: "smtp", path: "/v1/smtp/check",
                summary: "Walk through an SMTP session (connect, greeting, EHLO, TLS, AUTH, MAIL FROM, RCPT TO, RSET, QUIT); sends nothing.",
                body: "SMTPCheckRequest", bodyRequired: false,
                responses: [
                    "200": json("Every step passed.", "SMTPCheckReport"),
                    "400": response("BadRequest"), "401": response("Unauthorized"),
                    "413": response("ContentTooLarge"), "422": response("Unprocessable"),
                    "502": problem("A step failed: the same report, with the failed step's code and hint.", schema: "SMTPCheckProblem"),
                ])],
            "/v1/smtp/test": ["post": operation(
                "sendSMTPTest", tag: "smtp", path: "/v1/smtp/test",
                summary: "Send a short test message (not through the outbox) and answer with the server's reply and the TLS details.",
                body: "SMTPTestRequest",
                responses: [
                    "200": json("The server took it.", "SMTPTestSent"),
                    "400": response("BadRequest"), "401": response("Unauthorized"),
                    "413": response("ContentTooLarge"), "422": response("Unprocessable"),
                    "500": response("InternalError"),
                    "502": problem("Not sent, exactly like a failed delivery.", schema: "DeliveryProblem"),
                ])],
        ]
    }

    /// A public path gets `security: []` (no token), from the same list the middleware exempts.
    /// Every operation takes X-Request-ID, and every answer echoes it.
    static func operation(
        _ id: String, tag: String, path: String, summary: String, description: String? = nil,
        parameters: [JSONValue] = [], body: String? = nil, bodyRequired: Bool = true, responses: [String: JSONValue]
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "operationId": .string(id), "tags": [.string(tag)], "summary": .string(summary),
            "responses": .object(responses.mapValues(withRequestID)),
            "parameters": .array(parameters + [parameter("RequestID")]),
        ]
        if let description { members["description"] = .string(description) }
        if let body {
            members["requestBody"] = [
                "required": .bool(bodyRequired),
                "content": ["application/json": ["schema": OpenAPISchema.ref(body)]],
            ]
        }
        if PublicPaths.contains(path) { members["security"] = [] }
        return .object(members)
    }

    static func json(_ description: String, _ schema: String, headers: [String: JSONValue] = [:]) -> JSONValue {
        var members: [String: JSONValue] = [
            "description": .string(description),
            "content": ["application/json": ["schema": OpenAPISchema.ref(schema)]],
        ]
        if !headers.isEmpty { members["headers"] = .object(headers) }
        return .object(members)
    }

    /// What every outbox route can answer besides its own statuses.
    private static func outboxAnswers(_ own: [String: JSONValue]) -> [String: JSONValue] {
        own.merging([
            "401": response("Unauthorized"), "500": response("InternalError"), "503": response("OutboxUnavailable"),
        ]) { own, _ in own }
    }

    /// The four routes that accept an email share their headers and answers.
    private static func send(_ id: String, path: String, _ summary: String, body: String) -> JSONValue {
        let applied: [String: JSONValue] = ["Preference-Applied": header("PreferenceApplied")]
        return operation(
            id, tag: "emails", path: path, summary: summary,
            description: "The email is stored in the outbox and answered 202 queued; a worker sends it. With `Prefer: wait=N` the answer waits for the first attempt. Rate limits (429 ERATELIMIT with Retry-After): MAILER_RATE_LIMIT_PER_MINUTE emails per API token, MAILER_PER_RECIPIENT_PER_HOUR verification, password-reset or invitation emails per address and flow.",
            parameters: [parameter("Prefer"), parameter("IdempotencyKey")],
            body: body,
            responses: [
                "200": json("`Prefer: wait`: the SMTP server took the email.", "EmailSent", headers: applied),
                "202": json(
                    "Queued (the outcome is not known yet, or no wait was asked), or under `Prefer: wait` deferred: the first attempt failed transiently and the email is tried again at `nextAttemptAt`.",
                    "EmailAccepted", headers: applied.merging(["Idempotent-Replayed": header("IdempotentReplayed")]) { a, _ in a }),
                "400": response("BadRequest"),
                "401": response("Unauthorized"),
                "413": response("ContentTooLarge"),
                "422": response("Unprocessable"),
                "429": response("TooManyRequests"),
                "500": response("InternalError"),
                "502": problem("`Prefer: wait`: the email failed for good (a 5xx reply, or the retries gave up).", schema: "DeliveryProblem", headers: applied),
                "503": response("OutboxUnavailable"),
            ])
    }
}
