import Testing
@testable import MIMEMessage

@Suite("Address parsing")
struct AddressParsingTests {
    struct Good: CustomTestStringConvertible, Sendable {
        let input: String
        let address: String
        let displayName: String?
        var testDescription: String { input.debugDescription }
    }

    static let good: [Good] = [
        Good(input: "ada@example.com", address: "ada@example.com", displayName: nil),
        Good(input: "  ada@example.com\t", address: "ada@example.com", displayName: nil),
        Good(input: "<ada@example.com>", address: "ada@example.com", displayName: nil),
        Good(input: "Ada Lovelace <ada@example.com>", address: "ada@example.com", displayName: "Ada Lovelace"),
        Good(input: "Ada   Lovelace<ada@example.com>", address: "ada@example.com", displayName: "Ada Lovelace"),
        Good(input: "\"Lovelace, Ada\" <ada@example.com>", address: "ada@example.com", displayName: "Lovelace, Ada"),
        Good(input: "\"Ada \\\"The Countess\\\" L.\" <ada@example.com>", address: "ada@example.com",
             displayName: "Ada \"The Countess\" L."),
        Good(input: "Ada \"the Countess\" <ada@example.com>", address: "ada@example.com", displayName: "Ada the Countess"),
        Good(input: "\"<weird>\" <ada@example.com>", address: "ada@example.com", displayName: "<weird>"),
        Good(input: "John Q. Public <jqp@example.com>", address: "jqp@example.com", displayName: "John Q. Public"),
        Good(input: "José Müller <jose@example.com>", address: "jose@example.com", displayName: "José Müller"),
        Good(input: "山田太郎 <taro@example.jp>", address: "taro@example.jp", displayName: "山田太郎"),
        Good(input: "\"\" <ada@example.com>", address: "ada@example.com", displayName: nil),
        Good(input: "first.last+tag@sub.example.co.uk", address: "first.last+tag@sub.example.co.uk", displayName: nil),
        Good(input: "user!#$%&'*+-/=?^_`{|}~@example.com", address: "user!#$%&'*+-/=?^_`{|}~@example.com", displayName: nil),
        Good(input: "\"john doe\"@example.com", address: "\"john doe\"@example.com", displayName: nil),
        Good(input: "\"a\\\"b\"@example.com", address: "\"a\\\"b\"@example.com", displayName: nil),
        Good(input: "\"with@at\"@example.com", address: "\"with@at\"@example.com", displayName: nil),
        Good(input: "\"plain\"@example.com", address: "plain@example.com", displayName: nil),
        Good(input: "Ops <\"john doe\"@example.com>", address: "\"john doe\"@example.com", displayName: "Ops"),
        Good(input: "x@localhost", address: "x@localhost", displayName: nil),
        Good(input: "x@[192.0.2.1]", address: "x@[192.0.2.1]", displayName: nil),
        Good(input: "x@[IPv6:2001:db8::1]", address: "x@[IPv6:2001:db8::1]", displayName: nil),
        Good(input: "x@[IPv6:::1]", address: "x@[IPv6:::1]", displayName: nil),
        Good(input: "x@[IPv6:2001:db8:0:0:0:0:0:1]", address: "x@[IPv6:2001:db8:0:0:0:0:0:1]", displayName: nil),
        Good(input: "x@[IPv6:::ffff:192.0.2.1]", address: "x@[IPv6:::ffff:192.0.2.1]", displayName: nil),
        Good(input: "x@xn--bcher-kva.example", address: "x@xn--bcher-kva.example", displayName: nil),
        // Internationalised domains travel in their ASCII form (vectors from Python's idna codec).
        Good(input: "ada@bücher.example", address: "ada@xn--bcher-kva.example", displayName: nil),
        Good(input: "Ada <ada@München.DE>", address: "ada@xn--mnchen-3ya.de", displayName: "Ada"),
        Good(input: "ada@日本語.jp", address: "ada@xn--wgv71a119e.jp", displayName: nil),
        Good(input: "ada@пример.рф", address: "ada@xn--e1afmkfd.xn--p1ai", displayName: nil),
        Good(input: "ada@例え。テスト", address: "ada@xn--r8jz45g.xn--zckzah", displayName: nil),
        Good(input: "ada@straße.de", address: "ada@xn--strae-oqa.de", displayName: nil),
        // RFC 6531 local parts, normalised to NFC.
        Good(input: "josé@example.com", address: "josé@example.com", displayName: nil),
        Good(input: "Jose\u{301} <jose\u{301}@exämple.com>", address: "josé@xn--exmple-cua.com", displayName: "Jose\u{301}"),
        Good(input: "用户@例子.广告", address: "用户@xn--fsqu00a.xn--4rr70v", displayName: nil),
        Good(input: "x@a-b.c1.example", address: "x@a-b.c1.example", displayName: nil),
        Good(input: String(repeating: "l", count: 64) + "@example.com",
             address: String(repeating: "l", count: 64) + "@example.com", displayName: nil),
    ]

