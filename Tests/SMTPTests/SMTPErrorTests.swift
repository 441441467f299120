import NIOCore
import Testing
@testable import SMTP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The facts an error carries for callers: enhanced code, transient or permanent, reply code, phase.
@Suite struct SMTPErrorTests {
    static let configuration = SMTPClientConfiguration(host: "smtp.x.test", port: 587)

    @Test func enhancedStatusCodesAreParsedWhenTheyBelongToTheReply() {
        #expect(SMTPReply(code: 550, lines: ["5.1.1 <a@b> no such user"]).enhancedStatusCode == EnhancedStatusCode(statusClass: 5, subject: 1, detail: 1))
        #expect(SMTPReply(code: 451, lines: ["4.7.1 greylisted"]).enhancedStatusCode?.isTransient == true)
        #expect(SMTPReply(code: 550, lines: ["#5.1.0 Address rejected"]).enhancedStatusCode?.description == "5.1.0", "Exchange's form")
        #expect(SMTPReply(code: 250, lines: ["2.1.5 Ok", "more"]).enhancedStatusCode?.description == "2.1.5")
        // The class must match the reply: a 250 does not carry a failure code.
        #expect(SMTPReply(code: 250, lines: ["5.1.1 odd"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 550, lines: ["1.2.3 not a class"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 550, lines: ["5.1 too short"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 550, lines: ["5.1.1000 too long"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 550, lines: ["55.1.1 two digits"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 550, lines: ["no code"]).enhancedStatusCode == nil)
        #expect(SMTPReply(code: 550, lines: []).enhancedStatusCode == nil)
    }

    @Test func errorsExposeReplyCodeEnhancedCodeAndPhase() {
        let error = SMTPError.senderRejected(reply: SMTPReply(code: 553, lines: ["5.7.1 not yours"]), command: "MAIL FROM:<a@x.test>")
        #expect(error.replyCode == 553)
        #expect(error.enhancedStatusCode?.description == "5.7.1")
        #expect(error.phase == .mailFrom)
        #expect(error.isPermanent)
        let deferred = SMTPError.senderRejected(reply: SMTPReply(code: 451, lines: ["4.3.0 try later"]), command: "MAIL FROM:<a@x.test>")
        #expect(deferred.isTransient)
        #expect(deferred.hint.contains("later"))
    }

    @Test func transienceFollowsTheCodeWhenNoReplyDecides() {
        #expect(SMTPError.connectTimedOut(Self.configuration).isTransient)
        #expect(SMTPError.connectionLost(Self.configuration, during: .rcptTo, transactionUnderWay: true).code == .connectionReset)
        #expect(SMTPError.connectionLost(Self.configuration, during: .rcptTo, transactionUnderWay: true).isTransient)
        #expect(SMTPError.connectionLost(Self.configuration, during: .mailFrom).code == .connection)
        #expect(SMTPError.hostUnreachable(Self.configuration, detail: "x").isTransient)
        #expect(SMTPError.certificate(Self.configuration, detail: "x").isPermanent)
        #expect(SMTPError.messageTooLarge(size: 2, limit: 1).isPermanent)
    }

    @Test func newCodesAreStableStrings() {
        #expect(SMTPErrorCode.connectionReset.rawValue == "ECONNRESET")
        #expect(SMTPErrorCode.hostUnreachable.rawValue == "EHOSTUNREACH")
        #expect(SMTPPhase.endOfMessage.rawValue == "end of message")
        #expect(SMTPPhase.tlsHandshake.rawValue == "TLS handshake")
    }

    @Test func unreachableNetworksAreEHOSTUNREACH() {
        let classifier = SMTPErrorClassifier(configuration: Self.configuration)
        for errno in [EHOSTUNREACH, ENETUNREACH] {
            let error = classifier.classifyConnect(IOError(errnoCode: errno, reason: "connect"))
            #expect(error.code == .hostUnreachable)
            #expect(error.phase == .connect)
            #expect(error.hint.contains("SMTP_HOST"))
        }
        #expect(classifier.classifyConnect(IOError(errnoCode: ECONNREFUSED, reason: "connect")).code == .connectionRefused)
    }

    @Test func aResetDuringDataIsECONNRESET() {
        var c = ConversationSupport.ready()
        _ = c.startMail(SMTPMail(sender: "a@x.test", recipients: ["b@y.test"], content: [65]))
        for r in [SMTPReply(code: 250, lines: ["ok"]), SMTPReply(code: 250, lines: ["ok"]), SMTPReply(code: 354, lines: ["go"])] { _ = c.receive(r) }
        let error = SMTPErrorClassifier(configuration: Self.configuration).classify(IOError(errnoCode: ECONNRESET, reason: "read"), during: c)
        #expect(error.code == .connectionReset)
        #expect(error.message.contains("reset"))
        #expect(error.phase == .endOfMessage)
        #expect(error.isTransient)
    }
}
