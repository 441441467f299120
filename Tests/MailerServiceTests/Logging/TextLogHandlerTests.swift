import Foundation
import Logging
import Testing
@testable import MailerService

@Suite struct TextLogHandlerTests {
    @Test func lineIsLogfmtWithSortedKeysQuotedOnlyWhenNeeded() {
        let line = TextLogHandler.line(
            level: .warning, message: "email deferred",
            metadata: [
                "code": "ETIMEDOUT", "smtp_code": .stringConvertible(421),
                "hint": "the server did not answer; check SMTP_PORT",
                "tricky": "a=b \"c\"\nd",
            ],
            date: Date(timeIntervalSince1970: 0))
        #expect(line == #"1970-01-01T00:00:00.000Z warning email deferred code=ETIMEDOUT hint="the server did not answer; check SMTP_PORT" smtp_code=421 tricky="a=b \"c\"\nd""# + "\n")
    }

    @Test func aMessageWithALineBreakStaysOneLine() {
        let line = TextLogHandler.line(level: .info, message: "two\nlines", metadata: [:], date: Date(timeIntervalSince1970: 0))
        #expect(line.filter { $0 == "\n" }.count == 1)
        #expect(line.contains(#""two\nlines""#))
    }

    @Test func aMessageThatCouldFakeAFieldIsQuoted() {
        let line = TextLogHandler.line(level: .critical, message: "invalid configuration: got \"x code=EOK\"\u{1B}[2J", metadata: [:], date: Date(timeIntervalSince1970: 0))
        #expect(line == #"1970-01-01T00:00:00.000Z critical "invalid configuration: got \"x code=EOK\"\u001b[2J""# + "\n")
    }

    @Test func theFormatIsConfiguredAndABadOneIsAProblem() throws {
        let text = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25, ["MAILER_LOG_FORMAT": "TEXT", "MAILER_LOG_RECIPIENTS": "true"]))
        #expect(text.logFormat == .text)
        #expect(text.logRecipients)
        #expect(text.redactedSummary["mailer_log_format"] == "text")
        let json = try MailerConfiguration.fromEnvironment(environment(smtpPort: 25))
        #expect(json.logFormat == .json && !json.logRecipients)
        #expect(configurationProblems(["MAILER_LOG_FORMAT": "yaml"]).map(\.variable) == ["MAILER_LOG_FORMAT"])
    }
}