    @Test("accepts", arguments: good)
    func accepts(_ c: Good) throws {
        let parsed = try EmailAddress(parsing: c.input)
        #expect(parsed.address == c.address)
        #expect(parsed.displayName == c.displayName)
    }

    struct Bad: CustomTestStringConvertible, Sendable {
        let input: String
        /// A fragment the reason must contain, so reasons stay specific.
        let reason: String
        var testDescription: String { input.debugDescription }
    }

    static let longLabel = String(repeating: "a", count: 64)
    static let bad: [Bad] = [
        Bad(input: "", reason: "empty"),
        Bad(input: "   ", reason: "empty"),
        Bad(input: "ada.example.com", reason: "missing '@'"),
        Bad(input: "Ada <ada.example.com>", reason: "missing '@'"),
        Bad(input: "@example.com", reason: "local part is empty"),
        Bad(input: "ada@", reason: "domain is missing"),
        Bad(input: "ada lovelace@example.com", reason: "space"),
        Bad(input: "ada..lovelace@example.com", reason: "consecutive dots"),
        Bad(input: ".ada@example.com", reason: "starts with '.'"),
        Bad(input: "ada.@example.com", reason: "ends with '.'"),
        Bad(input: "ada@example..com", reason: "domain is not valid"),
        Bad(input: "ada@.example.com", reason: "domain is not valid"),
        Bad(input: "ada@example.com.", reason: "domain is not valid"),
        Bad(input: "ada@-example.com", reason: "domain is not valid"),
        Bad(input: "ada@exa_mple.com", reason: "domain is not valid"),
        Bad(input: "ada@exa mple.com", reason: "domain is not valid"),
        Bad(input: "ada@\(longLabel).com", reason: "63 octets"),
        Bad(input: "ada@1.2.3.4", reason: "[192.0.2.1]"),
        Bad(input: "ada@[1.2.3]", reason: "domain is not valid"),
        Bad(input: "ada@[256.1.1.1]", reason: "domain is not valid"),
        Bad(input: "ada@[IPv6:1::2::3]", reason: "domain is not valid"),
        Bad(input: "ada@[1.2.3.4", reason: "domain is not valid"),
        Bad(input: "a@b@example.com", reason: "more than one '@'"),
        Bad(input: String(repeating: "l", count: 65) + "@example.com", reason: "longer than 64 octets"),
        Bad(input: "ada@" + Array(repeating: "label", count: 50).joined(separator: ".") + ".com", reason: "octets"),
        Bad(input: String(repeating: "l", count: 64) + "@" + Array(repeating: String(repeating: "d", count: 60), count: 4).joined(separator: ".") + ".com",
            reason: "longer than 254 octets"),
        Bad(input: "\"josé\"@example.com", reason: "quoted local part must be ASCII"),
        Bad(input: "jo\u{200B}sé@example.com", reason: "U+200B"),
        Bad(input: "ada@bücher☃.example", reason: "not allowed in a domain name"),
        Bad(input: "ada@example.com\r\nBcc: victim@example.com", reason: "line break"),
        Bad(input: "ada@example.com\n", reason: "line break"),
        Bad(input: "Ada\r <ada@example.com>", reason: "line break"),
        Bad(input: "ada@exam\u{0}ple.com", reason: "NUL"),
        Bad(input: "ada@example.com (Ada)", reason: "domain is not valid"),
        Bad(input: "Ada <ada@example.com> (home)", reason: "comments"),
        Bad(input: "Ada (Countess) <ada@example.com>", reason: "comments"),
        Bad(input: "Lovelace, Ada <ada@example.com>", reason: "double quotes"),
        Bad(input: "Ada <ada@example.com", reason: "missing '>'"),
        Bad(input: "Ada <ada@example.com> trailing", reason: "after '>'"),
        Bad(input: "Ada <<ada@example.com>>", reason: "more than one '<'"),
        Bad(input: "\"Ada <ada@example.com>", reason: ""),
        Bad(input: "\"unterminated@example.com", reason: "closing"),
        Bad(input: "\"\"@example.com", reason: "local part is empty"),
        Bad(input: "\"a\"b@example.com", reason: "followed directly by '@'"),
        Bad(input: "<@route.example:ada@example.com>", reason: "source routes"),
        Bad(input: "a,b@example.com", reason: "','"),
    ]

