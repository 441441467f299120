import Outbox
import SMTP

/// `components.schemas`: the request bodies and answers of the HTTP API. Enumerations come from
/// the types the answers are made of (states, outcomes, steps), so a new case shows up here
/// without anyone remembering to add it.
extension OpenAPIDocument {
    typealias Schema = OpenAPISchema

    static var schemas: [String: JSONValue] {
        var schemas: [String: JSONValue] = [:]
        schemas.merge(requestSchemas) { _, new in new }
        schemas.merge(emailAnswerSchemas) { _, new in new }
        schemas.merge(outboxSchemas) { _, new in new }
        schemas.merge(templateSchemas) { _, new in new }
        schemas.merge(smtpSchemas) { _, new in new }
        schemas.merge(problemSchemas) { _, new in new }
        schemas["Health"] = Schema.object(["status": Schema.cases(["ok"])], required: ["status"])
        schemas.merge(readinessSchemas) { _, new in new }
        return schemas
    }

    // MARK: Readiness

    private static var readinessSchemas: [String: JSONValue] {
        let report: [String: JSONValue] = [
            "checks": Schema.object([
                "templates": Schema.object([
                    "ok": Schema.boolean("Always true in a running service: start-up refuses a folder without templates, a failed reload keeps the previous ones."),
                    "count": Schema.integer("Templates loaded.", minimum: 1),
                ], required: ["ok", "count"]),
                "outbox": Schema.object([
                    "ok": Schema.boolean("A write that changes nothing was committed (one WAL page, one fsync)."),
                    "durationMs": Schema.integer(minimum: 0),
                    "detail": Schema.string("Why the outbox cannot store an email."),
                ], required: ["ok", "durationMs"]),
            ], required: ["templates", "outbox"]),
            "smtp": Schema.map(of: Schema.ref("SMTPProviderState"), description: "Per provider (`primary`, and `fallback` when SMTP_FALLBACK_HOST is set): what its connection pool last saw. Reported, never judged: accepted emails wait in the outbox through an outage."),
        ]
        return [
            "Readiness": Schema.object(
                report.merging(["status": Schema.cases(["ready"])]) { a, _ in a },
                required: ["status", "checks", "smtp"],
                description: "The service can take work: the outbox can store an email. Not ready is a 503 problem."),
            "NotReady": Schema.allOf(Schema.ref("Problem"), Schema.object(report, required: ["checks", "smtp"]),
                                     description: "EOUTBOX: the outbox cannot store an email now (`detail` says why); the same checks and SMTP report as when ready."),
            "SMTPProviderState": Schema.object([
                "host": Schema.string(),
                "port": Schema.integer(minimum: 1, maximum: 65535),
                "connectionsInUse": Schema.integer("Sessions carrying a message or being opened.", minimum: 0),
                "lastConnection": Schema.nullable(Schema.ref("SMTPConnectionAttempt")),
            ], required: ["host", "port", "connectionsInUse", "lastConnection"]),
            "SMTPConnectionAttempt": Schema.object(deliveryFields.merging([
                "ok": Schema.boolean("The session was established."),
                "at": Schema.string("When the attempt ended.", format: "date-time"),
                "durationMs": Schema.integer(minimum: 0),
                "code": Schema.string("The failure's code.", examples: ["ECONNREFUSED"]),
                "message": Schema.string("The failure's message."),
            ]) { a, _ in a }, required: ["ok", "at", "durationMs"],
               description: "The last time the pool opened a session (null until a message needed one); a failure has the fields of a failed attempt."),
        ]
    }

    // MARK: Requests

