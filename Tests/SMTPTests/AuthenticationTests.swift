import Testing
@testable import SMTP

/// AUTH mechanism choice and the PLAIN and LOGIN exchanges, without a socket.
@Suite struct AuthenticationTests {
    typealias S = ConversationSupport
    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    /// A conversation past the greeting on implicit TLS, answering EHLO with `auth`.
    private func authenticating(_ auth: String, password: String = "s3cret") -> (SMTPConversation, [SMTPConversation.Action]) {
        var c = S.conversation(security: .implicitTLS, credentials: .init(username: "alice", password: password), port: 465)
        _ = c.tlsEstablished()
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", auth))
        return (c, actions)
    }

    @Test func plainIsPreferredThenLogin() {
        #expect(SASLMechanism.choose(offered: ["LOGIN", "PLAIN"], secure: true) == .plain)
        #expect(SASLMechanism.choose(offered: ["login"], secure: true) == .login)
        #expect(SASLMechanism.choose(offered: ["GSSAPI"], secure: true) == nil)
    }

    @Test func authLoginAnswersBothChallenges() {
        var (c, actions) = authenticating("AUTH=LOGIN")
        #expect(actions == [.send(.authLogin)])
        #expect(c.receive(reply(334, "VXNlcm5hbWU6")) == [.send(.authResponse("YWxpY2U="))])
        #expect(c.receive(reply(334, "UGFzc3dvcmQ6")) == [.send(.authResponse("czNjcmV0"))])
        #expect(c.receive(reply(235, "ok")) == [.ready])
        #expect(c.authenticationMechanism == .login)
    }

    @Test func anUnexpectedChallengeIsCancelled() {
        var (c, _) = authenticating("AUTH PLAIN")
        #expect(c.receive(reply(334, "")) == [.send(.authResponse("*"))])
        #expect(S.failure(in: c.receive(reply(501, "5.7.0 cancelled")))?.code == .authentication)
    }
}
