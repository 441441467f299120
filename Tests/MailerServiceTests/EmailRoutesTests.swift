import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import NIOPosix
import SMTPTestServer
import Testing
@testable import MailerService

/// The service over real HTTP, sending to a real SMTP server on loopback.
@Suite struct EmailRoutesTests {
    @Test func verificationIsRenderedSentAndReported() async throws {
        let server = try await SMTPTestServer.start()
        let log = CapturedLog()
        try await withService(smtpPort: server.port, log: log) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "493817"}"#)
            #expect(answer.status == .ok)
            #expect(answer.json["status"] as? String == "sent")
            #expect((answer.json["smtp"] as? [String: Any])?["code"] as? Int == 250)
            let id = try #require(answer.json["id"] as? String)

            let message = try #require(try await server.waitForMessages(1).first)
            #expect(message.recipients == ["ada@example.org"])
            #expect(message.mailFrom == "no-reply@example.com")
            #expect(message.data.contains("Subject: Your Acme verification code: 493817"))
            #expect(message.data.contains("multipart/alternative"))
            #expect(message.data.contains("From: Acme <no-reply@example.com>"))

            let sent = log.records.first { $0["msg"] as? String == "email sent" }
            #expect(sent?["email_id"] as? String == id)
            #expect(sent?["template"] as? String == "verification")
            #expect(sent?["smtp_host"] as? String == "127.0.0.1")
        }
        try await server.shutdown()
    }

    @Test func theRequestsLocalePicksTheTranslation() async throws {
        let server = try await SMTPTestServer.start()
        try await withService(smtpPort: server.port) { client in
            let german = try await post(client, "/v1/emails/password-reset", #"{"to": "ada@example.org", "code": "7", "locale": "de_AT"}"#)
            #expect(german.status == .ok)
            #expect(german.json["locale"] as? String == "de", "de-AT falls back to de")
            let queued = try await post(client, "/v1/emails/invitation", #"{"to": "bob@example.org", "code": "8", "locale": "fr"}"#, prefer: nil)
            #expect(queued.status == .accepted)
            #expect(queued.json["locale"] as? String == "en", "no French version: the default")

            let messages = try await server.waitForMessages(2)
            let reset = try #require(messages.first { $0.recipients == ["ada@example.org"] })
            #expect(reset.data.contains("Content-Language: de\r\n"))
            #expect(reset.data.contains("Subject: =?utf-8?"), "German subject is encoded: \(reset.data.prefix(400))")
            #expect(reset.data.contains("Passwort zur=C3=BCcksetzen"))
            let invitation = try #require(messages.first { $0.recipients == ["bob@example.org"] })
            #expect(invitation.data.contains("Content-Language: en\r\n"))
        }
        try await server.shutdown()
    }

    @Test func withoutPreferTheAnswerIs202AndTheEmailStillArrives() async throws {
        let server = try await SMTPTestServer.start()
        try await withService(smtpPort: server.port) { client in
            let answer = try await post(client, "/v1/emails/password-reset", #"{"to": "ada@example.org", "code": "a&b c"}"#, prefer: nil)
            #expect(answer.status == .accepted)
            #expect(answer.json["status"] as? String == "queued")
            let message = try #require(try await server.waitForMessages(1).first)
            // The link's parameters are URL-encoded (quoted-printable may fold the line, so unfold first).
            let unfolded = message.data.replacingOccurrences(of: "=\r\n", with: "").replacingOccurrences(of: "=3D", with: "=")
            #expect(unfolded.contains("https://app.example.com/link/reset-password?code=a%26b%20c&email=ada%40example.org"))
        }
        try await server.shutdown()
    }

    @Test func invitationWithoutOptionalNamesStillRenders() async throws {
        let server = try await SMTPTestServer.start()
        try await withService(smtpPort: server.port) { client in
            let answer = try await post(client, "/v1/emails/invitation", #"{"to": ["bob@example.org"], "inviteUrl": "https://app.example.com/join/xyz"}"#)
            #expect(answer.status == .ok, "\(answer.json)")
            let message = try #require(try await server.waitForMessages(1).first)
            #expect(message.data.contains("Subject: You are invited to Acme"))
        }
        try await server.shutdown()
    }

    /// A transient failure keeps the email in the outbox: 202 deferred, with the attempt's error
    /// and when the next attempt comes.
    @Test func closedSMTPPortIsDeferredWithECONNREFUSEDAndLogged() async throws {
        let port = try await closedPort()
        let log = CapturedLog()
        try await withService(smtpPort: port, log: log) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
            #expect(answer.status == .accepted)
            #expect(answer.json["status"] as? String == "deferred")
            #expect((answer.json["nextAttemptAt"] as? String)?.hasPrefix("20") == true)
            let error = try #require(answer.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "ECONNREFUSED")
            #expect((error["hint"] as? String)?.isEmpty == false)
            #expect(error["transient"] as? Bool == true)
            #expect(error["phase"] as? String == "connect")
        }
        let deferred = log.records.first { $0["msg"] as? String == "email deferred" }
        #expect(deferred?["transient"] as? String == "true")
        #expect(deferred?["code"] as? String == "ECONNREFUSED")
        #expect(deferred?["hint"] as? String != nil)
        #expect(deferred?["next_attempt_at"] as? String != nil)
        #expect(log.text.contains(#""code":"ECONNREFUSED""#))
    }

    @Test func aRejectedRecipientIsPermanentAndNamed() async throws {
        var settings = SMTPTestServerConfiguration()
        settings.faults = [.rejectRecipient(code: 550, text: "5.1.1 no such user", matching: "nobody")]
        let server = try await SMTPTestServer.start(settings)
        try await withService(smtpPort: server.port) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": ["ada@example.org", "nobody@example.org"], "code": "1"}"#)
            #expect(answer.status == .badGateway)
            #expect(answer.json["code"] as? String == "EENVELOPE")
            #expect(answer.json["transient"] as? Bool == false)
            #expect(answer.json["rejectedRecipients"] as? [String] == ["nobody@example.org"])
            let smtp = answer.json["smtp"] as? [String: Any]
            #expect(smtp?["code"] as? Int == 550)
            #expect(smtp?["enhancedCode"] as? String == "5.1.1")
        }
        try await server.shutdown()
    }

    @Test func badInputIsAProblemNamingTheField() async throws {
        let port = try await closedPort()
        try await withService(smtpPort: port) { client in
            let malformed = try await post(client, "/v1/emails/verification", #"{"to": "#)
            #expect(malformed.status == .badRequest)
            #expect(malformed.json["code"] as? String == "EVALIDATION")
            #expect(malformed.contentType == "application/problem+json")

            let badAddress = try await post(client, "/v1/emails/verification", #"{"to": "not-an-address", "code": "1"}"#)
            #expect(badAddress.status == .unprocessableContent)
            #expect(badAddress.json["field"] as? String == "to")

            let secondBad = try await post(client, "/v1/emails/verification", #"{"to": ["a@example.org", "b@"], "code": "1"}"#)
            #expect(secondBad.json["field"] as? String == "to[1]")

            let missingCode = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org"}"#)
            #expect(missingCode.json["field"] as? String == "code")

            let typo = try await post(client, "/v1/emails", #"{"tempalte": "verification", "to": "a@example.org"}"#)
            #expect(typo.status == .unprocessableContent)
            #expect(typo.json["field"] as? String == "tempalte")

            let unknown = try await post(client, "/v1/emails", #"{"template": "nope", "to": "a@example.org"}"#)
            #expect(unknown.json["code"] as? String == "ETEMPLATE")

            let notObject = try await post(client, "/v1/emails/verification", "[1, 2]")
            #expect(notObject.status == .badRequest)

            let badString = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "\ud800"}"#)
            #expect(badString.status == .badRequest)
            #expect((badString.json["detail"] as? String)?.contains("code") == true, "\(badString.json)")

            // A reset link names one person: it must not go to a second one.
            let twoResets = try await post(client, "/v1/emails/password-reset", #"{"to": ["a@example.org", "b@example.org"], "code": "1"}"#)
            #expect(twoResets.status == .unprocessableContent)
            #expect(twoResets.json["field"] as? String == "to")

            let scriptLink = try await post(client, "/v1/emails", #"{"template": "password-reset", "to": "a@example.org", "data": {"link": "javascript:alert(1)"}}"#)
            #expect(scriptLink.json["field"] as? String == "data.link")

            let ftpReset = try await post(client, "/v1/emails/password-reset", #"{"to": "a@example.org", "resetUrl": "ftp://x.test/r"}"#)
            #expect(ftpReset.json["field"] as? String == "resetUrl")

            for locale in [#""../de""#, #""de\r\nBcc: x""#, "42"] {
                let badLocale = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "1", "locale": \#(locale)}"#)
                #expect(badLocale.status == .unprocessableContent, "\(locale)")
                #expect(badLocale.json["field"] as? String == "locale")
            }
        }
    }

    @Test func missingTemplateVariablesAreAllListed() async throws {
        let server = try await SMTPTestServer.start()
        try await withService(smtpPort: server.port) { client in
            let strict = try await post(client, "/v1/emails", #"{"template": "invitation", "to": "a@example.org"}"#)
            #expect(strict.status == .unprocessableContent)
            #expect(strict.json["code"] as? String == "ETEMPLATE")
            let missing = Set(strict.json["missing"] as? [String] ?? [])
            #expect(missing.isSuperset(of: ["link", "inviterName", "organizationName"]), "\(missing)")

            let lenient = try await post(client, "/v1/emails", #"{"template": "invitation", "to": "a@example.org"}"#, prefer: "lenient, wait=5")
            #expect(lenient.status == .ok, "\(lenient.json)")
        }
        try await server.shutdown()
    }

    /// Data can make a template that nests loops over one list arbitrarily expensive: the render
    /// stops at its bound and the caller is told, and nothing half-rendered is queued or sent.
    @Test func aRenderThatReachesItsBoundIsRefusedAndNothingIsSent() async throws {
        let loops = String(repeating: "{{#rows}}", count: 5) + "." + String(repeating: "{{/rows}}", count: 5)
        let templates = try templateFolder(["report/subject.mustache": "Report", "report/text.mustache": "Rows:\n\(loops)\n"])
        let server = try await SMTPTestServer.start()
        try await withService(smtpPort: server.port, ["MAILER_TEMPLATES_DIR": templates]) { client in
            let rows = (1...30).map(String.init).joined(separator: ",")  // 30⁵ = 24 million iterations
            let refused = try await post(client, "/v1/emails", #"{"template": "report", "to": "a@example.org", "data": {"rows": [\#(rows)]}}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(refused.json["code"] as? String == "ETEMPLATE")
            let detail = refused.json["detail"] as? String ?? ""
            #expect(detail.contains("'report/text' stopped") && detail.contains("stopped: the work passed 1000000 steps"), "\(detail)")

            let small = try await post(client, "/v1/emails", #"{"template": "report", "to": "a@example.org", "data": {"rows": [1, 2]}}"#)
            #expect(small.status == .ok, "\(small.json)")
            let messages = try await server.waitForMessages(1)
            #expect(messages.count == 1 && messages.first?.data.contains("Rows:\r\n................................") == true)
        }
        #expect(server.messages.count == 1)
        try await server.shutdown()
    }

    @Test func genericTemplateEndpointUsesTheCallersData() async throws {
        let server = try await SMTPTestServer.start()
        try await withService(smtpPort: server.port) { client in
            let answer = try await post(client, "/v1/emails", #"{"template": "verification", "to": "Zoë <zoe@example.org>", "data": {"code": "<b>42</b>"}}"#)
            #expect(answer.status == .ok, "\(answer.json)")
            let message = try #require(try await server.waitForMessages(1).first)
            #expect(message.data.contains("=?utf-8?"))  // the non-ASCII display name is encoded
            #expect(message.data.contains("&lt;b&gt;42&lt;/b&gt;"))  // escaped in HTML
        }
        try await server.shutdown()
    }

    @Test func healthAndUnknownRoutes() async throws {
        let port = try await closedPort()
        try await withService(smtpPort: port) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType] == "application/problem+json")
            }
        }
    }

    @Test func passwordNeverReachesTheLog() async throws {
        let port = try await closedPort()
        let log = CapturedLog()
        try await withService(smtpPort: port, ["SMTP_USERNAME": "alice", "SMTP_PASSWORD": "hunter2-secret", "SMTP_ALLOW_INSECURE_AUTH": "true"], log: log) { client in
            _ = try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#)
        }
        #expect(!log.text.contains("hunter2"))
        #expect(!log.records.isEmpty)
    }

    /// A port nobody listens on, reserved so that no parallel test's server can take it.
    private func closedPort() async throws -> Int {
        ClosedPort.reserve()
    }
}