    private static var requestSchemas: [String: JSONValue] {
        let common: [String: JSONValue] = [
            "locale": Schema.ref("Locale"),
            "replyTo": Schema.described(Schema.ref("AddressList"), "Reply-To: an address or an array of them (ASCII local parts only)."),
            "headers": Schema.ref("MessageHeaders"),
            "attachments": Schema.ref("Attachments"),
        ]
        let copies: [String: JSONValue] = [
            "cc": Schema.described(Schema.ref("AddressList"), "Cc: an address or an array of them; to, cc and bcc name at most MAILER_MAX_RECIPIENTS (default 50) addresses in all."),
            "bcc": Schema.described(Schema.ref("AddressList"), "Bcc: in the SMTP envelope only, never in a header."),
        ]
        return [
            "Address": Schema.string(
                "An email address, `ada@example.com` or `Ada Lovelace <ada@example.com>`. An internationalised domain is sent in its xn-- form; a non-ASCII local part only to a server offering SMTPUTF8 (else EENVELOPE).",
                examples: ["ada@example.com", "Ada Lovelace <ada@example.com>"]),
            "Recipients": [
                "description": "`to`: an address or an array of 1 to MAILER_MAX_RECIPIENTS (default 50).",
                "oneOf": [Schema.ref("Address"), Schema.array(of: Schema.ref("Address"), minItems: 1)],
            ],
            "PersonalRecipient": [
                "description": "`to`: one address (the link in the email is personal), alone or in an array of one.",
                "oneOf": [Schema.ref("Address"), Schema.array(of: Schema.ref("Address"), minItems: 1, maxItems: 1)],
            ],
            "AddressList": [
                "oneOf": [Schema.ref("Address"), Schema.array(of: Schema.ref("Address"))],
            ],
            "Locale": Schema.string(
                "The recipient's language (BCP 47, `_` accepted): the template's version in it, else in a shorter tag of it (de-AT → de), else MAILER_DEFAULT_LOCALE. The answer's `locale` says which was used.",
                examples: ["de", "pt-BR", "pt_BR"]),
            "Code": [
                "description": "The code the email carries; a number is taken as its decimal text.",
                "oneOf": [["type": "string", "minLength": 1, "maxLength": 2048], ["type": "integer"]],
            ],
            "WebLink": Schema.string("An absolute http(s) URL without user-info (`user@`), whitespace or control characters; with MAILER_LINK_HOSTS set, its host must be listed there or be MAILER_BASE_URL's.", format: "uri", examples: ["https://app.example.com/reset/k3J9x"]),
            "MessageHeaders": [
                "type": "object",
                "description": "Extra message headers: only `X-*`, `List-Unsubscribe`, `List-Unsubscribe-Post`, `References` and `In-Reply-To`; a line break or NUL is refused (422 EVALIDATION naming the header).",
                "additionalProperties": ["type": "string"],
                "maxProperties": 20,
                "examples": [["List-Unsubscribe": "<https://app.example.com/unsubscribe>", "X-Campaign": "spring"]],
            ],
            "Attachment": Schema.object([
                "filename": Schema.string("The file name the recipient sees (non-ASCII names are sent per RFC 2231)."),
                "contentType": Schema.string(examples: ["application/pdf", "image/png"]),
                "content": ["type": "string", "contentEncoding": "base64", "description": "The file's bytes in base64."],
                "contentId": Schema.string("Shows the file inline: the HTML refers to it as `cid:<contentId>` (left@right, RFC 2392).", examples: ["logo@example.com"]),
            ], required: ["filename", "contentType", "content"], closed: true),
            "Attachments": Schema.array(of: Schema.ref("Attachment"), description: "At most 20; the whole message at most MAILER_MAX_MESSAGE_BYTES and the request body at most MAILER_MAX_BODY_BYTES (413 EMESSAGE; 1 MB by default, room for about 700 KB of files).", maxItems: 20),
            "VerificationEmail": Schema.object(
                ["to": Schema.ref("Recipients"), "code": Schema.ref("Code")].merging(common) { a, _ in a }.merging(copies) { a, _ in a },
                required: ["to", "code"], closed: true,
                description: "The `verification` template with a code."),
            "PasswordResetEmail": withCodeOrLink(Schema.object(
                ["to": Schema.ref("PersonalRecipient"), "code": Schema.ref("Code"), "resetUrl": Schema.ref("WebLink")].merging(common) { a, _ in a },
                required: ["to"], closed: true,
                description: "The `password-reset` template. " + codeOrLink(path: "/link/reset-password", field: "resetUrl")),
                link: "resetUrl"),
            "InvitationEmail": withCodeOrLink(Schema.object(
                [
                    "to": Schema.ref("PersonalRecipient"), "code": Schema.ref("Code"), "inviteUrl": Schema.ref("WebLink"),
                    "inviterName": ["type": "string", "maxLength": .int(EmailRequest.maximumNameLength), "description": "Who invites, shown in the email as text: one line, no control characters, nothing link-like (`://`, `www.`)."],
                    "organizationName": ["type": "string", "maxLength": .int(EmailRequest.maximumNameLength), "description": "What the recipient is invited to; the same rules as inviterName."],
                ].merging(common) { a, _ in a },
                required: ["to"], closed: true,
                description: "The `invitation` template. " + codeOrLink(path: "/link/user-invitation", field: "inviteUrl")),
                link: "inviteUrl"),
            "TemplateEmail": Schema.object(
                [
                    "template": ["type": "string", "minLength": 1, "description": "A folder of the templates directory.", "examples": ["verification"]],
                    "to": Schema.ref("Recipients"),
                    "data": Schema.map(of: true, description: "The template's variables, rendered as text (HTML-escaped in the HTML part), never as template code; `link`, `resetUrl` and `inviteUrl` are checked as links (WebLink)."),
                ].merging(common) { a, _ in a }.merging(copies) { a, _ in a },
                required: ["template", "to"], closed: true,
                description: "Any template of the templates folder with your data. Rendered strictly: variables the data lacks are a 422 ETEMPLATE listing them, unless `Prefer: lenient`."),
            "PreviewRequest": Schema.object([
                "data": Schema.map(of: true, description: "The template's variables."),
                "to": Schema.described(Schema.ref("Address"), "The recipient the template sees as `to` and `email` (default recipient@example.com)."),
                "locale": Schema.ref("Locale"),
            ], closed: true),
            "SMTPCheckRequest": Schema.object(
                ["to": Schema.described(Schema.ref("Address"), "Probe RCPT TO with this address instead of SMTP_SENDER.")],
                closed: true, description: "Optional: an empty body probes with SMTP_SENDER."),
            "SMTPTestRequest": Schema.object(
                ["to": Schema.described(Schema.ref("Address"), "Where the test message goes.")],
                required: ["to"], closed: true),
        ]
    }

