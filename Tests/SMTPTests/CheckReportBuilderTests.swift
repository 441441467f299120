import Foundation
import Testing
@testable import SMTP

/// How timelines become check reports: grouping, the failed step, and skipped steps with reasons.
@Suite struct CheckReportBuilderTests {
    typealias Entry = SMTPSessionTimeline.Entry
    let t0 = ContinuousClock.now

    private func builder(security: SMTPClientConfiguration.Security = .plaintext, credentials: Bool = false) -> SMTPCheckReportBuilder {
        let configuration = SMTPClientConfiguration(
            host: "smtp.x.test", port: 587, security: security,
            credentials: credentials ? .init(username: "u", password: "pw-never-shown") : nil
        )
        return SMTPCheckReportBuilder(configuration: configuration, sender: "a@x.test", recipient: "b@y.test")
    }

    /// Entries one millisecond apart, in order.
    private func timeline(_ events: [(SMTPPhase, Entry.Event)]) -> [Entry] {
        events.enumerated().map { index, item in
            Entry(phase: item.0, event: item.1, started: t0 + .milliseconds(index), finished: t0 + .milliseconds(index + 1))
        }
    }

    private func reply(_ code: Int, _ lines: String...) -> SMTPReply { SMTPReply(code: code, lines: lines) }

    private var plaintextSession: [(SMTPPhase, Entry.Event)] {
        [
            (.connect, .connected(remoteAddress: "192.0.2.1:587")),
            (.greeting, .reply(reply(220, "smtp.x.test ESMTP"), command: nil)),
            (.ehlo, .reply(reply(250, "smtp.x.test", "PIPELINING", "SIZE 1000"), command: "EHLO me")),
        ]
    }

    @Test func aRefusedConnectionFailsConnectAndSkipsEveryLaterStep() {
        let error = SMTPError.connectionRefused(SMTPClientConfiguration(host: "smtp.x.test", port: 587))
        let report = builder().build(entries: [], failure: (error, t0 + .milliseconds(3)), started: t0, finished: t0 + .milliseconds(3))
        #expect(report.steps.map(\.name) == [.connect, .greeting, .ehlo, .tls, .auth, .mailFrom, .rcptTo, .reset, .quit])
        #expect(report.steps[0].status == .failed)
        #expect(report.steps[0].error?.code == .connectionRefused)
        #expect(report.steps[0].durationMilliseconds == 3)
        #expect(report.steps.dropFirst().allSatisfy { $0.status == .skipped && !$0.ok && $0.duration == nil })
        #expect(!report.ok)
    }

    @Test func aPlaintextSessionWithoutCredentialsSaysWhyTLSAndAUTHWereSkipped() {
        let entries = timeline(plaintextSession + [
            (.mailFrom, .reply(reply(250, "2.1.0 Ok"), command: "MAIL FROM:<a@x.test>")),
            (.rcptTo, .reply(reply(250, "2.1.5 Ok"), command: "RCPT TO:<b@y.test>")),
            (.reset, .reply(reply(250, "2.0.0 Ok"), command: "RSET")),
            (.quit, .reply(reply(221, "2.0.0 Bye"), command: "QUIT")),
        ])
        let report = builder().build(entries: entries, failure: nil, started: t0, finished: t0 + .milliseconds(7))
        #expect(report.ok)
        #expect(report.steps.map(\.name) == [.connect, .greeting, .ehlo, .tls, .auth, .mailFrom, .rcptTo, .reset, .quit])
        #expect(report.step(.connect)?.detail == ["192.0.2.1:587"])
        #expect(report.step(.ehlo)?.detail == ["smtp.x.test: PIPELINING, SIZE 1000"])
        #expect(report.extensions == ["PIPELINING", "SIZE 1000"])
        #expect(report.step(.tls)?.status == .skipped)
        #expect(report.step(.tls)?.ok == true)
        #expect(report.step(.tls)?.detail.first?.contains("SMTP_OPPORTUNISTIC_TLS=false") == true)
        #expect(report.step(.auth)?.detail == ["skipped: no credentials configured"])
        #expect(report.step(.rcptTo)?.detail == ["<b@y.test>: 250 2.1.5 Ok"])
        #expect(report.step(.quit)?.status == .passed)
        #expect(report.step(.greeting)?.durationMilliseconds == 1)
    }

