import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SMTPTestServer
import Testing
@testable import MailerService

/// API authentication over real HTTP: the service as it runs by default, with MAILER_API_TOKENS,
/// with a generated token, and with MAILER_API_AUTH=none.
@Suite struct BearerAuthTests {
    /// The byte-wise reading of ASCII headers answers as the Character-wise one did.
    @Test func theASCIIFastPathAgreesWithTheCharacterPath() {
        var headers = [
            "Bearer abc", "bearer abc", "BEARER abc", "BeArEr abc", "Bearer  abc", "  Bearer abc", "Bearer", "Bearer ", "Bearer  ",
            "Bearer abc ", "Bearer a bc", "Bearer a\tb", "Bearer\tabc", "Bearer abc\r\n", "Bearer a\u{0B}b", "Bearer a\u{0C}b",
            "Bearer a\u{1F}b", "Basic abc", "Bearerabc", "Bearer: abc", "", " ", "Bearer \u{1}", "Bearer ab\u{7F}",
            "Bear abc", "Bearers abc", "Bearer Bearer abc", "Bfarer abc", "Bearer \"abc\"",
        ]
        var random = SplitMix64(seed: 0xBEA2E2)
        let pieces = ["Bearer", "bearer", "BEARER", " ", "  ", "\t", "\n", "\r", "a", "Z", "0", "-", "_", ".", "~", "+", "/", "=", "\u{0B}", "\u{1}"]
        for _ in 0..<5_000 {
            headers.append((0..<Int(random.next() % 6 + 1)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined())
        }
        for header in headers {
            #expect(BearerAuthMiddleware<BasicRequestContext>.bearerToken(header) == BearerAuthMiddleware<BasicRequestContext>.bearerTokenByCharacters(header),
                    "\(header.debugDescription)")
        }
        // Non-ASCII headers take the Character path itself.
        #expect(BearerAuthMiddleware<BasicRequestContext>.bearerToken("Bearer \u{301}abc") == BearerAuthMiddleware<BasicRequestContext>.bearerTokenByCharacters("Bearer \u{301}abc"))
        #expect(BearerAuthMiddleware<BasicRequestContext>.bearerToken("Bearer a\u{A0}b") == nil)
    }

    static let verification = #"{"to": "ada@example.org", "code": "493817"}"#

