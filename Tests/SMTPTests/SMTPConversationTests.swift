import Testing
@testable import SMTP

/// Every transition of the session, driven by hand: no socket, no timing.
@Suite struct SMTPConversationTests {
    static let mail = SMTPMail(sender: "no-reply@x.test", recipients: ["ada@y.test", "bob@y.test"], content: Array("Subject: hi\r\n\r\nhello\r\n".utf8))

    private func conversation(
        security: SMTPClientConfiguration.Security = .startTLSWhenOffered,
        credentials: SMTPClientConfiguration.Credentials? = nil,
        allowInsecureAuth: Bool = false,
        port: Int = 587,
        mail: SMTPMail = Self.mail
    ) -> SMTPConversation {
        var configuration = SMTPClientConfiguration(host: "smtp.x.test", port: port, security: security, credentials: credentials)
        configuration.allowInsecureAuth = allowInsecureAuth
        return SMTPConversation(settings: .init(configuration: configuration, heloName: "client.x.test"), mail: mail)
    }

    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    private func failure(in actions: [SMTPConversation.Action]) -> SMTPError? {
        for case .fail(let error) in actions { return error }
        return nil
    }

    @Test func plaintextDeliveryWalksTheWholeEnvelope() {
        var c = conversation(security: .plaintext)
        #expect(c.wait == .greeting)
        #expect(c.receive(reply(220, "smtp.x.test ESMTP")) == [.send(.ehlo("client.x.test"))])
        #expect(c.receive(reply(250, "smtp.x.test", "PIPELINING", "STARTTLS")) == [.send(.mailFrom("no-reply@x.test", parameters: []))])
        #expect(c.receive(reply(250, "2.1.0 Ok")) == [.send(.rcptTo("ada@y.test"))])
        #expect(c.receive(reply(250, "2.1.5 Ok")) == [.send(.rcptTo("bob@y.test"))])
        #expect(c.receive(reply(250, "2.1.5 Ok")) == [.send(.data)])
        #expect(c.receive(reply(354, "go ahead")) == [.send(.messageContent(Self.mail.content))])
        #expect(c.wait == .dataCompletion)
        let accepted = reply(250, "2.0.0 Ok: queued as ABC")
        #expect(c.receive(accepted) == [.delivered(accepted), .send(.quit)])
        #expect(c.receive(reply(221, "bye")) == [.close])
        #expect(c.isFinished)
        #expect(c.connectionClosed() == nil)
    }

    @Test func startTLSIsUsedWhenOfferedAndEHLOIsRepeatedAfterIt() {
        var c = conversation(credentials: .init(username: "alice", password: "s3cret"))
        _ = c.receive(reply(220, "ready"))
        #expect(c.receive(reply(250, "smtp.x.test", "STARTTLS")) == [.send(.startTLS)])
        #expect(c.receive(reply(220, "2.0.0 go ahead")) == [.startTLSHandshake])
        #expect(c.wait == .tlsHandshake)
        #expect(c.tlsEstablished() == [.send(.ehlo("client.x.test"))])
        #expect(c.isSecure)
        // "\0alice\0s3cret" in base64
        #expect(c.receive(reply(250, "smtp.x.test", "AUTH PLAIN LOGIN")) == [.send(.authPlain(initialResponse: "AGFsaWNlAHMzY3JldA=="))])
        #expect(c.receive(reply(235, "2.7.0 ok")) == [.send(.mailFrom("no-reply@x.test", parameters: []))])
        #expect(c.isAuthenticated)
    }

    @Test func authLoginAnswersBothChallenges() {
        var c = conversation(security: .implicitTLS, credentials: .init(username: "alice", password: "s3cret"))
        _ = c.receive(reply(220, "ready"))
        #expect(c.receive(reply(250, "smtp.x.test", "AUTH=LOGIN")) == [.send(.authLogin)])
        #expect(c.receive(reply(334, "VXNlcm5hbWU6")) == [.send(.authResponse("YWxpY2U="))])
        #expect(c.receive(reply(334, "UGFzc3dvcmQ6")) == [.send(.authResponse("czNjcmV0"))])
        #expect(c.receive(reply(235, "ok")) == [.send(.mailFrom("no-reply@x.test", parameters: []))])
    }

    @Test func rejectedCredentialsAreEAUTHAndTheSessionEndsPolitely() {
        var c = conversation(security: .implicitTLS, credentials: .init(username: "alice", password: "wrong"))
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test", "AUTH PLAIN"))
        let actions = c.receive(reply(535, "5.7.8 Authentication credentials invalid"))
        #expect(failure(in: actions)?.code == .authentication)
        #expect(failure(in: actions)?.hint.contains("app password") == true)
        #expect(actions.last == .send(.quit))
        #expect(failure(in: actions)?.description.contains("wrong") == false)
    }

    @Test func credentialsAreNeverSentInPlaintextUnlessAllowed() {
        var c = conversation(credentials: .init(username: "alice", password: "s3cret"))
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", "AUTH PLAIN LOGIN"))
        #expect(failure(in: actions)?.code == .authentication)
        #expect(failure(in: actions)?.hint.contains("SMTP_ALLOW_INSECURE_AUTH") == true)
        #expect(!actions.contains { if case .send(.authPlain) = $0 { true } else { false } })

        var allowed = conversation(credentials: .init(username: "alice", password: "s3cret"), allowInsecureAuth: true)
        _ = allowed.receive(reply(220, "ready"))
        #expect(allowed.receive(reply(250, "smtp.x.test", "AUTH PLAIN")) == [.send(.authPlain(initialResponse: "AGFsaWNlAHMzY3JldA=="))])
    }