    private static func codeOrLink(path: String, field: String) -> String {
        "`code` builds the link MAILER_BASE_URL\(path)?code=…&email=…; or give your own link as `\(field)`. One of the two is required."
    }

    private static func withCodeOrLink(_ schema: JSONValue, link: String) -> JSONValue {
        guard case .object(var members) = schema else { return schema }
        members["anyOf"] = [["required": ["code"]], ["required": .array([.string(link)])]]
        return .object(members)
    }

    // MARK: Answers to an email

    private static var emailAnswerSchemas: [String: JSONValue] {
        let locale = Schema.string("The language of the version rendered.", examples: ["en"])
        return [
            "EmailID": Schema.string("A time-ordered UUID (version 7): later emails have larger ids.", format: "uuid", examples: ["019ad2c4-8f3e-7b21-9c4d-5e6f7a8b9c0d"]),
            "EmailQueued": Schema.object(
                ["id": Schema.ref("EmailID"), "status": Schema.cases(["queued"]), "locale": locale],
                required: ["id", "status", "locale"],
                description: "Stored in the outbox; a worker sends it and retries transient failures."),
            "EmailSent": Schema.object([
                "id": Schema.ref("EmailID"), "status": Schema.cases(["sent"]), "locale": locale,
                "smtp": Schema.object(["code": Schema.integer("The reply code, e.g. 250."), "message": Schema.string()], required: ["code", "message"], description: "The server's reply to the message."),
            ], required: ["id", "status", "locale", "smtp"]),
            "EmailDeferred": Schema.object([
                "id": Schema.ref("EmailID"), "status": Schema.cases(["deferred"]), "locale": locale,
                "nextAttemptAt": Schema.string(format: "date-time"),
                "error": Schema.ref("AttemptError"),
            ], required: ["id", "status", "locale", "nextAttemptAt", "error"],
               description: "The first attempt failed transiently (4xx, timeout, lost connection; also EAUTH and ECERT, which wait for the configuration to be fixed): the email stays queued."),
            "EmailAccepted": [
                "oneOf": [Schema.ref("EmailQueued"), Schema.ref("EmailDeferred")],
                "discriminator": ["propertyName": "status", "mapping": ["queued": "#/components/schemas/EmailQueued", "deferred": "#/components/schemas/EmailDeferred"]],
            ],
            "SMTPReply": Schema.object([
                "code": Schema.integer("The reply code.", minimum: 200, maximum: 599),
                "message": Schema.string("The reply's text."),
                "enhancedCode": Schema.string("RFC 3463", examples: ["5.1.1"]),
                "command": Schema.string("The command it answered.", examples: ["RCPT TO"]),
            ], required: ["code", "message"], description: "What the SMTP server answered."),
            "AttemptError": Schema.object(deliveryFields.merging([
                "code": Schema.string("A stable code: see Problem.code.", examples: ["ECONNREFUSED"]),
                "detail": Schema.string(),
            ]) { a, _ in a }, required: ["code", "detail", "hint", "transient"],
               description: "Why an attempt failed, with the same fields as a 502 problem."),
        ]
    }

