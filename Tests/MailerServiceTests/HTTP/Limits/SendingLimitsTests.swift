import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SMTPTestServer
import Testing
@testable import MailerService

/// MAILER_PER_RECIPIENT_PER_HOUR and MAILER_RATE_LIMIT_PER_MINUTE through the HTTP API. The SMTP
/// port is closed: emails are queued (202) and never leave, which is all these tests need.
@Suite struct SendingLimitsTests {
    struct Reply {
        let status: HTTPResponse.Status
        let retryAfter: String?
        let json: [String: Any]
    }

    static func send(_ client: any TestClientProtocol, _ path: String, _ body: String, headers extra: HTTPFields = [:]) async throws -> Reply {
        var headers = extra
        headers[.contentType] = "application/json"
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body)) { response in
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return Reply(status: response.status, retryAfter: response.headers[.retryAfter], json: json)
        }
    }

    static func reset(_ address: String) -> String { #"{"to": "\#(address)", "code": "k3J9x"}"# }

    @Test func theEleventhResetToOneAddressInAnHourIs429WhileOthersStillGo() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            for number in 1...10 {
                let answer = try await Self.send(client, "/v1/emails/password-reset", Self.reset("ada@example.org"))
                #expect(answer.status == .accepted, "reset \(number): \(answer.json)")
            }
            let refused = try await Self.send(client, "/v1/emails/password-reset", Self.reset("ada@example.org"))
            #expect(refused.status == .tooManyRequests)
            #expect(refused.json["code"] as? String == "ERATELIMIT")
            #expect(refused.json["field"] as? String == "to")
            #expect((refused.json["detail"] as? String)?.contains("MAILER_PER_RECIPIENT_PER_HOUR") == true)
            // 3600 s / 10: the next one in six minutes.
            let retryAfter = try #require(refused.retryAfter.flatMap { Int($0) })
            #expect((1...360).contains(retryAfter), "\(refused.retryAfter ?? "none")")

            // The same address however it is written; the generic route is no way round it.
            #expect(try await Self.send(client, "/v1/emails/password-reset", Self.reset("ADA@Example.org")).status == .tooManyRequests)
            let generic = #"{"template": "password-reset", "to": "ada@example.org", "data": {"link": "https://app.example.com/r"}}"#
            #expect(try await Self.send(client, "/v1/emails", generic).status == .tooManyRequests)

            // Another address, and another flow to the same address, still go.
            #expect(try await Self.send(client, "/v1/emails/password-reset", Self.reset("bob@example.org")).status == .accepted)
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#).status == .accepted)
            #expect(try await Self.send(client, "/v1/emails/invitation", #"{"to": "ada@example.org", "code": "1"}"#).status == .accepted)
        }
    }

    @Test func refusedRequestsAndReplaysTakeNothingFromTheBudget() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            for _ in 1...20 {
                let invalid = try await Self.send(client, "/v1/emails/password-reset", #"{"to": "ada@example.org", "resetUrl": "ftp://x.example/r"}"#)
                #expect(invalid.status == .unprocessableContent)
            }
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "reset-ada-1"]
            #expect(try await Self.send(client, "/v1/emails/password-reset", Self.reset("ada@example.org"), headers: key).status == .accepted)
            for _ in 1...20 {
                let replay = try await Self.send(client, "/v1/emails/password-reset", Self.reset("ada@example.org"), headers: key)
                #expect(replay.status == .accepted)
            }
            for number in 2...10 {
                let answer = try await Self.send(client, "/v1/emails/password-reset", Self.reset("ada@example.org"))
                #expect(answer.status == .accepted, "reset \(number): \(answer.json)")
            }
            #expect(try await Self.send(client, "/v1/emails/password-reset", Self.reset("ada@example.org")).status == .tooManyRequests)
        }
    }

    @Test func zeroTurnsThePerRecipientLimitOff() async throws {
        try await withService(smtpPort: ClosedPort.reserve(), ["MAILER_PER_RECIPIENT_PER_HOUR": "0"]) { client in
            for number in 1...15 {
                let answer = try await Self.send(client, "/v1/emails/password-reset", Self.reset("ada@example.org"))
                #expect(answer.status == .accepted, "reset \(number)")
            }
        }
    }

    @Test func thePerTokenLimitRefusesThenRecoversAsTimePasses() async throws {
        let clock = ManualClock()
        let environment = [
            "MAILER_RATE_LIMIT_PER_MINUTE": "3", "MAILER_PER_RECIPIENT_PER_HOUR": "0",
            "MAILER_API_TOKENS": "tests:\(testAPIToken),other:other-token-0123456789",
        ]
        try await withService(smtpPort: ClosedPort.reserve(), environment, clock: { clock.now }) { client in
            for number in 1...3 {
                #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "u\#(number)@example.org", "code": "1"}"#).status == .accepted)
            }
            let refused = try await Self.send(client, "/v1/emails/verification", #"{"to": "u4@example.org", "code": "1"}"#)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.json["code"] as? String == "ERATELIMIT")
            #expect(refused.retryAfter == "20", "60 s / 3")
            let detail = refused.json["detail"] as? String ?? ""
            #expect(detail.contains("MAILER_RATE_LIMIT_PER_MINUTE") && detail.contains("'tests'"), "\(detail)")
            // Invalid requests are not counted, and are still answered as such.
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "u4@example.org"}"#).status == .unprocessableContent)

            // Another token has its own budget.
            let other: HTTPFields = [.authorization: "Bearer other-token-0123456789"]
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "u5@example.org", "code": "1"}"#, headers: other).status == .accepted)

            clock.advance(.seconds(19))
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "u4@example.org", "code": "1"}"#).retryAfter == "1")
            clock.advance(.seconds(1))
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "u4@example.org", "code": "1"}"#).status == .accepted)
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "u6@example.org", "code": "1"}"#).status == .tooManyRequests)
            clock.advance(.seconds(60))
            for number in 7...9 {
                #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "u\#(number)@example.org", "code": "1"}"#).status == .accepted)
            }
        }
    }

    @Test func withoutAuthenticationAllCallersShareOneBudget() async throws {
        let environment = ["MAILER_RATE_LIMIT_PER_MINUTE": "2", "MAILER_API_AUTH": "none", "MAILER_API_TOKENS": ""]
        try await withService(smtpPort: ClosedPort.reserve(), environment, token: nil) { client in
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "1"}"#).status == .accepted)
            #expect(try await Self.send(client, "/v1/emails/verification", #"{"to": "b@example.org", "code": "1"}"#).status == .accepted)
            let refused = try await Self.send(client, "/v1/emails/verification", #"{"to": "c@example.org", "code": "1"}"#)
            #expect(refused.status == .tooManyRequests)
            #expect((refused.json["detail"] as? String)?.contains("MAILER_API_AUTH=none") == true)
        }
    }

    @Test func retryAfterIsWholeSecondsRoundedUpAndAtLeastOne() {
        #expect(SendingLimits.retryAfterSeconds(.milliseconds(1)) == 1)
        #expect(SendingLimits.retryAfterSeconds(.seconds(360)) == 360)
        #expect(SendingLimits.retryAfterSeconds(.milliseconds(360_001)) == 361)
        #expect(SendingLimits.retryAfterSeconds(.zero) == 1)
    }
}
