import Hummingbird
import Testing
@testable import MailerService

/// The token set without HTTP: parsing MAILER_API_TOKENS and matching a presented token.
@Suite struct APITokenSetTests {
    static func tokens(_ text: String) throws -> APITokenSet {
        let parsed = APITokenSet.parse(text)
        #expect(parsed.problems == [])
        return try #require(parsed.tokens)
    }

    @Test func entriesAreNamedOrNamedAfterTheirPosition() throws {
        let tokens = try Self.tokens("ci:tok-ci-1, backend:tok-backend-2 ,tok-anon-3")
        #expect(tokens.names == ["ci", "backend", "token3"])
        #expect(tokens.name(matching: "tok-ci-1") == "ci")
        #expect(tokens.name(matching: "tok-backend-2") == "backend")
        #expect(tokens.name(matching: "tok-anon-3") == "token3")
    }

    @Test func onlyTheWholeTokenMatches() throws {
        let tokens = try Self.tokens("ci:abcdef123456,other:zzzzzzzzzzzz")
        for wrong in ["", "abcdef12345", "abcdef1234567", "ABCDEF123456", "bcdef123456", "ci", "ci:abcdef123456", "abcdef123456 "] {
            #expect(tokens.name(matching: wrong) == nil, "\(wrong)")
        }
        #expect(tokens.name(matching: "abcdef123456") == "ci")
        #expect(tokens.name(matching: "zzzzzzzzzzzz") == "other")
    }

    @Test func constantTimeEqualityComparesLengthAndEveryByte() {
        #expect(APITokenSet.constantTimeEqual(Array("secret".utf8), Array("secret".utf8)))
        #expect(!APITokenSet.constantTimeEqual(Array("secreT".utf8), Array("secret".utf8)))
        #expect(!APITokenSet.constantTimeEqual(Array("secret".utf8), Array("secrets".utf8)))
        #expect(!APITokenSet.constantTimeEqual(Array("secrets".utf8), Array("secret".utf8)))
        #expect(!APITokenSet.constantTimeEqual([], Array("secret".utf8)))
        // A length difference of 256 leaves the low byte of the XOR at zero; it must still count.
        #expect(!APITokenSet.constantTimeEqual([UInt8](repeating: 0, count: 256), []))
    }

    @Test(arguments: [
        ("ci:tok-1,,b:tok-2", "entry 2 is empty"),
        ("ci:tok-1,", "entry 2 is empty"),
        (":secret-value-1", "entry 1 has an empty name"),
        ("ci:", "entry 1 (\"ci\") has no token"),
        ("ci:secret value-1", "entry 1 (\"ci\"): the token contains whitespace"),
        ("secret\tvalue-1", "entry 1 (\"token1\"): the token contains whitespace"),
        ("my ci:secret-value-1", "entry 1 has whitespace in its name"),
        ("ci/1:secret-value-1", "entry 1 has a name with other characters"),
        ("ci:secret-välue-1", "entry 1 (\"ci\"): the token must be printable ASCII"),
        ("ci:secret-value-1,ci:secret-value-2", "entries 1 and 2 are both named \"ci\""),
        ("a:secret-value-1,b:secret-value-1", "entries 1 and 2 have the same token"),
    ])
    func aBadEntryIsOneProblemThatNeverQuotesAToken(text: String, expected: String) {
        let parsed = APITokenSet.parse(text)
        #expect(parsed.tokens == nil)
        #expect(parsed.problems.count == 1)
        #expect(parsed.problems.first?.hasPrefix(expected) == true, "\(parsed.problems)")
        #expect(!parsed.problems.joined().contains("secret"), "\(parsed.problems)")
    }

    @Test func everyBadEntryIsReported() {
        let parsed = APITokenSet.parse(":secret-1, ok:secret-2, bad:, ok:secret-3")
        #expect(parsed.problems.count == 3)
        #expect(parsed.problems[0].hasPrefix("entry 1 "))
        #expect(parsed.problems[1].hasPrefix("entry 3 "))
        #expect(parsed.problems[2].hasPrefix("entries 2 and 4 "))
    }

    @Test func descriptionsShowNamesOnly() throws {
        let tokens = try Self.tokens("ci:secret-value-1")
        #expect("\(tokens)" == "APITokenSet(ci)")
        #expect(!String(reflecting: tokens).contains("secret"))
        var dumped = ""
        dump(tokens, to: &dumped)
        #expect(!dumped.contains("secret"), "\(dumped)")
    }

    @Test func generatedTokensAre32RandomBytesInBase64URL() {
        let first = APITokenSet.generateToken()
        let second = APITokenSet.generateToken()
        #expect(first.count == 43)
        #expect(first != second)
        #expect(first.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
    }

    @Test func theBearerSchemeIsCaseInsensitiveAndNeedsExactlyOneToken() {
        #expect(BearerAuthMiddleware<BasicRequestContext>.bearerToken("Bearer abc") == "abc")
        #expect(BearerAuthMiddleware<BasicRequestContext>.bearerToken("bearer  abc") == "abc")
        #expect(BearerAuthMiddleware<BasicRequestContext>.bearerToken("BEARER abc") == "abc")
        for header in ["Bearer", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "Bearer a b", "Bearerabc", "abc"] {
            #expect(BearerAuthMiddleware<BasicRequestContext>.bearerToken(header) == nil, "\(header)")
        }
    }
}
