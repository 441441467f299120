import Foundation
import HTTPTypes
import NIOCore
import SMTPTestServer
import Testing
@testable import MailerService

/// What a body may be: MAILER_MAX_BODY_BYTES, MAILER_MAX_RECIPIENTS and `JSONLimits`, each
/// refusal naming the setting or the path of what is wrong.
@Suite struct RequestShapeTests {
    @Test func aBodyOverMAILER_MAX_BODY_BYTESIs413NamingTheVariable() async throws {
        try await withService(smtpPort: ClosedPort.reserve(), ["MAILER_MAX_BODY_BYTES": "2048"]) { client in
            let content = Data(repeating: 1, count: 3000).base64EncodedString()
            let body = #"{"to": "ada@example.org", "code": "1", "attachments": [{"filename": "a.bin", "contentType": "application/octet-stream", "content": "\#(content)"}]}"#
            for path in ["/v1/emails/verification", "/v1/templates/verification/preview", "/v1/smtp/test"] {
                let answer = try await post(client, path, body, prefer: nil)
                #expect(answer.status == .contentTooLarge, "\(path)")
                #expect(answer.json["code"] as? String == "EMESSAGE")
                let detail = answer.json["detail"] as? String ?? ""
                #expect(detail.contains("MAILER_MAX_BODY_BYTES (2048 bytes)") && detail.contains("raise MAILER_MAX_BODY_BYTES"), "\(detail)")
            }
            // Under the limit, the same route takes it.
            #expect(try await post(client, "/v1/emails/verification", #"{"to": "ada@example.org", "code": "1"}"#, prefer: nil).status == .accepted)
        }
    }