    /// What a caller branches on after a failed attempt; shared by the 502 problem, a deferred
    /// email's `error` and a failed check step.
    static var deliveryFields: [String: JSONValue] {
        [
            "hint": Schema.string("The likely fix."),
            "transient": Schema.boolean("True for 4xx replies, timeouts and lost connections: trying again may work."),
            "phase": Schema.string("Where in the session: " + SMTPPhase.allCases.map(\.rawValue).joined(separator: ", ") + ".", examples: ["RCPT TO"]),
            "smtp": Schema.ref("SMTPReply"),
            "rejectedRecipients": Schema.array(of: Schema.string(), description: "EENVELOPE: every refused recipient; nothing was sent to the others."),
            "tlsReason": Schema.string("ETLS: why TLS failed.", examples: ["wrong version number"]),
        ]
    }

    // MARK: The outbox

    private static var outboxSchemas: [String: JSONValue] {
        let time = Schema.string(format: "date-time")
        let counts = Dictionary(uniqueKeysWithValues: MessageState.allCases.map { ($0.rawValue, Schema.integer(minimum: 0)) })
        return [
            "EmailStatus": Schema.cases(MessageState.allCases.map(\.rawValue)),
            "EmailRecord": Schema.object([
                "id": Schema.ref("EmailID"),
                "status": Schema.ref("EmailStatus"),
                "template": Schema.string(),
                "locale": Schema.string(),
                "recipients": Schema.array(of: Schema.string(), description: "Every envelope recipient (to, cc, bcc)."),
                "messageId": Schema.string("The Message-ID header, the same on every attempt."),
                "size": Schema.integer("The message's size in bytes.", minimum: 0),
                "attempts": Schema.integer(minimum: 0),
                "createdAt": time,
                "updatedAt": time,
                "nextAttemptAt": Schema.string(format: "date-time", nullable: true),
                "sentAt": Schema.string(format: "date-time", nullable: true),
                "lastError": Schema.string("The code and message of the last failure.", nullable: true),
                "provider": Schema.string("The provider that took it, or made the last attempt.", examples: [ProviderName.primary.rawValue, ProviderName.fallback.rawValue], nullable: true),
                "requestId": Schema.string("The X-Request-ID it was posted with (null for emails stored before request ids were).", nullable: true),
            ], required: ["id", "status", "template", "locale", "recipients", "messageId", "size", "attempts", "createdAt", "updatedAt",
                          "nextAttemptAt", "sentAt", "lastError", "provider", "requestId"],
               description: "An email in the outbox; kept MAILER_RETENTION_DAYS after it is done."),
            "EmailDetail": Schema.allOf(Schema.ref("EmailRecord"), Schema.object(
                ["attemptLog": Schema.array(of: Schema.ref("Attempt"))], required: ["attemptLog"])),
            "Attempt": Schema.object([
                "number": Schema.integer(minimum: 1),
                "startedAt": time,
                "finishedAt": time,
                "outcome": Schema.cases(AttemptOutcome.allCases.map(\.rawValue)),
                "provider": Schema.string(examples: [ProviderName.primary.rawValue, ProviderName.fallback.rawValue]),
                "code": Schema.string(nullable: true),
                "hint": Schema.string(nullable: true),
                "detail": Schema.string(nullable: true),
                "smtp": Schema.ref("SMTPReply"),
            ], required: ["number", "startedAt", "finishedAt", "outcome", "provider", "code", "hint", "detail"]),
            "EmailPage": Schema.object([
                "emails": Schema.array(of: Schema.ref("EmailRecord"), description: "Newest first."),
                "nextCursor": Schema.string("Pass as `cursor` for the next page; null on the last one.", nullable: true),
            ], required: ["emails", "nextCursor"]),
            "FlushResult": Schema.object(["flushed": Schema.integer("How many deferred emails are due now.", minimum: 0)], required: ["flushed"]),
            "CancelAllResult": Schema.object(["cancelled": Schema.integer("How many queued and deferred emails were cancelled.", minimum: 0)], required: ["cancelled"]),
            "QueueStats": Schema.object([
                "counts": Schema.object(counts, required: MessageState.allCases.map(\.rawValue), description: "Emails per status."),
                "oldestPendingSeconds": Schema.integer("Age of the oldest queued or deferred email.", minimum: 0, nullable: true),
                "sentToday": Schema.integer(minimum: 0),
                "failedToday": Schema.integer(minimum: 0),
                "failedTodayByCode": Schema.map(of: Schema.integer(minimum: 0), description: "Today's failures per error code."),
            ], required: ["counts", "oldestPendingSeconds", "sentToday", "failedToday", "failedTodayByCode"]),
        ]
    }

