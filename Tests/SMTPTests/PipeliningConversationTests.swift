import Testing
@testable import SMTP

/// RFC 2920 in the state machine: the envelope in one group, replies matched in order.
@Suite struct PipeliningConversationTests {
    typealias S = ConversationSupport
    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    @Test func theWholeEnvelopeGoesOutInOneGroupWithDataLast() {
        var c = S.ready("PIPELINING")
        #expect(c.startMail(S.mail) == [
            .send(.mailFrom("no-reply@x.test", parameters: [])),
            .send(.rcptTo("ada@y.test")),
            .send(.rcptTo("bob@y.test")),
            .send(.data),
        ])
        // Each reply answers the oldest command still waiting.
        #expect(c.phase == .mailFrom)
        #expect(c.receive(reply(250, "2.1.0 Ok")) == [])
        #expect(c.phase == .rcptTo)
        #expect(c.pendingCommand == "RCPT TO:<ada@y.test>")
        #expect(c.receive(reply(250, "2.1.5 Ok")) == [])
        #expect(c.pendingCommand == "RCPT TO:<bob@y.test>")
        #expect(c.receive(reply(250, "2.1.5 Ok")) == [])
        #expect(c.phase == .data)
        #expect(c.receive(reply(354, "go ahead")) == [.send(.messageContent(S.mail.content))])
        let accepted = reply(250, "2.0.0 queued")
        #expect(c.receive(accepted) == [.delivered(accepted)])
        #expect(c.isReady)
    }

    @Test func withoutPipeliningEachCommandWaitsForItsReply() {
        var c = S.ready("SIZE 1000")
        #expect(S.sent(c.startMail(S.mail)).count == 1)
    }

    @Test func aRefusedRecipientAmongSeveralFailsTheMessageNamingIt() {
        var c = S.ready("PIPELINING")
        _ = c.startMail(S.mail)
        _ = c.receive(reply(250, "ok"))
        #expect(c.receive(reply(550, "5.1.1 no such user")) == [])
        #expect(c.receive(reply(250, "ok")) == [])
        // All recipients refused would make the server answer DATA 554; here one was accepted.
        let actions = c.receive(reply(503, "5.5.1 valid RCPT command must precede DATA"))
        let error = S.failure(in: actions)
        #expect(error?.code == .envelope)
        #expect(error?.rejectedRecipients == ["ada@y.test"])
        #expect(error?.reply?.code == 550, "the recipient's refusal is reported, not DATA's consequence")
        #expect(c.isReady)
    }

    @Test func dataAcceptedDespiteARefusedRecipientClosesWithoutSendingTheMessage() {
        var c = S.ready("PIPELINING")
        _ = c.startMail(S.mail)
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(550, "5.1.1 no such user"))
        let actions = c.receive(reply(354, "go ahead"))
        // Neither the content nor a lone "." (an empty message): the connection is dropped, which aborts the transaction.
        #expect(!actions.contains { if case .send = $0 { true } else { false } })
        #expect(actions.last == .close)
        #expect(S.failure(in: actions)?.rejectedRecipients == ["bob@y.test"])
        #expect(c.isFinished)
    }

    @Test func aRefusedSenderMakesTheRecipientRepliesConsequences() {
        var c = S.ready("PIPELINING")
        _ = c.startMail(S.mail)
        _ = c.receive(reply(553, "5.7.1 sender not owned"))
        _ = c.receive(reply(503, "5.5.1 need MAIL"))
        _ = c.receive(reply(503, "5.5.1 need MAIL"))
        let error = S.failure(in: c.receive(reply(503, "5.5.1 need MAIL")))
        #expect(error?.code == .envelope)
        #expect(error?.phase == .mailFrom)
        #expect(error?.rejectedRecipients == [])
        #expect(error?.reply?.code == 553)
    }

    @Test func aConnectionLostBeforeAnyReplyIsSafeToRetry() {
        var c = S.ready("PIPELINING")
        _ = c.startMail(S.mail)
        let error = c.connectionClosed()
        #expect(error?.code == .connection)
        #expect(error?.isSafeToRetryOnNewConnection == true)

        var accepted = S.ready("PIPELINING")
        _ = accepted.startMail(S.mail)
        _ = accepted.receive(reply(250, "ok"))
        let later = accepted.connectionClosed()
        #expect(later?.code == .connectionReset)
        #expect(later?.isSafeToRetryOnNewConnection == false)
    }

    @Test func a421InTheMiddleOfTheGroupEndsTheSession() {
        var c = S.ready("PIPELINING")
        _ = c.startMail(S.mail)
        let actions = c.receive(reply(421, "4.3.2 shutting down"))
        #expect(S.failure(in: actions)?.code == .connection)
        #expect(S.failure(in: actions)?.isSafeToRetryOnNewConnection == true)
        #expect(actions.last == .close)
    }
}
