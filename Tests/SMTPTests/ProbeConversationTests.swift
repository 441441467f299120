import Testing
@testable import SMTP

/// The envelope probe of `mailer check-smtp`: MAIL FROM and RCPT TO as a real message would send
/// them, then RSET instead of DATA.
@Suite struct ProbeConversationTests {
    typealias S = ConversationSupport

    @Test func withoutPipeliningEachCommandWaitsForItsReplyAndRSETEndsIt() {
        var c = S.ready()
        #expect(c.startProbe(sender: "a@x.test", recipients: ["b@y.test"]) == [.send(.mailFrom("a@x.test", parameters: []))])
        #expect(c.phase == .mailFrom)
        #expect(c.receive(S.reply(250, "2.1.0 Ok")) == [.send(.rcptTo("b@y.test"))])
        #expect(c.phase == .rcptTo)
        #expect(c.receive(S.reply(250, "2.1.5 Ok")) == [.send(.reset)])
        #expect(c.phase == .reset)
        #expect(c.pendingCommand == "RSET")
        #expect(c.receive(S.reply(250, "2.0.0 Ok")) == [.probed])
        #expect(c.isReady)
        // Nothing is left open: a message after the probe starts with MAIL, not another RSET.
        #expect(c.startMail(S.mail) == [.send(.mailFrom("no-reply@x.test", parameters: []))])
    }

    @Test func withPipeliningTheEnvelopeGoesTogetherWithoutDATA() {
        var c = S.ready("PIPELINING")
        #expect(S.sent(c.startProbe(sender: "a@x.test", recipients: ["b@y.test", "c@y.test"]))
            == [.mailFrom("a@x.test", parameters: []), .rcptTo("b@y.test"), .rcptTo("c@y.test")])
        #expect(c.receive(S.reply(250, "ok")) == [])
        #expect(c.receive(S.reply(250, "ok")) == [])
        #expect(c.receive(S.reply(250, "ok")) == [.send(.reset)])
        #expect(c.receive(S.reply(250, "ok")) == [.probed])
    }

    @Test func noSizeIsDeclaredForAMessageThatDoesNotExist() {
        var c = S.ready("SIZE 1000", "8BITMIME")
        #expect(c.startProbe(sender: "a@x.test", recipients: ["b@y.test"]) == [.send(.mailFrom("a@x.test", parameters: []))])
    }

    @Test func aRefusedRecipientFailsLikeARealMessageAndTheSessionStaysUsable() {
        var c = S.ready()
        _ = c.startProbe(sender: "a@x.test", recipients: ["nobody@y.test"])
        _ = c.receive(S.reply(250, "ok"))
        let actions = c.receive(S.reply(550, "5.1.1 no such user"))
        #expect(S.sent(actions).isEmpty)
        let error = S.failure(in: actions)
        #expect(error?.code == .envelope)
        #expect(error?.phase == .rcptTo)
        #expect(error?.rejectedRecipients == ["nobody@y.test"])
        #expect(error?.hint.isEmpty == false)
        #expect(c.isReady)
        // The refused transaction is reset before the next one, as after any failed message.
        #expect(c.startMail(S.mail) == [.send(.reset)])
    }

    @Test func aRefusedSenderIsReportedEvenWhenPipelinedRecipientsEchoIt() {
        var c = S.ready("PIPELINING")
        _ = c.startProbe(sender: "a@x.test", recipients: ["b@y.test"])
        #expect(c.receive(S.reply(550, "5.7.1 sender not allowed")) == [])
        let error = S.failure(in: c.receive(S.reply(503, "5.5.1 need MAIL")))
        #expect(error?.code == .envelope)
        #expect(error?.phase == .mailFrom)
        #expect(error?.reply?.code == 550)
    }

    @Test func aRefusedRSETEndsTheSessionWithQUIT() {
        var c = S.ready()
        _ = c.startProbe(sender: "a@x.test", recipients: ["b@y.test"])
        _ = c.receive(S.reply(250, "ok"))
        _ = c.receive(S.reply(250, "ok"))
        let actions = c.receive(S.reply(502, "5.5.1 not implemented"))
        #expect(S.failure(in: actions)?.code == .protocolError)
        #expect(S.failure(in: actions)?.phase == .reset)
        #expect(S.sent(actions) == [.quit])
    }

    @Test func aProbeNeedsAnIdleFreshSession() {
        var busy = S.ready()
        _ = busy.startMail(S.mail)
        #expect(S.failure(in: busy.startProbe(sender: "a@x.test", recipients: ["b@y.test"]))?.code == .protocolError)

        var afterFailure = S.ready()
        _ = afterFailure.startMail(S.mail)
        _ = afterFailure.receive(S.reply(550, "5.7.1 no"))
        let refused = afterFailure.startProbe(sender: "a@x.test", recipients: ["b@y.test"])
        #expect(S.failure(in: refused)?.code == .protocolError)
        #expect(S.sent(refused).isEmpty)
    }

    @Test func aTimeoutDuringTheProbeNamesTheCommand() {
        var c = S.ready()
        _ = c.startProbe(sender: "a@x.test", recipients: ["b@y.test"])
        _ = c.receive(S.reply(250, "ok"))
        let error = S.failure(in: c.timedOut(after: .seconds(2)))
        #expect(error?.code == .timedOut)
        #expect(error?.phase == .rcptTo)
        #expect(error?.command == "RCPT TO:<b@y.test>")
    }
}