    // MARK: Templates

    private static var templateSchemas: [String: JSONValue] {
        [
            "TemplateCatalog": Schema.object([
                "defaultLocale": Schema.string(examples: ["en"]),
                "templates": Schema.array(of: Schema.object([
                    "name": Schema.string(),
                    "parts": Schema.array(of: Schema.cases(EmailTemplateCatalog.parts)),
                    "locales": Schema.strings,
                    "variables": Schema.array(of: Schema.string(), description: "What the template reads, layouts and partials included, in every language."),
                ], required: ["name", "parts", "locales", "variables"])),
            ], required: ["defaultLocale", "templates"]),
            "Preview": Schema.object([
                "template": Schema.string(),
                "locale": Schema.string(),
                "subject": Schema.string(),
                "text": Schema.string(),
                "html": Schema.string(nullable: true),
                "missing": Schema.array(of: Schema.string(), description: "Variables the data lacked, rendered empty."),
            ], required: ["template", "locale", "subject", "text", "html", "missing"]),
        ]
    }

    // MARK: SMTP diagnostics

    private static var smtpSchemas: [String: JSONValue] {
        let securities = [SMTPClientConfiguration.Security.startTLSWhenOffered, .implicitTLS, .plaintext].map(\.jsonName)
        return [
            "SMTPSecurity": Schema.cases(securities),
            "TLSSession": Schema.object([
                "version": Schema.string(examples: ["TLSv1.3"], nullable: true),
                "cipher": Schema.string(nullable: true),
                "certificate": Schema.object([
                    "subject": Schema.string(), "issuer": Schema.string(),
                    "notBefore": Schema.string(format: "date-time"), "notAfter": Schema.string(format: "date-time"),
                    "dnsNames": Schema.strings,
                ], required: ["subject", "issuer", "notBefore", "notAfter", "dnsNames"]),
            ], required: ["version", "cipher"]),
            "SMTPCheckReport": Schema.object([
                "ok": Schema.boolean("True when every step passed."),
                "server": Schema.object(["host": Schema.string(), "port": Schema.integer()], required: ["host", "port"]),
                "security": Schema.ref("SMTPSecurity"),
                "probe": Schema.object(["from": Schema.string(), "to": Schema.string()], required: ["from", "to"]),
                "durationMs": Schema.integer(minimum: 0),
                "steps": Schema.array(of: Schema.ref("SMTPCheckStep")),
                "extensions": Schema.array(of: Schema.string(), description: "What the server announced in EHLO."),
                "authMechanism": Schema.string(nullable: true),
                "tls": Schema.nullable(Schema.ref("TLSSession")),
                "failedStep": Schema.string("The step that failed."),
                "code": Schema.string("The failed step's code."),
                "hint": Schema.string("The failed step's hint."),
            ], required: ["ok", "server", "security", "probe", "durationMs", "steps", "extensions", "authMechanism", "tls"]),
            "SMTPCheckStep": Schema.object(deliveryFields.merging([
                "name": Schema.cases(SMTPCheckStep.Name.allCases.map(\.rawValue)),
                "status": Schema.cases(["passed", "failed", "skipped"]),
                "ok": Schema.boolean(),
                "durationMs": Schema.integer(minimum: 0, nullable: true),
                "detail": Schema.strings,
                "code": Schema.string("The failure's code."),
                "message": Schema.string("The failure's message."),
            ]) { a, _ in a }, required: ["name", "status", "ok", "durationMs", "detail"]),
            "SMTPCheckProblem": Schema.allOf(Schema.ref("Problem"), Schema.ref("SMTPCheckReport"),
                                        description: "A failed check: the report, as problem+json with the failed step's code and hint."),
            "SMTPTestSent": Schema.object([
                "id": Schema.string(format: "uuid"),
                "status": Schema.cases(["sent"]),
                "to": Schema.string(),
                "smtp": Schema.object([
                    "code": Schema.integer(), "message": Schema.string(), "host": Schema.string(), "port": Schema.integer(),
                    "security": Schema.ref("SMTPSecurity"), "authMechanism": Schema.string(nullable: true), "tls": Schema.nullable(Schema.ref("TLSSession")),
                ], required: ["code", "message", "host", "port", "security", "authMechanism", "tls"]),
            ], required: ["id", "status", "to", "smtp"]),
        ]
    }

