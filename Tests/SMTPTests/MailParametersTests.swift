import Testing
@testable import SMTP

/// SIZE (RFC 1870), 8BITMIME (RFC 6152) and SMTPUTF8 (RFC 6531) on MAIL FROM, decided before anything is sent.
@Suite struct MailParametersTests {
    typealias S = ConversationSupport
    static let ascii = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("Subject: hi\r\n\r\nplain\r\n".utf8))
    static let eightBit = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("Subject: hi\r\n\r\nGrüße\r\n".utf8))
    static let international = SMTPMail(sender: "a@x.test", recipients: ["jörg@bücher.test"], content: Array("Subject: hi\r\n\r\nGrüße\r\n".utf8))

    @Test func sizeIsDeclaredWhenAnnouncedEvenWithoutALimit() {
        var limited = S.ready("SIZE 100000")
        #expect(S.sent(limited.startMail(Self.ascii)) == [.mailFrom("a@x.test", parameters: ["SIZE=\(Self.ascii.content.count)"])])
        var unlimited = S.ready("SIZE")
        #expect(S.sent(unlimited.startMail(Self.ascii)) == [.mailFrom("a@x.test", parameters: ["SIZE=\(Self.ascii.content.count)"])])
        var none = S.ready()
        #expect(S.sent(none.startMail(Self.ascii)) == [.mailFrom("a@x.test", parameters: [])])
    }

    @Test func theDeclaredSizeCountsLineEndingsAsTheyGoOnTheWire() {
        // Bare LFs become CRLF on the wire, and a missing final line ending is added.
        let mail = SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: Array("a\nb".utf8))
        var c = S.ready("SIZE 1000")
        #expect(S.sent(c.startMail(mail)) == [.mailFrom("a@x.test", parameters: ["SIZE=6"])])
    }

    @Test func aMessageOverTheLimitIsEMESSAGEBeforeAnythingIsSent() {
        var c = S.ready("SIZE 10")
        let actions = c.startMail(Self.ascii)
        #expect(S.sent(actions).isEmpty)
        let error = S.failure(in: actions)
        #expect(error?.code == .message)
        #expect(error?.message.contains("at most 10") == true)
        #expect(error?.isTransient == false)
    }

    @Test func eightBitContentIsDeclaredWhenTheServerOffers8BITMIME() {
        var offered = S.ready("8BITMIME")
        #expect(S.sent(offered.startMail(Self.eightBit)) == [.mailFrom("a@x.test", parameters: ["BODY=8BITMIME"])])
        var sevenBit = S.ready("8BITMIME")
        #expect(S.sent(sevenBit.startMail(Self.ascii)) == [.mailFrom("a@x.test", parameters: [])])
        var notOffered = S.ready()
        #expect(S.sent(notOffered.startMail(Self.eightBit)) == [.mailFrom("a@x.test", parameters: [])])
    }

    @Test func internationalAddressesAskForSMTPUTF8() {
        var c = S.ready("8BITMIME", "SMTPUTF8", "SIZE 0")
        let size = Self.international.content.count
        #expect(S.sent(c.startMail(Self.international)) == [.mailFrom("a@x.test", parameters: ["SIZE=\(size)", "BODY=8BITMIME", "SMTPUTF8"])])
    }

    @Test func internationalAddressesWithoutServerSupportFailLocallyWithAHint() {
        var c = S.ready("8BITMIME")
        let actions = c.startMail(Self.international)
        #expect(S.sent(actions).isEmpty)
        let error = S.failure(in: actions)
        #expect(error?.code == .envelope)
        #expect(error?.rejectedRecipients == ["jörg@bücher.test"])
        #expect(error?.hint.contains("SMTPUTF8") == true)
        #expect(c.isReady)
    }

    @Test func aMessageWithoutRecipientsIsRefusedLocally() {
        var c = S.ready()
        #expect(S.failure(in: c.startMail(SMTPMail(sender: "a@x.test", recipients: [], content: [])))?.code == .envelope)
    }
}
