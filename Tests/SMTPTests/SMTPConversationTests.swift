import Testing
@testable import SMTP

/// Every transition of establishing a session and of one message, driven by hand: no socket, no timing.
@Suite struct SMTPConversationTests {
    typealias S = ConversationSupport
    static let mail = S.mail

    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }
    private func failure(in actions: [SMTPConversation.Action]) -> SMTPError? { S.failure(in: actions) }

    @Test func plaintextDeliveryWalksTheWholeEnvelopeOneCommandAtATime() {
        var c = S.conversation(security: .plaintext)
        #expect(c.wait == .greeting)
        #expect(c.receive(reply(220, "smtp.x.test ESMTP")) == [.send(.ehlo("client.x.test"))])
        #expect(c.receive(reply(250, "smtp.x.test", "STARTTLS")) == [.ready])
        #expect(c.isReady)
        #expect(c.wait == .nothing)
        #expect(c.startMail(Self.mail) == [.send(.mailFrom("no-reply@x.test", parameters: []))])
        #expect(c.phase == .mailFrom)
        #expect(c.receive(reply(250, "2.1.0 Ok")) == [.send(.rcptTo("ada@y.test"))])
        #expect(c.receive(reply(250, "2.1.5 Ok")) == [.send(.rcptTo("bob@y.test"))])
        #expect(c.receive(reply(250, "2.1.5 Ok")) == [.send(.data)])
        #expect(c.receive(reply(354, "go ahead")) == [.send(.messageContent(Self.mail.content))])
        #expect(c.wait == .dataCompletion)
        #expect(c.phase == .endOfMessage)
        let accepted = reply(250, "2.0.0 Ok: queued as ABC")
        #expect(c.receive(accepted) == [.delivered(accepted)])
        #expect(c.isReady)
        #expect(c.quit() == [.send(.quit)])
        #expect(c.receive(reply(221, "bye")) == [.close])
        #expect(c.isFinished)
        #expect(c.connectionClosed() == nil)
    }

    @Test func startTLSIsUsedWhenOfferedAndEHLOIsRepeatedAfterIt() {
        var c = S.conversation(credentials: .init(username: "alice", password: "s3cret"))
        _ = c.receive(reply(220, "ready"))
        #expect(c.receive(reply(250, "smtp.x.test", "STARTTLS")) == [.send(.startTLS)])
        #expect(c.receive(reply(220, "2.0.0 go ahead")) == [.startTLSHandshake])
        #expect(c.wait == .tlsHandshake)
        #expect(c.phase == .tlsHandshake)
        #expect(c.tlsEstablished() == [.send(.ehlo("client.x.test"))])
        #expect(c.isSecure)
        // "\0alice\0s3cret" in base64
        #expect(c.receive(reply(250, "smtp.x.test", "AUTH PLAIN LOGIN")) == [.send(.authPlain(initialResponse: "AGFsaWNlAHMzY3JldA=="))])
        #expect(c.receive(reply(235, "2.7.0 ok")) == [.ready])
        #expect(c.isAuthenticated)
        #expect(c.authenticationMechanism == .plain)
    }

    @Test func implicitTLSWaitsForTheHandshakeBeforeTheGreeting() {
        var c = S.conversation(security: .implicitTLS, port: 465)
        #expect(c.wait == .tlsHandshake)
        #expect(c.tlsEstablished() == [])
        #expect(c.wait == .greeting)
        #expect(c.isSecure)
        #expect(c.receive(reply(220, "ready")) == [.send(.ehlo("client.x.test"))])
    }

    @Test func requireStartTLSRefusesAServerWithoutIt() {
        var c = S.conversation(requireStartTLS: true)
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", "AUTH PLAIN"))
        let error = failure(in: actions)
        #expect(error?.code == .tls)
        #expect(error?.hint.contains("SMTP_REQUIRE_STARTTLS") == true)
        #expect(error?.phase == .ehlo)
        #expect(actions.last == .send(.quit))
        #expect(!c.isReady)

        // Without the requirement the session goes on in plaintext, as before.
        var lenient = S.conversation()
        _ = lenient.receive(reply(220, "ready"))
        #expect(lenient.receive(reply(250, "smtp.x.test")) == [.ready])

        // With it, a server that offers STARTTLS is simply upgraded.
        var offered = S.conversation(requireStartTLS: true)
        _ = offered.receive(reply(220, "ready"))
        #expect(offered.receive(reply(250, "smtp.x.test", "STARTTLS")) == [.send(.startTLS)])
    }

    @Test func rejectedCredentialsAreEAUTHAndTheSessionEndsPolitely() {
        var c = S.conversation(security: .implicitTLS, credentials: .init(username: "alice", password: "wrong"))
        _ = c.tlsEstablished()
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test", "AUTH PLAIN"))
        let actions = c.receive(reply(535, "5.7.8 Authentication credentials invalid"))
        #expect(failure(in: actions)?.code == .authentication)
        #expect(failure(in: actions)?.hint.contains("app password") == true)
        #expect(failure(in: actions)?.phase == .auth)
        #expect(failure(in: actions)?.enhancedStatusCode?.description == "5.7.8")
        #expect(actions.last == .send(.quit))
        #expect(failure(in: actions)?.description.contains("wrong") == false)
    }

    @Test func credentialsAreNeverSentInPlaintextUnlessAllowed() {
        var c = S.conversation(credentials: .init(username: "alice", password: "s3cret"))
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", "AUTH PLAIN LOGIN"))
        #expect(failure(in: actions)?.code == .authentication)
        #expect(failure(in: actions)?.hint.contains("SMTP_ALLOW_INSECURE_AUTH") == true)
        #expect(!actions.contains { if case .send(.authPlain) = $0 { true } else { false } })

        var allowed = S.conversation(credentials: .init(username: "alice", password: "s3cret"), allowInsecureAuth: true)
        _ = allowed.receive(reply(220, "ready"))
        #expect(allowed.receive(reply(250, "smtp.x.test", "AUTH PLAIN")) == [.send(.authPlain(initialResponse: "AGFsaWNlAHMzY3JldA=="))])
    }

    @Test func missingAuthSupportIsEAUTHWithAHint() {
        var c = S.conversation(security: .implicitTLS, credentials: .init(username: "alice", password: "s3cret"))
        _ = c.tlsEstablished()
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(250, "smtp.x.test", "AUTH GSSAPI NTLM"))
        #expect(failure(in: actions)?.code == .authentication)
        #expect(failure(in: actions)?.message.contains("GSSAPI") == true)
    }

    @Test func refusedRecipientIsEENVELOPEAndKnowsWhetherToRetry() {
        var c = S.ready()
        _ = c.startMail(Self.mail)
        _ = c.receive(reply(250, "ok"))
        #expect(c.receive(reply(550, "5.1.1 no such user")) == [.send(.rcptTo("bob@y.test"))])
        let permanent = failure(in: c.receive(reply(250, "ok")))
        #expect(permanent?.code == .envelope)
        #expect(permanent?.isTransient == false)
        #expect(permanent?.isPermanent == true)
        #expect(permanent?.replyCode == 550)
        #expect(permanent?.enhancedStatusCode?.description == "5.1.1")
        #expect(permanent?.command == "RCPT TO:<ada@y.test>")
        #expect(permanent?.phase == .rcptTo)
        #expect(permanent?.phase?.rawValue == "RCPT TO")
        #expect(permanent?.rejectedRecipients == ["ada@y.test"])
        #expect(permanent?.isSafeToRetryOnNewConnection == false)
        #expect(c.isReady, "a refused recipient leaves the session usable")

        var greylisted = S.ready()
        _ = greylisted.startMail(Self.mail)
        _ = greylisted.receive(reply(250, "ok"))
        _ = greylisted.receive(reply(451, "4.7.1 greylisted"))
        let deferred = failure(in: greylisted.receive(reply(451, "4.7.1 greylisted")))
        #expect(deferred?.isTransient == true)
        #expect(deferred?.rejectedRecipients == ["ada@y.test", "bob@y.test"])
    }

    @Test func aMixOfPermanentAndTransientRefusalsIsPermanent() {
        var c = S.ready()
        _ = c.startMail(Self.mail)
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(451, "4.7.1 greylisted"))
        let error = failure(in: c.receive(reply(550, "5.1.1 unknown")))
        #expect(error?.isTransient == false)
        #expect(error?.message.contains("ada@y.test, bob@y.test") == true)
    }

    @Test func refusedSenderIsEENVELOPEButAuthRequiredIsEAUTH() {
        var c = S.ready()
        _ = c.startMail(Self.mail)
        let refused = failure(in: c.receive(reply(553, "5.7.1 sender not owned")))
        #expect(refused?.code == .envelope)
        #expect(refused?.phase == .mailFrom)
        #expect(c.isReady)

        var needsAuth = S.ready()
        _ = needsAuth.startMail(Self.mail)
        #expect(failure(in: needsAuth.receive(reply(530, "5.7.0 Authentication required")))?.code == .authentication)
    }

    @Test func refusedContentIsEMESSAGEAndTheSessionStaysUsable() {
        var c = S.ready()
        _ = c.startMail(SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("x\r\n".utf8)))
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(354, "go"))
        let actions = c.receive(reply(554, "5.7.1 spam"))
        #expect(failure(in: actions)?.code == .message)
        #expect(failure(in: actions)?.phase == .endOfMessage)
        #expect(actions.count == 1)
        #expect(c.isReady)
    }

    @Test func refusingGreetingIsEPROTOCOL() {
        var c = S.conversation()
        let error = failure(in: c.receive(reply(554, "no service for you")))
        #expect(error?.code == .protocolError)
        #expect(error?.phase == .greeting)
    }

    @Test func serverWithoutEHLOGetsHELO() {
        var c = S.conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        #expect(c.receive(reply(502, "5.5.2 command not recognised")) == [.send(.helo("client.x.test"))])
        #expect(c.receive(reply(250, "hello")) == [.ready])
        #expect(c.startMail(Self.mail) == [.send(.mailFrom("no-reply@x.test", parameters: []))])
    }

    @Test func refusedSTARTTLSIsETLS() {
        var c = S.conversation()
        _ = c.receive(reply(220, "ready"))
        _ = c.receive(reply(250, "smtp.x.test", "STARTTLS"))
        let error = failure(in: c.receive(reply(454, "4.7.0 TLS not available")))
        #expect(error?.code == .tls)
        #expect(error?.phase == .startTLS)
    }

    @Test func silentServerIsETLSUnlessTLSIsAlreadyOn() {
        var on465 = S.conversation(security: .startTLSWhenOffered, port: 465)
        let error465 = failure(in: on465.timedOut(after: .seconds(1)))
        #expect(error465?.code == .tls)
        #expect(error465?.hint == "port 465 usually expects implicit TLS: set SMTP_TLS=true")

        var elsewhere = S.conversation(security: .plaintext, port: 2525)
        #expect(failure(in: elsewhere.timedOut(after: .seconds(1)))?.code == .tls)

        var implicit = S.conversation(security: .implicitTLS, port: 465)
        _ = implicit.tlsEstablished()
        let silentAfterTLS = failure(in: implicit.timedOut(after: .seconds(1)))
        #expect(silentAfterTLS?.code == .timedOut)
        #expect(silentAfterTLS?.phase == .greeting)
    }

    @Test func timeoutsSayWhichPhase() {
        var handshake = S.conversation(security: .implicitTLS, port: 465)
        let tls = failure(in: handshake.timedOut(after: .seconds(3)))
        #expect(tls?.code == .timedOut)
        #expect(tls?.phase == .tlsHandshake)
        #expect(tls?.message.contains("TLS handshake") == true)

        var command = S.ready()
        _ = command.startMail(Self.mail)
        _ = command.receive(reply(250, "ok"))
        let rcpt = failure(in: command.timedOut(after: .seconds(30)))
        #expect(rcpt?.code == .timedOut)
        #expect(rcpt?.phase == .rcptTo)
        #expect(rcpt?.command == "RCPT TO:<ada@y.test>")
        #expect(rcpt?.message.contains("RCPT TO") == true)

        var dataEnd = S.ready()
        _ = dataEnd.startMail(SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: [65]))
        for r in [reply(250, "ok"), reply(250, "ok"), reply(354, "go")] { _ = dataEnd.receive(r) }
        let end = failure(in: dataEnd.timedOut(after: .seconds(60)))
        #expect(end?.phase == .endOfMessage)
        #expect(end?.message.contains("DATA end") == true)
        #expect(end?.hint.contains("twice") == true)
    }

    @Test func reply421EndsTheSessionAtAnyStep() {
        var c = S.conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        let actions = c.receive(reply(421, "4.7.0 too many connections"))
        #expect(failure(in: actions)?.code == .connection)
        #expect(failure(in: actions)?.isTransient == true)
        #expect(actions.last == .close)
        #expect(c.isFinished)
    }

    @Test func lossDuringDataIsECONNRESETAndWarnsOfDuplicates() {
        var c = S.ready()
        _ = c.startMail(Self.mail)
        for r in [reply(250, "ok"), reply(250, "ok"), reply(250, "ok"), reply(354, "go")] { _ = c.receive(r) }
        let error = c.connectionClosed()
        #expect(error?.code == .connectionReset)
        #expect(error?.isTransient == true)
        #expect(error?.phase == .endOfMessage)
        #expect(error?.hint.contains("twice") == true)
        #expect(error?.isSafeToRetryOnNewConnection == false)
    }

    @Test func closedConnectionMidSessionIsECONNECTION() {
        var c = S.conversation(security: .plaintext)
        _ = c.receive(reply(220, "ready"))
        let error = c.connectionClosed()
        #expect(error?.code == .connection)
        #expect(error?.message.contains("EHLO") == true)
        #expect(error?.phase == .ehlo)
    }
}
