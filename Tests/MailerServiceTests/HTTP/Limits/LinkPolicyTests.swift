import SMTPTestServer
import Testing
@testable import MailerService

/// Caller-supplied links: http(s) only, never with user-info, whitespace or control characters,
/// and with MAILER_LINK_HOSTS set only to those hosts or MAILER_BASE_URL's.
@Suite struct LinkPolicyTests {
    static let hosts = LinkHosts.parse("links.example.net, *.example.com").hosts

    @Test(arguments: [
        "https://links.example.net/r?c=1", "https://LINKS.example.net./r", "https://a.example.com/", "http://b.a.example.com:8443/x",
        "https://app.example.org/reset",  // MAILER_BASE_URL's host
    ])
    func listedHostsAndTheBaseURLsArePermitted(link: String) throws {
        try LinkPolicy(hosts: Self.hosts, baseURL: "https://app.example.org").check(link, field: "resetUrl")
    }

    @Test(arguments: ["https://example.com/", "https://evil.example/", "https://example.com.evil.example/", "https://links.example.net.evil.example/", "https://xexample.com/"])
    func otherHostsAreRefusedNamingTheAllowedOnes(link: String) {
        let problem = #expect(throws: Problem.self) {
            try LinkPolicy(hosts: Self.hosts, baseURL: "https://app.example.org").check(link, field: "resetUrl")
        }
        #expect(problem?.extra["field"] == .string("resetUrl"))
        #expect(problem?.detail.contains("links.example.net, *.example.com, app.example.org") == true, "\(problem?.detail ?? "")")
        #expect(problem?.detail.contains("MAILER_LINK_HOSTS") == true)
    }

    @Test(arguments: [
        "https://good.example@evil.example/", "https://user:pw@app.example.org/", "https://app.example.org /x", "https://app.example.org/\tx",
        "https://app.example.org/x\r\nBcc: y", "https://app.example.org/\u{202E}gpj.exe", "javascript:alert(1)", "ftp://app.example.org/", "https:///nohost", "/relative",
    ])
    func badLinksAreRefusedWhateverTheHostList(link: String) {
        for hosts in [nil, Self.hosts] {
            #expect(throws: Problem.self, "\(link)") {
                try LinkPolicy(hosts: hosts, baseURL: "https://app.example.org").check(link, field: "inviteUrl")
            }
        }
    }

    @Test func MAILER_LINK_HOSTSAppliesToResetInviteAndDataLinks() async throws {
        try await withService(smtpPort: ClosedPort.reserve(), ["MAILER_LINK_HOSTS": "*.example.com", "MAILER_PER_RECIPIENT_PER_HOUR": "0"]) { client in
            for (path, body, field) in [
                ("/v1/emails/password-reset", #"{"to": "a@example.org", "resetUrl": "https://evil.example/r"}"#, "resetUrl"),
                ("/v1/emails/invitation", #"{"to": "a@example.org", "inviteUrl": "https://evil.example/i"}"#, "inviteUrl"),
                ("/v1/emails", #"{"template": "password-reset", "to": "a@example.org", "data": {"link": "https://evil.example/r"}}"#, "data.link"),
            ] {
                let answer = try await post(client, path, body, prefer: nil)
                #expect(answer.status == .unprocessableContent, "\(path)")
                #expect(answer.json["code"] as? String == "EVALIDATION")
                #expect(answer.json["field"] as? String == field)
                #expect((answer.json["detail"] as? String)?.contains("*.example.com, app.example.com") == true, "\(answer.json)")
            }
            #expect(try await post(client, "/v1/emails/password-reset", #"{"to": "a@example.org", "resetUrl": "https://id.example.com/r"}"#, prefer: nil).status == .accepted)
            #expect(try await post(client, "/v1/emails/invitation", #"{"to": "a@example.org", "inviteUrl": "https://app.example.com/i"}"#, prefer: nil).status == .accepted)
            let userInfo = try await post(client, "/v1/emails/password-reset", #"{"to": "a@example.org", "resetUrl": "https://app.example.com@evil.example/r"}"#, prefer: nil)
            #expect(userInfo.json["field"] as? String == "resetUrl")
            #expect((userInfo.json["detail"] as? String)?.contains("user-info") == true)
        }
    }

    @Test func withoutTheListAnyHttpHostGoesButNotUserInfo() async throws {
        try await withService(smtpPort: ClosedPort.reserve()) { client in
            #expect(try await post(client, "/v1/emails/password-reset", #"{"to": "a@example.org", "resetUrl": "https://elsewhere.example/r"}"#, prefer: nil).status == .accepted)
            let spaced = try await post(client, "/v1/emails/password-reset", #"{"to": "a@example.org", "resetUrl": "https://app.example.com/r x"}"#, prefer: nil)
            #expect(spaced.status == .unprocessableContent)
            #expect((spaced.json["detail"] as? String)?.contains("whitespace") == true)
        }
    }

    @Test func theLinkTheServiceBuildsIsPercentEncoded() async throws {
        let server = try await SMTPTestServer.start()
        defer { Task { try? await server.shutdown() } }
        try await withService(smtpPort: server.port, ["SMTP_OPPORTUNISTIC_TLS": "false"]) { client in
            let answer = try await post(client, "/v1/emails/password-reset", #"{"to": "ada+x@example.org", "code": "a&b=c d/\"><"}"#)
            #expect(answer.status == .ok, "\(answer.json)")
        }
        let message = try #require(try await server.waitForMessages(1).first)
        let text = unfoldedQuotedPrintable(message.data)
        #expect(text.contains("https://app.example.com/link/reset-password?code=a%26b%3Dc%20d%2F%22%3E%3C&email=ada%2Bx%40example.org"), "\(text)")
    }

    @Test func MAILER_LINK_HOSTSIsCheckedAtStartUp() {
        #expect(configurationProblems(["MAILER_LINK_HOSTS": "app.example.com, *.example.net"]).isEmpty)
        let problems = configurationProblems(["MAILER_LINK_HOSTS": "app.example.com,,https://x.example/,*."])
        #expect(problems.map(\.variable) == ["MAILER_LINK_HOSTS", "MAILER_LINK_HOSTS", "MAILER_LINK_HOSTS"])
        #expect(problems.map(\.message).joined(separator: "\n").contains("entry 3 must be a host name such as app.example.com or *.example.com"))
    }
}

/// The message as a reader sees it: quoted-printable soft breaks joined and escapes decoded
/// (applied to the whole message, which only matters for the text parts).
func unfoldedQuotedPrintable(_ data: String) -> String {
    let bytes = Array(data.replacingOccurrences(of: "=\r\n", with: "").utf8)
    var output: [UInt8] = []
    var index = 0
    while index < bytes.count {
        if bytes[index] == UInt8(ascii: "="), index + 2 < bytes.count,
           let value = UInt8(String(decoding: bytes[index + 1...index + 2], as: UTF8.self), radix: 16) {
            output.append(value)
            index += 3
        } else {
            output.append(bytes[index])
            index += 1
        }
    }
    return String(decoding: output, as: UTF8.self)
}
