import Foundation
import SMTP
import Testing
@testable import MailerService

/// The document on its own: well-formed OpenAPI 3.1, every reference resolves, and the committed
/// `openapi.yaml` is what `mailer openapi` prints today.
@Suite struct OpenAPIDocumentTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let model = OpenAPIModel()

    @Test func theCommittedYAMLIsUpToDate() throws {
        let file = Self.repositoryRoot.appendingPathComponent("openapi.yaml")
        let committed = try? String(contentsOf: file, encoding: .utf8)
        let current = OpenAPIDocument.yaml
        guard committed != current else { return }
        let firstDifference = zip((committed ?? "").split(separator: "\n", omittingEmptySubsequences: false), current.split(separator: "\n", omittingEmptySubsequences: false))
            .enumerated().first { $1.0 != $1.1 }
            .map { "first difference at line \($0 + 1):\n  committed: \($1.0)\n  current:   \($1.1)" } ?? "one is a prefix of the other"
        Issue.record("openapi.yaml is out of date: run `swift run mailer openapi > openapi.yaml` (\(committed == nil ? "the file is missing" : firstDifference))")
    }

    @Test func theYAMLReadsBackAsTheDocument() throws {
        #expect(try StrictYAMLReader.read(OpenAPIDocument.yaml) == OpenAPIDocument.json)
    }

    @Test func isJSONOfOpenAPI310() throws {
        let decoded = try JSONDecoder().decode(JSONValue.self, from: OpenAPIDocument.json.encoded())
        #expect(decoded == OpenAPIDocument.json)
        #expect(model.pointer("#/openapi") == "3.1.0")
        #expect(model.pointer("#/info/title") == "mailer")
        #expect(model.pointer("#/info/version") != nil)
        #expect(model.pointer("#/servers/0/url") == "http://localhost:8080")
        #expect(model.pointer("#/components/securitySchemes/bearerAuth/type") == "http")
        #expect(model.pointer("#/components/securitySchemes/bearerAuth/scheme") == "bearer")
        #expect(model.pointer("#/security") == [["bearerAuth": []]], "a token is needed unless an operation says otherwise")
    }

    @Test func everyReferenceResolves() {
        let references = model.references()
        #expect(references.count > 50)
        for (at, target) in references {
            #expect(target.hasPrefix("#/components/"), "\(at): \(target) is not a local component")
            #expect(model.pointer(target) != nil, "\(at): $ref \(target) does not resolve")
        }
    }

    @Test func everyOperationHasAUniqueIdAndAnswers() {
        let operations = model.operations
        #expect(operations.count >= 19)
        for operation in operations {
            #expect(!operation.id.isEmpty, "\(operation.method.uppercased()) \(operation.path) has no operationId")
            #expect(!model.statuses(operation).isEmpty, "\(operation) documents no response")
            for status in model.statuses(operation) {
                let response = model.response(operation, status: Int(status) ?? 0)
                #expect(response?["description"] != nil, "\(operation) \(status): no description (or not a status code)")
            }
        }
        let ids = operations.map(\.id)
        #expect(Set(ids).count == ids.count, "operationIds used twice: \(Dictionary(grouping: ids, by: { $0 }).filter { $1.count > 1 }.keys.sorted())")
    }

    /// The public operations are exactly the paths the middleware lets through; every other
    /// operation documents the 401 it answers without a token.
    @Test func securityFollowsThePublicPaths() {
        for operation in model.operations {
            #expect(model.isPublic(operation) == PublicPaths.contains(operation.path), "\(operation)")
            if !model.isPublic(operation) {
                #expect(model.response(operation, status: 401) != nil, "\(operation) does not document 401")
            }
        }
        #expect(Set(model.operations.filter(model.isPublic).map(\.path)) == PublicPaths.all)
    }

    /// Unknown fields are refused (422), so each body schema lists exactly the fields the route reads.
    @Test(arguments: [
        ("VerificationEmail", EmailKind.verification), ("PasswordResetEmail", .passwordReset),
        ("InvitationEmail", .invitation), ("TemplateEmail", .generic),
    ])
    func emailBodiesListExactlyTheAcceptedFields(_ schema: String, _ kind: EmailKind) throws {
        guard case .object(let properties)? = model.pointer("#/components/schemas/\(schema)/properties") else {
            Issue.record("no schema \(schema)")
            return
        }
        #expect(Set(properties.keys) == Set(kind.allowedFields))
        #expect(model.pointer("#/components/schemas/\(schema)/additionalProperties") == false)
    }

    @Test func theProblemCodeListsEveryStableCode() throws {
        guard case .string(let description)? = model.pointer("#/components/schemas/Problem/properties/code/description") else {
            Issue.record("Problem.code has no description")
            return
        }
        #expect(Set(SMTPErrorCode.allCases.map(\.rawValue)).isSubset(of: ProblemCodes.all))
        for code in ProblemCodes.all {
            #expect(description.contains("`\(code)`"), "\(code) is not listed")
        }
    }
}
