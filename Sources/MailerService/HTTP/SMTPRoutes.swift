import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MIMEMessage
import SMTP

/// `POST /v1/smtp/check` and `POST /v1/smtp/test`: the diagnostics of `mailer check-smtp` and
/// `mailer send-test` over HTTP, with the client the service sends with.
struct SMTPRoutes: Sendable {
    let configuration: MailerConfiguration
    let client: SMTPClient

    func register(on router: Router<BasicRequestContext>) {
        router.post("/v1/smtp/check") { request, context in
            await self.check(request: request, context: context)
        }
        router.post("/v1/smtp/test") { request, context in
            await self.test(request: request, context: context)
        }
    }

    /// 200 with the report when every step passed; 502 with the same report as problem+json,
    /// with the failed step's code and hint, when one failed.
    func check(request: Request, context: BasicRequestContext) async -> Response {
        do {
            // The body is optional: without one the probe's recipient is the sender.
            let body = try await EmailRoutes.readJSON(request, limit: configuration.maximumBodyBytes, emptyBody: .object([:]))
            let recipient = try Self.recipient(body, required: false) ?? configuration.sender
            let report = await SMTPDiagnostics(client: client).check(
                sender: configuration.sender.address, recipient: recipient.address, logger: context.logger
            )
            guard case .object(let members) = report.json else { return .json(report.json, status: .ok) }
            guard let failed = report.failedStep, let error = failed.error else {
                context.logger.info("smtp check passed", metadata: ["smtp_host": "\(configuration.smtp.host)"])
                return .json(report.json, status: .ok)
            }
            context.logger.notice("smtp check failed", metadata: [
                "smtp_host": "\(configuration.smtp.host)", "step": "\(failed.name.rawValue)",
                "code": "\(error.code.rawValue)", "hint": "\(error.hint)",
            ])
            return Problem(status: .badGateway, code: error.code.rawValue, title: "SMTP check failed",
                           detail: "\(failed.name.rawValue): \(error.message)", extra: members).response
        } catch {
            // Only the request can be wrong here: the check itself reports every failure.
            return error.response
        }
    }

    /// Sends a real test message: 200 `{"status": "sent", "smtp": {...}}` or 502 as a failed delivery.
    func test(request: Request, context: BasicRequestContext) async -> Response {
        let id = UUID().uuidString.lowercased()
        var logger = context.logger
        logger[metadataKey: "email_id"] = "\(id)"
        do {
            let body = try await EmailRoutes.readJSON(request, limit: configuration.maximumBodyBytes)
            guard let recipient = try Self.recipient(body, required: true) else {
                throw Problem.validation("to", "'to' is required: the address to send the test message to")
            }
            let receipt: SMTPDeliveryReceipt
            do {
                receipt = try await TestEmailSender(configuration: configuration, client: client).send(to: recipient, logger: logger)
            } catch let error as SMTPError {
                logger.notice("test message not sent", metadata: ["code": "\(error.code.rawValue)", "hint": "\(error.hint)"])
                return Problem.delivery(error, id: id).response
            } catch let error as MessageError {
                throw Problem(status: .unprocessableContent, code: "EMESSAGE", title: "Message cannot be built",
                              detail: "\(error.field): \(error.reason)", extra: ["field": .string(error.field)])
            } catch let error as TestEmailSender.SigningError {
                throw Problem(status: .internalServerError, code: "EDKIM", title: "Message cannot be signed", detail: error.detail)
            }
            logger.info("test message sent", metadata: ["recipient_domain": "\(recipient.domain)"])
            var smtp: [String: JSONValue] = [
                "code": .int(receipt.reply.code),
                "message": .string(receipt.reply.message),
                "host": .string(receipt.session.host),
                "port": .int(receipt.session.port),
                "security": .string(configuration.smtp.security.jsonName),
                "authMechanism": receipt.session.authenticationMechanism.map { .string($0.rawValue) } ?? .null,
            ]
            smtp["tls"] = receipt.tlsVersion == nil ? .null : receipt.session.tlsJSON
            return .json(.object([
                "id": .string(id), "status": .string("sent"), "to": .string(recipient.address), "smtp": .object(smtp),
            ]), status: .ok)
        } catch let problem as Problem {
            return problem.response
        } catch {
            return Problem(status: .internalServerError, code: "EINTERNAL", title: "Internal error", detail: "\(error)").response
        }
    }

    /// `{"to": "addr"}`; nothing else is accepted, so a typo in a field name is not silently ignored.
    static func recipient(_ body: JSONValue, required: Bool) throws(Problem) -> EmailAddress? {
        guard case .object(let fields) = body else {
            throw Problem(status: .badRequest, code: "EVALIDATION", title: "Invalid request",
                          detail: "the body must be a JSON object such as {\"to\": \"ada@example.com\"}, got \(body.typeName)")
        }
        for name in fields.keys.sorted() where name != "to" {
            throw UnknownField.problem(name, field: name, accepted: ["to"], otherwise: "this endpoint accepts only 'to'")
        }
        switch fields["to"] {
        case nil, .null?:
            if required { throw Problem.validation("to", "'to' is required: the address to send the test message to") }
            return nil
        case .string(let text)?:
            do {
                return try EmailAddress(parsing: text)
            } catch {
                throw Problem.validation("to", "'to' is not a valid email address (\(error.reason)): \"\(text.prefix(100))\"")
            }
        case let other?:
            throw Problem.validation("to", "'to' must be one email address as a string, got \(other.typeName)")
        }
    }
}