    @Test func missingAuthSupportIsEAUTHWithAHint() {
        var c = conversation(security: .implicitTLS, credentials: .init(username: "alice", password: "s3cret"))
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", "AUTH CRAM-MD5"))
        #expect(failure(in: actions)?.code == .authentication)
        #expect(failure(in: actions)?.message.contains("CRAM-MD5") == true)
    }

    @Test func refusedRecipientIsEENVELOPEAndKnowsWhetherToRetry() {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test"))
        _ = c.receive(reply(250, "ok"))
        let permanent = failure(in: c.receive(reply(550, "5.1.1 no such user")))
        #expect(permanent?.code == .envelope)
        #expect(permanent?.isTransient == false)
        #expect(permanent?.reply?.enhancedStatusCode == "5.1.1")
        #expect(permanent?.command == "RCPT TO:<ada@y.test>")

        var greylisted = conversation(security: .plaintext)
        _ = greylisted.receive(reply(220, "ready"))
        _ = greylisted.receive(reply(250, "smtp.x.test"))
        _ = greylisted.receive(reply(250, "ok"))
        #expect(failure(in: greylisted.receive(reply(451, "4.7.1 greylisted")))?.isTransient == true)
    }

    @Test func refusedSenderIsEENVELOPEButAuthRequiredIsEAUTH() {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test"))
        #expect(failure(in: c.receive(reply(553, "5.7.1 sender not owned")))?.code == .envelope)

        var needsAuth = conversation(security: .plaintext)
        _ = needsAuth.receive(reply(220, "ready"))
        _ = needsAuth.receive(reply(250, "smtp.x.test"))
        #expect(failure(in: needsAuth.receive(reply(530, "5.7.0 Authentication required")))?.code == .authentication)
    }

    @Test func refusedContentIsEMESSAGE() {
        var c = conversation(security: .plaintext, mail: SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("x\r\n".utf8)))
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test"))
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(354, "go"))
        let actions = c.receive(reply(554, "5.7.1 spam"))
        #expect(failure(in: actions)?.code == .message)
        #expect(actions.last == .send(.quit))
    }

    @Test func messageOverTheAnnouncedSizeIsRefusedBeforeSending() {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", "SIZE 10"))
        #expect(failure(in: actions)?.code == .message)
        var fits = conversation(security: .plaintext)
        _ = fits.receive(reply(220, "ready"))
        #expect(fits.receive(reply(250, "smtp.x.test", "SIZE 100000")) == [.send(.mailFrom("no-reply@x.test", parameters: ["SIZE=\(Self.mail.content.count)"]))])
    }

    @Test func refusingGreetingIsEPROTOCOL() {
        var c = conversation()
        #expect(failure(in: c.receive(reply(554, "no service for you")))?.code == .protocolError)
    }

    @Test func serverWithoutEHLOGetsHELO() {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        #expect(c.receive(reply(502, "5.5.2 command not recognised")) == [.send(.helo("client.x.test"))])
        #expect(c.receive(reply(250, "hello")) == [.send(.mailFrom("no-reply@x.test", parameters: []))])
    }

    @Test func refusedSTARTTLSIsETLS() {
        var c = conversation()
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test", "STARTTLS"))
        #expect(failure(in: c.receive(reply(454, "4.7.0 TLS not available")))?.code == .tls)
    }

    @Test func silentServerIsETLSUnlessTLSIsAlreadyOn() {
        var on465 = conversation(security: .startTLSWhenOffered, port: 465)
        let error465 = failure(in: on465.timedOut(after: .seconds(1)))
        #expect(error465?.code == .tls)
        #expect(error465?.hint == "port 465 usually expects implicit TLS: set SMTP_TLS=true")

        var elsewhere = conversation(security: .plaintext, port: 2525)
        #expect(failure(in: elsewhere.timedOut(after: .seconds(1)))?.code == .tls)

        var implicit = conversation(security: .implicitTLS, port: 465)
        #expect(failure(in: implicit.timedOut(after: .seconds(1)))?.code == .timedOut)
    }

    @Test func reply421EndsTheSessionAtAnyStep() {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(421, "4.7.0 too many connections"))
        #expect(failure(in: actions)?.code == .connection)
        #expect(actions.last == .close)
        #expect(c.isFinished)
    }

    @Test func lossAfterTheMessageWarnsOfDuplicates() {
        var c = conversation(security: .plaintext)
        for r in [reply(220, "ready"), reply(250, "x"), reply(250, "ok"), reply(250, "ok"), reply(250, "ok"), reply(354, "go")] { _ = c.receive(r) }
        let error = c.connectionClosed()
        #expect(error?.code == .connection)
        #expect(error?.hint.contains("twice") == true)
    }

    @Test func timeoutAfterACommandNamesTheCommand() {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test"))
        let actions = c.timedOut(after: .seconds(30))
        #expect(failure(in: actions)?.code == .timedOut)
        #expect(failure(in: actions)?.command == "MAIL FROM:<no-reply@x.test>")
        #expect(actions.last == .close)
    }

    @Test func closedConnectionMidSessionIsECONNECTION() {
        var c = conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        let error = c.connectionClosed()
        #expect(error?.code == .connection)
        #expect(error?.message.contains("EHLO") == true)
    }
}
