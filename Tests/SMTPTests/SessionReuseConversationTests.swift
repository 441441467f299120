import Testing
@testable import SMTP

/// Several messages on one session: MAIL directly after a delivery, RSET after a failure, QUIT at the end.
@Suite struct SessionReuseConversationTests {
    typealias S = ConversationSupport
    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }
    static let one = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("one\r\n".utf8))
    static let two = SMTPMail(sender: "a@x.test", recipients: ["c@y.test"], content: Array("two\r\n".utf8))

    private func deliver(_ mail: SMTPMail, on c: inout SMTPConversation) -> [SMTPConversation.Action] {
        _ = c.startMail(mail)
        for r in [reply(250, "ok"), reply(250, "ok"), reply(354, "go")] { _ = c.receive(r) }
        return c.receive(reply(250, "queued"))
    }

    @Test func aDeliveredMessageIsFollowedByMAILWithoutRSET() {
        var c = S.ready()
        #expect(deliver(Self.one, on: &c) == [.delivered(reply(250, "queued"))])
        #expect(c.startMail(Self.two) == [.send(.mailFrom("a@x.test", parameters: []))])
        #expect(c.messagesStarted == 2)
    }

    @Test func aFailedTransactionIsResetBeforeTheNextMessage() {
        var c = S.ready()
        _ = c.startMail(Self.one)
        _ = c.receive(reply(250, "ok"))
        #expect(S.failure(in: c.receive(reply(550, "5.1.1 unknown"))) != nil)
        #expect(c.startMail(Self.two) == [.send(.reset)])
        #expect(c.phase == .reset)
        #expect(c.receive(reply(250, "2.0.0 Ok")) == [.send(.mailFrom("a@x.test", parameters: []))])
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(250, "ok"))
        _ = c.receive(reply(354, "go"))
        #expect(c.receive(reply(250, "queued")) == [.delivered(reply(250, "queued"))])
        // The reset was consumed: the third message starts with MAIL again.
        #expect(c.startMail(Self.one) == [.send(.mailFrom("a@x.test", parameters: []))])
    }

    @Test func aMessageRefusedLocallyNeedsNoReset() {
        var c = S.ready("SIZE 3")
        #expect(S.failure(in: c.startMail(Self.one))?.code == .message)
        #expect(c.isReady)
        #expect(S.sent(c.startMail(SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: [65]))) == [.mailFrom("a@x.test", parameters: ["SIZE=3"])])
    }

    @Test func aServerThatClosedWhileIdleMakesTheNextMessageSafeToRetry() {
        var c = S.ready()
        _ = deliver(Self.one, on: &c)
        let idle = c.connectionClosed()
        #expect(idle?.phase == .idle)
        #expect(idle?.isSafeToRetryOnNewConnection == true)
        let next = S.failure(in: c.startMail(Self.two))
        #expect(next?.code == .connection)
        #expect(next?.isSafeToRetryOnNewConnection == true)
    }

    @Test func an421WhileIdleEndsTheSession() {
        var c = S.ready()
        let actions = c.receive(reply(421, "4.4.2 timeout exceeded"))
        #expect(actions.last == .close)
        #expect(S.failure(in: actions)?.isSafeToRetryOnNewConnection == true)
        #expect(!c.isReady)
    }

    @Test func aMessageIsNotStartedWhileAnotherIsUnderWay() {
        var c = S.ready()
        _ = c.startMail(Self.one)
        let busy = S.failure(in: c.startMail(Self.two))
        #expect(busy?.code == .protocolError)
        #expect(c.phase == .mailFrom, "the first message goes on")
    }

    @Test func quitInTheMiddleOfATransactionClosesWithoutQUIT() {
        var c = S.ready()
        _ = c.startMail(Self.one)
        #expect(c.quit() == [.close])
        #expect(c.isFinished)
    }

    @Test func aSilentRSETTimesOutSafely() {
        var c = S.ready()
        _ = c.startMail(Self.one)
        _ = c.receive(reply(550, "5.7.1 no"))
        _ = c.startMail(Self.two)
        let error = S.failure(in: c.timedOut(after: .seconds(5)))
        #expect(error?.phase == .reset)
        #expect(error?.isSafeToRetryOnNewConnection == true)
    }
}