    @Test func aStartTLSSessionListsEHLOTwiceAndTheMechanismOfAFailedLogin() {
        let session = SMTPSessionInfo(host: "smtp.x.test", port: 587, tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256",
                                      serverCertificate: SMTPServerCertificate(subject: "CN=smtp.x.test", issuer: "CN=CA",
                                                                               notValidBefore: Date(), notValidAfter: Date().addingTimeInterval(3 * 86_400 + 60)))
        let rejected = reply(535, "5.7.8 authentication failed")
        let error = SMTPError.authenticationRejected(reply: rejected, command: "AUTH PLAIN")
        let entries = timeline(plaintextSession + [
            (.startTLS, .reply(reply(220, "2.0.0 go ahead"), command: "STARTTLS")),
            (.tlsHandshake, .tlsEstablished(session)),
            (.ehlo, .reply(reply(250, "smtp.x.test", "AUTH PLAIN LOGIN"), command: "EHLO me")),
            (.auth, .reply(rejected, command: "AUTH PLAIN <redacted>")),
            (.auth, .failed(error)),
            (.quit, .reply(reply(221, "bye"), command: "QUIT")),
        ])
        let report = builder(security: .startTLSWhenOffered, credentials: true).build(entries: entries, failure: nil, started: t0, finished: t0 + .milliseconds(9))
        #expect(report.steps.map(\.name) == [.connect, .greeting, .ehlo, .tls, .ehlo, .auth, .mailFrom, .rcptTo, .reset, .quit])
        #expect(report.steps.map(\.status) == [.passed, .passed, .passed, .passed, .passed, .failed, .skipped, .skipped, .skipped, .skipped])
        #expect(report.steps[4].detail == ["smtp.x.test (after TLS): AUTH PLAIN LOGIN"])
        #expect(report.step(.tls)?.detail.first == "TLSv1.3 TLS_AES_128_GCM_SHA256 (STARTTLS)")
        #expect(report.step(.tls)?.detail.contains("certificate: CN=smtp.x.test") == true)
        #expect(report.step(.tls)?.detail.contains { $0.hasPrefix("expires: ") && $0.hasSuffix("(in 3 days)") } == true)
        #expect(report.authenticationMechanism == "PLAIN")
        #expect(report.failedStep?.error?.code == .authentication)
        #expect(report.failedStep?.detail.contains("server said: 535 5.7.8 authentication failed") == true)
        #expect(report.extensions == ["AUTH PLAIN LOGIN"])
        #expect(report.tls?.tlsVersion == "TLSv1.3")
        #expect(!"\(report.steps.flatMap(\.detail))".contains("pw-never-shown"))
    }

    @Test func aRefusedSenderFailsMAILFROMEvenAfterPipelinedRecipientReplies() {
        let refusal = reply(550, "5.7.1 not yours")
        let entries = timeline(plaintextSession + [
            (.mailFrom, .reply(refusal, command: "MAIL FROM:<a@x.test>")),
            (.rcptTo, .reply(reply(503, "5.5.1 need MAIL"), command: "RCPT TO:<b@y.test>")),
            (.mailFrom, .failed(.senderRejected(reply: refusal, command: "MAIL FROM:<a@x.test>"))),
        ])
        let report = builder().build(entries: entries, failure: nil, started: t0, finished: t0 + .milliseconds(6))
        #expect(report.step(.mailFrom)?.status == .failed)
        #expect(report.step(.mailFrom)?.error?.code == .envelope)
        #expect(report.step(.rcptTo)?.status == .skipped)
        #expect(report.step(.rcptTo)?.ok == false)
    }

    @Test func aFailureWithoutAStepOfItsOwnBelongsToTheStepUnderWay() {
        // The server closed the connection while the session was idle between AUTH and MAIL.
        let lost = SMTPError.connectionLost(SMTPClientConfiguration(host: "smtp.x.test", port: 587), during: .idle)
        let report = builder().build(entries: timeline(plaintextSession), failure: (lost, t0 + .milliseconds(5)), started: t0, finished: t0 + .milliseconds(5))
        #expect(report.failedStep?.name == .mailFrom)
        #expect(report.failedStep?.durationMilliseconds == 2)
        #expect(report.step(.auth)?.status == .skipped)
        #expect(report.step(.auth)?.ok == true)
    }
}
