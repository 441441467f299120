import Testing
@testable import SMTP

/// AUTH mechanism choice and the PLAIN, LOGIN, CRAM-MD5 and XOAUTH2 exchanges, without a socket.
@Suite struct AuthenticationTests {
    typealias S = ConversationSupport
    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    /// A conversation past the greeting on implicit TLS, answering EHLO with `auth`.
    private func authenticating(_ auth: String, password: String = "s3cret", oauth2Token: String? = nil, secure: Bool = true) -> (SMTPConversation, [SMTPConversation.Action]) {
        var c = S.conversation(
            security: secure ? .implicitTLS : .plaintext,
            credentials: .init(username: "alice", password: password),
            allowInsecureAuth: !secure,
            oauth2Token: oauth2Token,
            port: secure ? 465 : 25
        )
        if secure { _ = c.tlsEstablished() }
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", auth))
        return (c, actions)
    }

    @Test func overTLSPlainIsPreferredThenLoginThenCRAMMD5() {
        #expect(SASLMechanism.choose(offered: ["CRAM-MD5", "LOGIN", "PLAIN"], secure: true, oauth2: false) == .plain)
        #expect(SASLMechanism.choose(offered: ["CRAM-MD5", "LOGIN"], secure: true, oauth2: false) == .login)
        #expect(SASLMechanism.choose(offered: ["CRAM-MD5"], secure: true, oauth2: false) == .cramMD5)
        #expect(SASLMechanism.choose(offered: ["GSSAPI"], secure: true, oauth2: false) == nil)
    }

    @Test func withoutTLSCRAMMD5ComesFirstBecauseItDoesNotSendThePassword() {
        #expect(SASLMechanism.choose(offered: ["PLAIN", "LOGIN", "CRAM-MD5"], secure: false, oauth2: false) == .cramMD5)
        #expect(SASLMechanism.choose(offered: ["PLAIN", "LOGIN"], secure: false, oauth2: false) == .plain)
    }

    @Test func anOAuth2TokenOnlyEverUsesXOAUTH2() {
        #expect(SASLMechanism.choose(offered: ["PLAIN", "XOAUTH2"], secure: true, oauth2: true) == .xoauth2)
        #expect(SASLMechanism.choose(offered: ["PLAIN", "LOGIN"], secure: true, oauth2: true) == nil)
    }

    @Test func cramMD5AnswersTheRFC2195Example() {
        // RFC 2195 §2: user "tim", password "tanstaaftanstaaf".
        let challenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
        #expect(CRAMMD5.response(username: "tim", password: "tanstaaftanstaaf", challenge: challenge)
            == "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")
        #expect(CRAMMD5.response(username: "tim", password: "other", challenge: challenge)
            != "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw")
        #expect(CRAMMD5.response(username: "tim", password: "x", challenge: "not base64!") == nil)
    }

    @Test func cramMD5ExchangeOnAPlaintextConnection() {
        var (c, actions) = authenticating("AUTH PLAIN LOGIN CRAM-MD5", password: "tanstaaftanstaaf", secure: false)
        #expect(actions == [.send(.authCRAMMD5)])
        let challenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
        guard case .send(.authResponse(let answer)) = c.receive(reply(334, challenge)).first else {
            Issue.record("no answer to the challenge")
            return
        }
        #expect(Base64.decode(answer).map { String(decoding: $0, as: UTF8.self) } == "alice b913a602c7eda7a495b4e6e7334d3890")
        #expect(c.receive(reply(235, "2.7.0 ok")) == [.ready])
        #expect(c.authenticationMechanism == .cramMD5)
    }

    @Test func authLoginAnswersBothChallenges() {
        var (c, actions) = authenticating("AUTH=LOGIN")
        #expect(actions == [.send(.authLogin)])
        #expect(c.receive(reply(334, "VXNlcm5hbWU6")) == [.send(.authResponse("YWxpY2U="))])
        #expect(c.receive(reply(334, "UGFzc3dvcmQ6")) == [.send(.authResponse("czNjcmV0"))])
        #expect(c.receive(reply(235, "ok")) == [.ready])
    }

    @Test func xoauth2SendsTheBearerTokenInTheSASLFormat() {
        var (c, actions) = authenticating("AUTH PLAIN XOAUTH2", oauth2Token: "ya29.token")
        let expected = Base64.encode(Array("user=alice\u{01}auth=Bearer ya29.token\u{01}\u{01}".utf8))
        #expect(actions == [.send(.authXOAUTH2(initialResponse: expected))])
        #expect(!SMTPCommand.authXOAUTH2(initialResponse: expected).redactedDescription.contains(expected))
        #expect(c.receive(reply(235, "2.7.0 Accepted")) == [.ready])
        #expect(c.authenticationMechanism == .xoauth2)
    }

    @Test func aRefusedTokenIsAnsweredWithAnEmptyLineAndReportedWithTheServersReason() {
        var (c, _) = authenticating("AUTH XOAUTH2", oauth2Token: "expired")
        let json = #"{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}"#
        #expect(c.receive(reply(334, Base64.encode(Array(json.utf8)))) == [.send(.authResponse(""))])
        let actions = c.receive(reply(535, "5.7.8 Username and Password not accepted"))
        let error = S.failure(in: actions)
        #expect(error?.code == .authentication)
        #expect(error?.message.contains("\"status\":\"401\"") == true)
        #expect(error?.hint.contains("SMTP_OAUTH2_TOKEN") == true)
        #expect(error?.description.contains("expired") == false)
    }

    @Test func aTokenForAServerWithoutXOAUTH2IsEAUTH() {
        let (_, actions) = authenticating("AUTH PLAIN LOGIN", oauth2Token: "ya29.token")
        let error = S.failure(in: actions)
        #expect(error?.code == .authentication)
        #expect(error?.message.contains("XOAUTH2") == true)
    }

    @Test func anUnexpectedChallengeIsCancelled() {
        var (c, _) = authenticating("AUTH PLAIN")
        #expect(c.receive(reply(334, "")) == [.send(.authResponse("*"))])
        #expect(S.failure(in: c.receive(reply(501, "5.7.0 cancelled")))?.code == .authentication)
    }
}
