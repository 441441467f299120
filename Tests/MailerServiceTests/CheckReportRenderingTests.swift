import Foundation
import SMTP
import Testing
@testable import MailerService

/// The text of `mailer check-smtp` and the JSON it shares with `POST /v1/smtp/check`.
@Suite struct CheckReportRenderingTests {
    static let refused = SMTPError(code: .authentication, message: "the server rejected the credentials", hint: "check SMTP_PASSWORD",
                                   reply: SMTPReply(code: 535, lines: ["5.7.8 bad credentials"]), command: "AUTH PLAIN", phase: .auth)

    private func report(failing: Bool) -> SMTPCheckReport {
        var steps = [
            SMTPCheckStep(name: .connect, status: .passed, ok: true, duration: .milliseconds(3), detail: ["127.0.0.1:2525"]),
            SMTPCheckStep(name: .tls, status: .skipped, ok: true, detail: ["skipped: TLS is off"]),
        ]
        if failing {
            steps.append(SMTPCheckStep(name: .auth, status: .failed, ok: false, duration: .microseconds(400),
                                       detail: ["the server rejected the credentials", "server said: 535 5.7.8 bad credentials"], error: Self.refused))
            steps.append(SMTPCheckStep(name: .mailFrom, status: .skipped, ok: false, detail: ["skipped: an earlier step failed"]))
        } else {
            steps.append(SMTPCheckStep(name: .auth, status: .passed, ok: true, duration: .milliseconds(2), detail: ["PLAIN: 235 ok"]))
        }
        return SMTPCheckReport(host: "127.0.0.1", port: 2525, security: .plaintext, sender: "a@x.test", recipient: "b@y.test",
                               steps: steps, duration: .milliseconds(9))
    }

    @Test func textHasOneLinePerStepWithMarkDetailAndDuration() {
        let lines = report(failing: false).text.split(separator: "\n").map(String.init)
        #expect(lines.first == "SMTP check of 127.0.0.1:2525 (plaintext), probing <a@x.test> -> <b@y.test>; no message is sent")
        #expect(lines[1] == "✓ connect  127.0.0.1:2525  3 ms")
        #expect(lines[2] == "- TLS      skipped: TLS is off")
        #expect(lines[3] == "✓ AUTH     PLAIN: 235 ok  2 ms")
        #expect(lines.last == "OK: every step passed in 9 ms; no message was sent")
    }

    @Test func aFailedStepShowsItsCodeTheServerAndTheHintIndentedUnderIt() {
        let lines = report(failing: true).text.split(separator: "\n").map(String.init)
        #expect(lines[3] == "✗ AUTH       EAUTH  the server rejected the credentials  <1 ms")
        #expect(lines[4] == "             server said: 535 5.7.8 bad credentials")
        #expect(lines[5] == "             hint: check SMTP_PASSWORD")
        #expect(lines[6] == "- MAIL FROM  skipped: an earlier step failed")
        #expect(lines.last == "FAILED at AUTH (EAUTH) after 9 ms: the server rejected the credentials")
    }

    @Test func jsonCarriesTheStepsAndTheFailedStepsCodeAndHint() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(report(failing: true).jsonText.utf8)) as? [String: Any])
        #expect(json["ok"] as? Bool == false)
        #expect(json["code"] as? String == "EAUTH")
        #expect(json["hint"] as? String == "check SMTP_PASSWORD")
        #expect(json["failedStep"] as? String == "AUTH")
        #expect(json["security"] as? String == "plaintext")
        #expect(json["tls"] is NSNull)
        let steps = try #require(json["steps"] as? [[String: Any]])
        #expect(steps.map { $0["name"] as? String } == ["connect", "TLS", "AUTH", "MAIL FROM"])
        #expect(steps[0]["durationMs"] as? Int == 3)
        #expect(steps[1]["durationMs"] is NSNull)
        #expect(steps[1]["ok"] as? Bool == true)
        #expect(steps[2]["code"] as? String == "EAUTH")
        #expect((steps[2]["smtp"] as? [String: Any])?["enhancedCode"] as? String == "5.7.8")
        #expect(steps[3]["ok"] as? Bool == false)
    }
}