    @Test("rejects", arguments: bad)
    func rejects(_ c: Bad) {
        #expect {
            _ = try EmailAddress(parsing: c.input)
        } throws: { error in
            guard let error = error as? AddressError else { return false }
            return error.input == c.input && !error.reason.isEmpty
                && (c.reason.isEmpty || error.reason.contains(c.reason))
        }
    }

    @Test func typedThrowsCarryReason() {
        do {
            _ = try EmailAddress(parsing: "nobody")
            Issue.record("expected an error")
        } catch {
            // `error` is statically an AddressError thanks to typed throws.
            #expect(error.reason == "missing '@'")
            #expect(error.description.contains("missing '@'"))
        }
    }

    @Test func initWithAddressValidates() throws {
        let a = try EmailAddress(address: "ada@example.com", displayName: "Ada")
        #expect(a.address == "ada@example.com")
        #expect(a.displayName == "Ada")
        #expect(a.domain == "example.com")
        #expect(try EmailAddress(address: "x@[192.0.2.1]").domain == "[192.0.2.1]")
        #expect(try EmailAddress(address: "\"a@b\"@example.org").domain == "example.org")
        #expect(try EmailAddress(address: "ada@example.com", displayName: "   ").displayName == nil)

        #expect(throws: AddressError.self) { try EmailAddress(address: "Ada <ada@example.com>") }
        #expect(throws: AddressError.self) { try EmailAddress(address: " ada@example.com") }
        #expect(throws: AddressError(input: "ada@example.com", reason: "display name contains a line break")) {
            try EmailAddress(address: "ada@example.com", displayName: "Ada\r\nBcc: x@example.com")
        }
        #expect(throws: AddressError(input: "ada@example.com", reason: "display name contains a NUL character")) {
            try EmailAddress(address: "ada@example.com", displayName: "Ada\u{0}")
        }
        #expect(throws: AddressError(input: "ada@example.com\r\n", reason: "contains a line break")) {
            try EmailAddress(address: "ada@example.com\r\n")
        }
    }

    @Test func hashableAndEquatable() throws {
        let a = try EmailAddress(parsing: "Ada <ada@example.com>")
        let b = try EmailAddress(address: "ada@example.com", displayName: "Ada")
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a != (try EmailAddress(address: "ada@example.com")))
    }

    @Test func errorDescriptionEscapesControlCharacters() {
        let error = AddressError(input: "a\r\nb", reason: "contains a line break")
        #expect(!error.description.contains("\r"))
        #expect(!error.description.contains("\n"))
    }
}