    // MARK: Problems

    private static var problemSchemas: [String: JSONValue] {
        let codes = (ProblemCodes.smtp.map { "- `\($0.code)` (SMTP): \($0.meaning)" } + ProblemCodes.http.map { "- `\($0.code)`: \($0.meaning)" })
            .joined(separator: "\n")
        return [
            "Problem": Schema.object([
                "type": Schema.string("`urn:mailer:problem:<code>`.", format: "uri", examples: ["urn:mailer:problem:EVALIDATION"]),
                "title": Schema.string(),
                "status": Schema.integer("The HTTP status.", minimum: 400, maximum: 599),
                "detail": Schema.string("What went wrong and what to change, for people."),
                "code": Schema.string("A stable code to branch on (codes are added, never renamed):\n" + codes, examples: ["EVALIDATION", "ECONNREFUSED"]),
                "field": Schema.string("EVALIDATION, ETEMPLATE: the request field at fault.", examples: ["to", "attachments[0].content"]),
                "hint": Schema.string("The likely fix."),
                "available": Schema.array(of: Schema.string(), description: "ETEMPLATE for an unknown template: the templates there are."),
                "missing": Schema.array(of: Schema.string(), description: "ETEMPLATE: the variables the request lacks."),
            ], required: ["type", "title", "status", "detail", "code"],
               description: "RFC 9457 problem details (application/problem+json) with a stable `code`."),
            "DeliveryProblem": Schema.allOf(Schema.ref("Problem"), Schema.object(deliveryFields.merging([
                "id": Schema.string("The email's id (or the test message's).", format: "uuid"),
                "email_status": Schema.cases(["failed"]),
            ]) { a, _ in a }, required: ["id", "email_status", "hint", "transient"]),
               description: "The email failed for good (a 5xx reply): `code`, `hint`, `transient`, `phase` and, when the server answered, `smtp`."),
        ]
    }
}
