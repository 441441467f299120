import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import MailerService

@Suite struct TemplateRoutesTests {
    @Test func catalogListsTheTemplatesAndTheirParts() async throws {
        try await withService(smtpPort: 9) { client in
            try await client.execute(uri: "/v1/templates", method: .get) { response in
                #expect(response.status == .ok)
                let json = try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
                let templates = try #require(json["templates"] as? [[String: Any]])
                #expect(templates.map { $0["name"] as? String } == ["invitation", "password-reset", "verification"])
                #expect(templates.last?["parts"] as? [String] == ["subject", "text", "html"])
                #expect(templates.last?["locales"] as? [String] == ["en", "de"])
                #expect(json["defaultLocale"] as? String == "en")
                let invitation = Set(templates.first?["variables"] as? [String] ?? [])
                #expect(invitation.isSuperset(of: ["inviterName", "organizationName", "productName", "link", "baseUrl"]), "\(invitation)")
            }
        }
    }

    @Test func previewRendersWithoutSendingAndNamesWhatIsMissing() async throws {
        try await withService(smtpPort: 9) { client in
            let full = try await post(client, "/v1/templates/verification/preview", #"{"data": {"code": "<42>"}}"#, prefer: nil)
            #expect(full.status == .ok)
            #expect(full.json["subject"] as? String == "Your Acme verification code: <42>")
            #expect((full.json["html"] as? String)?.contains("&lt;42&gt;") == true)
            #expect((full.json["text"] as? String)?.contains("<42>") == true)
            #expect(full.json["missing"] as? [String] == [])

            let empty = try await post(client, "/v1/templates/verification/preview", "{}", prefer: nil)
            #expect(empty.status == .ok)
            #expect(empty.json["missing"] as? [String] == ["code"])

            let german = try await post(client, "/v1/templates/verification/preview", #"{"data": {"code": "42"}, "locale": "de-CH"}"#, prefer: nil)
            #expect(german.json["locale"] as? String == "de")
            #expect(german.json["subject"] as? String == "Ihr Bestätigungscode für Acme: 42")

            let unknown = try await post(client, "/v1/templates/nope/preview", "{}", prefer: nil)
            #expect(unknown.status == .unprocessableContent)
            #expect(unknown.json["code"] as? String == "ETEMPLATE")
        }
    }
}
