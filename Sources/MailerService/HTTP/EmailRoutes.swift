import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Outbox
import MIMEMessage
import MustacheRenderer
import SMTP

/// `POST /v1/emails/...`: validate, render, build the message, hand it to the delivery queue.
struct EmailRoutes: Sendable {
    let configuration: MailerConfiguration
    let templates: TemplateStore
    let store: any OutboxStorage
    let worker: OutboxWorker
    let waiters: DeliveryWaiters
    let metrics: MailerMetrics
    let limits: SendingLimits

    func register(on router: Router<BasicRequestContext>) {
        let routes: [(String, EmailKind)] = [
            ("/v1/emails/verification", .verification),
            ("/v1/emails/password-reset", .passwordReset),
            ("/v1/emails/invitation", .invitation),
            ("/v1/emails", .generic),
        ]
        for (path, kind) in routes {
            router.post(RouterPath(path)) { request, context in
                await self.accept(kind, request: request, context: context)
            }
        }
    }

    func accept(_ kind: EmailKind, request: Request, context: BasicRequestContext) async -> Response {
        let id = EmailID.generate()
        let started = ContinuousClock.now
        var log = EmailRequestLog(base: context.logger, emailID: id)
        do {
            let preferences = Preferences(request.headers)
            let body = try await Self.readJSON(request, limit: configuration.maximumBodyBytes)
            let email = try EmailRequest(kind: kind, body: body, configuration: configuration)
            log.template = email.template
            let rendered = try render(email, lenient: preferences.lenient)
            log.locale = "\(rendered.locale)"
            let (mail, messageID) = try compose(email, rendered: rendered, id: id)
            let idempotencyKey = try Self.idempotencyKey(request)

            log.smtpHost = configuration.smtp.host
            let outgoing = OutgoingMessage(
                id: id, template: email.template, locale: "\(rendered.locale)", sender: mail.sender,
                recipients: mail.recipients, content: mail.content, messageID: messageID,
                requestID: context.logger[metadataKey: "request_id"].map { "\($0)" })
            let queuedAnswer = Self.queuedAnswer(id: id, locale: rendered.locale)
            // Last, so that a request refused for anything else takes nothing from the budgets. The
            // token's name is what BearerAuthMiddleware put in the log metadata; none when the API is open.
            let reservation = try limits.reserve(
                token: context.logger[metadataKey: "token_name"].map { "\($0)" } ?? "", template: email.template,
                recipients: email.recipients.map { ("to", $0.address) } + email.cc.map { ("cc", $0.address) } + email.bcc.map { ("bcc", $0.address) })
            // Registered before the email is stored, so a first attempt that ends at once is not missed.
            let handle = preferences.wait == nil ? nil : waiters.register(id)
            // With room in the worker and nothing older due, stored claimed and handed over in memory.
            let handOff = worker.reserveHandOff(bytes: outgoing.content.count)
            let result: EnqueueResult
            do {
                result = try await store.enqueue(
                    outgoing, idempotencyKey: idempotencyKey.map { IdempotencyKey($0, answer: queuedAnswer.jsonBytes) }, claimed: handOff)
            } catch {
                if handOff {
                    // A connection lost after the commit went out may have stored it all the same,
                    // claimed for a worker that will never hear of it: back to the queue (a no-op
                    // when nothing was stored), or it would wait for recovery or the lease.
                    _ = try? await store.unclaim([id])
                    worker.giveBackHandOff(bytes: outgoing.content.count)
                }
                limits.release(reservation)
                waiters.unregister(id)
                log.log(.error, "email not accepted: the outbox cannot store it", metadata: ["error": "\(error)"])
                throw Problem(status: .serviceUnavailable, code: "EOUTBOX", title: "Email not stored",
                              detail: "the outbox could not store the email (\(error)); nothing was queued, send again",
                              extra: ["hint": .string("check that the outbox database is writable and its disk not full (MAILER_DATA_DIR, or the PostgreSQL server of MAILER_DATABASE_URL)")])
            }
            if case .duplicate(let firstID, let answer) = result {
                // The first request paid; its replay queues nothing.
                if handOff { worker.giveBackHandOff(bytes: outgoing.content.count) }
                limits.release(reservation)
                waiters.unregister(id)
                log.log(.info, "duplicate request: Idempotency-Key seen before, nothing queued", metadata: ["first_email_id": "\(firstID)"])
                var headers = HTTPFields()
                headers[.contentType] = "application/json"
                headers[HTTPField.Name("Idempotent-Replayed")!] = "true"
                return Response(status: .accepted, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer)))
            }
            metrics.emailAccepted(template: email.template)
            log.log(.info, "email accepted", metadata: {
                var accepted: Logger.Metadata = [
                    "recipients": .stringConvertible(mail.recipients.count),
                    "recipient_domain": "\(email.recipients[0].domain)",
                    "duration_ms": .stringConvertible(Int((ContinuousClock.now - started).wholeMilliseconds)),
                ]
                if configuration.logRecipients { accepted["recipient_addresses"] = .array(mail.recipients.map { .string($0) }) }
                return accepted
            }())
            if handOff, case .queued(let record) = result {
                worker.handOver(ClaimedMessage(record: record, content: outgoing.content))
            } else {
                worker.wake()
            }
            guard let handle, let wait = preferences.wait else {
                return .json(queuedAnswer, status: .accepted)
            }
            defer { waiters.unregister(id) }
            return await answer(handle, wait: wait, locale: rendered.locale, queued: queuedAnswer)
        } catch let problem as Problem {
            log.log(.notice, "request refused", metadata: ["code": "\(problem.code)", "detail": "\(problem.detail)"])
            return problem.response
        } catch {
            log.log(.error, "request failed", metadata: ["error": "\(error)"])
            return Problem(status: .internalServerError, code: "EINTERNAL", title: "Internal error", detail: "\(error)").response
        }
    }

    static func queuedAnswer(id: String, locale: LocaleTag) -> JSONValue {
        .object(["id": .string(id), "status": .string("queued"), "locale": .string("\(locale)")])
    }

    /// `Idempotency-Key`: any text of 1 to 255 bytes; a retried POST with it gets the first answer.
    static func idempotencyKey(_ request: Request) throws(Problem) -> String? {
        guard let value = request.headers[HTTPField.Name("Idempotency-Key")!] else { return nil }
        guard !value.isEmpty, value.utf8.count <= IdempotencyKey.maximumLength else {
            throw Problem.validation("Idempotency-Key", "the Idempotency-Key header must be 1 to \(IdempotencyKey.maximumLength) bytes, got \(value.utf8.count)")
        }
        return value
    }

    private func answer(_ handle: DeliveryHandle, wait: Int, locale: LocaleTag, queued queuedAnswer: JSONValue) async -> Response {
        let queued = Response.json(queuedAnswer, status: .accepted)
        var applied = HTTPFields()
        applied[.preferenceApplied] = "wait=\(wait)"
        switch await handle.outcome(within: .seconds(wait)) {
        case .sent(let receipt)?:
            return .json(.object([
                "id": .string(handle.id),
                "status": .string("sent"),
                "locale": .string("\(locale)"),
                "smtp": .object(["code": .int(receipt.reply.code), "message": .string(receipt.reply.message)]),
            ]), status: .ok, headers: applied)
        case .failed(let error)?:
            var response = Problem.delivery(error, id: handle.id).response
            response.headers[.preferenceApplied] = "wait=\(wait)"
            return response
        case .deferred(let error, let nextAttempt)?:
            // Accepted and kept: the outbox tries again; the caller learns why it has not gone yet.
            return .json(.object([
                "id": .string(handle.id),
                "status": .string("deferred"),
                "locale": .string("\(locale)"),
                "nextAttemptAt": .string(nextAttempt.formatted(.iso8601)),
                "error": Problem.delivery(error, id: handle.id).attemptError,
            ]), status: .accepted, headers: applied)
        case nil:
            var response = queued
            response.headers[.preferenceApplied] = "wait=\(wait)"
            return response
        }
    }

    /// The body as JSON within MAILER_MAX_BODY_BYTES (`limit`) and `JSONLimits`. `emptyBody`: what
    /// an empty body stands for on routes whose fields are all optional; nil makes an empty body a 400.
    static func readJSON(_ request: Request, limit: Int, emptyBody: JSONValue? = nil) async throws(Problem) -> JSONValue {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw Problem(status: .contentTooLarge, code: "EMESSAGE", title: "Request too large",
                          detail: "the body is larger than MAILER_MAX_BODY_BYTES (\(limit) bytes); send smaller attachments or links to them, or raise MAILER_MAX_BODY_BYTES (attachments take 4/3 of their size in base64)")
        }
        if buffer.readableBytes == 0, let emptyBody { return emptyBody }
        guard buffer.readableBytes > 0 else {
            throw Problem(status: .badRequest, code: "EVALIDATION", title: "Invalid request",
                          detail: "the body is empty; send a JSON object such as {\"to\": \"ada@example.com\", \"code\": \"493817\"}")
        }
        try JSONLimits.checkNesting(buffer.readableBytesView)
        let value: JSONValue
        if JSONReader.looksLikeWideEncoding(buffer.readableBytesView) {
            // UTF-16 or UTF-32: JSONDecoder converts it, as it always did.
            do {
                value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
            } catch {
                throw Problem(status: .badRequest, code: "EVALIDATION", title: "Invalid request",
                              detail: "the body is not valid JSON: \(Self.describe(error))")
            }
        } else {
            let result = buffer.withUnsafeReadableBytes { bytes in
                Result { () throws(JSONReader.SyntaxError) in try JSONReader.read(bytes) }
            }
            switch result {
            case .success(let read): value = read
            case .failure(let error):
                throw Problem(status: .badRequest, code: "EVALIDATION", title: "Invalid request",
                              detail: "the body is not valid JSON: \(error)")
            }
        }
        try JSONLimits.check(value)
        return value
    }

    private static func describe(_ error: Error) -> String {
        guard case DecodingError.dataCorrupted(let context) = error else { return "\(error)" }
        if !context.codingPath.isEmpty {
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return "at \(path.hasPrefix(".") ? String(path.dropFirst()) : path): \(context.debugDescription)"
        }
        if let underlying = context.underlyingError {
            let text = "\(underlying)"
            if let range = text.range(of: "NSDebugDescription=") {
                return String(text[range.upperBound...].prefix { $0 != "}" && $0 != "," })
            }
        }
        return context.debugDescription
    }

    private func render(_ email: EmailRequest, lenient: Bool) throws(Problem) -> RenderedEmail {
        let variables = TemplateVariables.make(configuration, recipient: email.recipients[0].address, data: email.data)
        do {
            return try templates.catalog.render(email.template, locale: email.locale, data: variables, strict: !lenient)
        } catch {
            throw Problem(error)
        }
    }

    private func compose(_ email: EmailRequest, rendered: RenderedEmail, id: String) throws(Problem) -> (SMTPMail, messageID: String) {
        var message = MailMessage(
            from: configuration.sender,
            to: email.recipients,
            subject: rendered.subject,
            textBody: rendered.text,
            htmlBody: rendered.html
        )
        message.language = "\(rendered.locale)"
        message.cc = email.cc
        message.bcc = email.bcc
        message.replyTo = email.replyTo
        message.headers = email.headers
        message.attachments = email.attachments
        var content: [UInt8]
        do {
            content = try message.serialized()
        } catch {
            // What the caller supplied directly is a request error; the rest comes from templates.
            let callerField = error.field.hasPrefix("headers") || error.field.hasPrefix("attachments")
            throw Problem(status: .unprocessableContent, code: callerField ? "EVALIDATION" : "EMESSAGE",
                          title: callerField ? "Invalid request" : "Message cannot be built",
                          detail: "\(error.field): \(error.reason)", extra: ["field": .string(error.field)])
        }
        guard content.count <= configuration.maximumMessageBytes else {
            throw Problem(status: .contentTooLarge, code: "EMESSAGE", title: "Message too large",
                          detail: "the message is \(content.count) bytes, more than MAILER_MAX_MESSAGE_BYTES (\(configuration.maximumMessageBytes)); send smaller attachments or links to them")
        }
        if let dkim = configuration.dkim {
            do {
                content = try dkim.sign(content)
            } catch {
                throw Problem(status: .internalServerError, code: "EDKIM", title: "Message cannot be signed",
                              detail: "DKIM signing failed (\(error)); check DKIM_PRIVATE_KEY")
            }
        }
        return (SMTPMail(sender: configuration.sender.address, recipients: message.envelopeRecipients, content: content), message.messageID)
    }
}
