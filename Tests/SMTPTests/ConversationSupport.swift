@testable import SMTP

/// Builds conversations and replies for the state machine tests: no socket, no timing.
enum ConversationSupport {
    static let mail = SMTPMail(sender: "no-reply@x.test", recipients: ["ada@y.test", "bob@y.test"], content: Array("Subject: hi\r\n\r\nhello\r\n".utf8))

    static func conversation(
        security: SMTPClientConfiguration.Security = .startTLSWhenOffered,
        credentials: SMTPClientConfiguration.Credentials? = nil,
        allowInsecureAuth: Bool = false,
        requireStartTLS: Bool = false,
        oauth2Token: String? = nil,
        port: Int = 587
    ) -> SMTPConversation {
        var configuration = SMTPClientConfiguration(host: "smtp.x.test", port: port, security: security, credentials: credentials)
        configuration.allowInsecureAuth = allowInsecureAuth
        configuration.requireStartTLS = requireStartTLS
        configuration.oauth2Token = oauth2Token.map(SMTPClientConfiguration.OAuth2Token.init)
        return SMTPConversation(settings: .init(configuration: configuration, heloName: "client.x.test"))
    }

    /// A plaintext conversation greeted with an EHLO reply announcing `extensions`: ready for a message.
    static func ready(_ extensions: String...) -> SMTPConversation {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "smtp.x.test ESMTP"))
        let actions = c.receive(SMTPReply(code: 250, lines: ["smtp.x.test"] + extensions))
        precondition(actions == [.ready], "not ready: \(actions)")
        return c
    }

    static func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    static func failure(in actions: [SMTPConversation.Action]) -> SMTPError? {
        for case .fail(let error) in actions { return error }
        return nil
    }

    static func sent(_ actions: [SMTPConversation.Action]) -> [SMTPCommand] {
        actions.compactMap { if case .send(let command) = $0 { command } else { nil } }
    }
}