    /// POST /v1/emails/verification without waiting for the delivery, with these headers only.
    static func send(_ client: any TestClientProtocol, authorization: String?) async throws -> (Answer, HTTPFields) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let authorization { headers[.authorization] = authorization }
        return try await client.execute(uri: "/v1/emails/verification", method: .post, headers: headers, body: ByteBuffer(string: verification)) { response in
            let json = (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))) as? [String: Any] ?? [:]
            return (Answer(status: response.status, contentType: response.headers[.contentType], json: json), response.headers)
        }
    }

    @Test func withoutATokenTheAnswerIs401ProblemWithWWWAuthenticate() async throws {
        try await withService(smtpPort: ClosedPort.reserve(), token: nil) { client in
            let (answer, headers) = try await Self.send(client, authorization: nil)
            #expect(answer.status == .unauthorized)
            #expect(answer.contentType == "application/problem+json")
            #expect(answer.json["code"] as? String == "EUNAUTHORIZED")
            #expect(answer.json["status"] as? Int == 401)
            #expect((answer.json["detail"] as? String)?.contains("Authorization: Bearer <token>") == true, "\(answer.json)")
            #expect(headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
        }
    }

    @Test func aWrongTokenOrSchemeIs401WithItsOwnDetail() async throws {
        let log = CapturedLog()
        try await withService(smtpPort: ClosedPort.reserve(), log: log, token: nil) { client in
            let (missing, _) = try await Self.send(client, authorization: nil)
            let (wrong, headers) = try await Self.send(client, authorization: "Bearer wrong-token-7e3a91")
            let (basic, _) = try await Self.send(client, authorization: "Basic YWxpY2U6c2VjcmV0")
            #expect(wrong.status == .unauthorized)
            #expect(wrong.json["code"] as? String == "EUNAUTHORIZED")
            #expect(headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(basic.status == .unauthorized)
            #expect(basic.json["code"] as? String == "EUNAUTHORIZED")
            let details = [missing, wrong, basic].map { $0.json["detail"] as? String }
            #expect(Set(details).count == 3, "\(details)")
            #expect(details[1]?.contains("not valid") == true)
            // Only the detail differs: nothing else tells a caller more about why.
            #expect(Set([missing, wrong, basic].map { $0.json.keys.sorted() }).count == 1)
            // An unknown route says nothing either before the token is checked.
            try await client.execute(uri: "/v1/nothing", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
        let refused = log.records.filter { $0["msg"] as? String == "request refused: no valid API token" }
        #expect(refused.count == 4)
        #expect(refused.allSatisfy { $0["code"] as? String == "EUNAUTHORIZED" })
        #expect(!log.text.contains("wrong-token-7e3a91"))
        #expect(!log.text.contains("YWxpY2U6c2VjcmV0"))
    }

    @Test func theRightTokenIsAcceptedAndItsNameNotItsValueIsLogged() async throws {
        let server = try await SMTPTestServer.start()
        let log = CapturedLog()
        let token = "ci-token-c4f1d2e8b7a6"
        try await withService(smtpPort: server.port, ["MAILER_API_TOKENS": "backend:backend-token-91ab37, ci:\(token)"], log: log, token: nil) { client in
            let (answer, _) = try await Self.send(client, authorization: "Bearer \(token)")
            #expect(answer.status == .accepted)
            #expect(answer.json["status"] as? String == "queued")
            let id = try #require(answer.json["id"] as? String)
            _ = try await server.waitForMessages(1)

            let accepted = log.records.first { $0["msg"] as? String == "email accepted" }
            #expect(accepted?["email_id"] as? String == id)
            #expect(accepted?["token_name"] as? String == "ci")
        }
        try await server.shutdown()
        #expect(!log.text.contains(token))
        #expect(!log.text.contains("backend-token-91ab37"))
        let configured = log.records.first { $0["msg"] as? String == "API authentication: bearer tokens" }
        #expect(configured?["token_names"] as? [String] == ["backend", "ci"])
    }

    @Test func probesNeedNoToken() async throws {
        try await withService(smtpPort: ClosedPort.reserve(), token: nil) { client in
            for path in ["/healthz", "/openapi.json"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                }
            }
            // Exempt by path whether or not the route exists yet.
            for path in ["/readyz", "/metrics"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status != .unauthorized, "\(path)")
                }
            }
            // Exactly those paths: anything below them is an API route like any other.
            try await client.execute(uri: "/healthz/x", method: .get) { response in
                #expect(response.status == .unauthorized)
            }
        }
    }

    @Test func withoutTokensOneIsGeneratedAndLoggedOnce() async throws {
        let server = try await SMTPTestServer.start()
        let log = CapturedLog()
        try await withService(smtpPort: server.port, ["MAILER_API_TOKENS": ""], log: log, token: nil) { client in
            let generated = try #require(log.records.first { $0["api_token"] != nil })
            #expect(generated["level"] as? String == "warning")
            let token = try #require(generated["api_token"] as? String)
            #expect(token.count == 43)
            let message = try #require(generated["msg"] as? String)
            #expect(message.contains("Authorization: Bearer \(token)"))
            #expect(message.contains("MAILER_API_TOKENS"))

            let (refused, _) = try await Self.send(client, authorization: nil)
            #expect(refused.status == .unauthorized)
            let (answer, _) = try await Self.send(client, authorization: "Bearer \(token)")
            #expect(answer.status == .accepted)
            _ = try await server.waitForMessages(1)
            #expect(log.records.first { $0["msg"] as? String == "email accepted" }?["token_name"] as? String == "generated")
            // Printed once: the start-up line is the only one holding it.
            #expect(log.records.filter { record in record.values.contains { "\($0)".contains(token) } }.count == 1)
        }
        try await server.shutdown()
    }

    @Test func mailerAPIAuthNoneOpensTheAPIAndSaysSo() async throws {
        let server = try await SMTPTestServer.start()
        let log = CapturedLog()
        try await withService(smtpPort: server.port, ["MAILER_API_TOKENS": "", "MAILER_API_AUTH": "none"], log: log, token: nil) { client in
            let (answer, _) = try await Self.send(client, authorization: nil)
            #expect(answer.status == .accepted)
            _ = try await server.waitForMessages(1)
        }
        try await server.shutdown()
        #expect(!log.records.contains { $0["api_token"] != nil })
        let warning = log.records.first { ($0["msg"] as? String)?.hasPrefix("MAILER_API_AUTH=none") == true }
        #expect(warning?["level"] as? String == "warning")
    }
}