    @Test func theDefaultBodyLimitIsOneMegabyte() throws {
        let configuration = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25))
        #expect(configuration.maximumBodyBytes == 1_048_576)
        #expect(configuration.maximumRecipients == 50)
        #expect(configuration.rateLimitPerMinute == 0)
        #expect(configuration.perRecipientPerHour == 10)
        #expect(configuration.linkHosts == nil)
    }

    @Test func MAILER_MAX_RECIPIENTSBoundsToCcAndBccTogether() async throws {
        try await withService(smtpPort: ClosedPort.reserve(), ["MAILER_MAX_RECIPIENTS": "3"]) { client in
            let three = try await post(client, "/v1/emails/verification", #"{"to": ["a@example.org", "b@example.org"], "cc": "c@example.org", "code": "1"}"#, prefer: nil)
            #expect(three.status == .accepted, "\(three.json)")
            let four = try await post(client, "/v1/emails/verification", #"{"to": ["a@example.org", "b@example.org"], "cc": "c@example.org", "bcc": "d@example.org", "code": "1"}"#, prefer: nil)
            #expect(four.status == .unprocessableContent)
            #expect(four.json["code"] as? String == "EVALIDATION")
            #expect(four.json["field"] as? String == "bcc")
            #expect((four.json["detail"] as? String)?.contains("MAILER_MAX_RECIPIENTS") == true)
            let manyTo = try await post(client, "/v1/emails/verification", #"{"to": ["a@example.org", "b@example.org", "c@example.org", "d@example.org"], "code": "1"}"#, prefer: nil)
            #expect(manyTo.json["field"] as? String == "to")
        }
    }

    @Test func nestingDeeperThanTheLimitIsRefusedWithItsPath() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            // 16 levels, the body included: accepted as far as shape goes.
            let fifteen = String(repeating: "[", count: 14) + String(repeating: "]", count: 14)
            let fine = try await post(client, "/v1/emails", #"{"template": "verification", "to": "a@example.org", "data": {"code": "1", "deep": \#(fifteen)}}"#, prefer: nil)
            #expect(fine.status == .accepted, "\(fine.json)")

            let items = #"[{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": {"x": \#(String(repeating: "[", count: 13) + String(repeating: "]", count: 13))}}]"#
            let deep = try await post(client, "/v1/emails", #"{"template": "verification", "to": "a@example.org", "data": {"code": "1", "items": \#(items)}}"#, prefer: nil)
            #expect(deep.status == .unprocessableContent)
            #expect(deep.json["code"] as? String == "EVALIDATION")
            #expect(deep.json["field"] as? String == "data.items[3].name.x" + String(repeating: "[0]", count: 11), "\(deep.json)")
            #expect((deep.json["detail"] as? String)?.contains("more than 16 deep") == true)
        }
    }

    @Test func a100000DeepBodyIsRefusedAndTheServiceGoesOn() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            for body in [String(repeating: "[", count: 100_000), String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000),
                         String(repeating: #"{"a":"#, count: 100_000)] {
                let answer = try await post(client, "/v1/emails/verification", body, prefer: nil)
                #expect(answer.status == .unprocessableContent)
                #expect(answer.json["code"] as? String == "EVALIDATION")
            }
            let objects = try await post(client, "/v1/emails/verification", String(repeating: #"{"a":"#, count: 100_000), prefer: nil)
            #expect(objects.json["field"] as? String == Array(repeating: "a", count: 16).joined(separator: "."))
            #expect(try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "1"}"#, prefer: nil).status == .accepted)
        }
    }

    @Test func longStringsAndLargeContainersAreRefusedWithTheirPath() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            let long = String(repeating: "x", count: 10_001)
            let longString = try await post(client, "/v1/emails", #"{"template": "verification", "to": "a@example.org", "data": {"code": "1", "items": [{"name": "a"}, {"name": "\#(long)"}]}}"#, prefer: nil)
            #expect(longString.status == .unprocessableContent)
            #expect(longString.json["field"] as? String == "data.items[1].name")
            #expect((longString.json["detail"] as? String)?.contains("longer than 10000 characters") == true)

            let exactly = String(repeating: "x", count: 10_000)
            #expect(try await post(client, "/v1/emails", #"{"template": "verification", "to": "a@example.org", "data": {"code": "1", "note": "\#(exactly)"}}"#, prefer: nil).status == .accepted)

            let array = "[" + Array(repeating: "1", count: 1001).joined(separator: ",") + "]"
            let bigArray = try await post(client, "/v1/emails", #"{"template": "verification", "to": "a@example.org", "data": {"code": "1", "list": \#(array)}}"#, prefer: nil)
            #expect(bigArray.status == .unprocessableContent)
            #expect(bigArray.json["field"] as? String == "data.list")

            let members = "{" + (0..<1001).map { #""k\#($0)": 1"# }.joined(separator: ",") + "}"
            let bigObject = try await post(client, "/v1/emails", #"{"template": "verification", "to": "a@example.org", "data": \#(members)}"#, prefer: nil)
            #expect(bigObject.status == .unprocessableContent)
            #expect(bigObject.json["field"] as? String == "data")

            // Attachment content is bounded by the body size alone.
            let file = Data(repeating: 9, count: 30_000).base64EncodedString()
            let attached = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "1", "attachments": [{"filename": "a.bin", "contentType": "application/octet-stream", "content": "\#(file)"}]}"#, prefer: nil)
            #expect(attached.status == .accepted, "\(attached.json)")
            let longName = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": "1", "attachments": [{"filename": "\#(long)", "contentType": "application/octet-stream", "content": "AA=="}]}"#, prefer: nil)
            #expect(longName.json["field"] as? String == "attachments[0].filename")
        }
    }

    @Test func malformedJSONIs400WithAUsefulDetail() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            let answer = try await post(client, "/v1/emails/verification", #"{"to": "a@example.org", "code": }"#, prefer: nil)
            #expect(answer.status == .badRequest)
            #expect(answer.json["code"] as? String == "EVALIDATION")
            #expect((answer.json["detail"] as? String)?.hasPrefix("the body is not valid JSON") == true, "\(answer.json)")
        }
    }

    @Test func theNestingScanFollowsStringsAndEscapes() throws {
        // Brackets inside strings are text, an escaped quote does not end the string.
        try JSONLimits.checkNesting(Array(#"{"a": "[[[[[[[[[[[[[[[[[[[[ \" [[[[[[[[[[[[[[[[[[[["}"#.utf8))
        let problem = #expect(throws: Problem.self) {
            try JSONLimits.checkNesting(Array((#"{"k\"ey": "# + String(repeating: "[", count: 16)).utf8))
        }
        #expect(problem?.extra["field"] == .string(#"k\"ey"# + String(repeating: "[0]", count: 15)))
        // Unbalanced closers do not trip the scan; the decoder reports them.
        try JSONLimits.checkNesting(Array("]]]]}}}".utf8))
    }
}
