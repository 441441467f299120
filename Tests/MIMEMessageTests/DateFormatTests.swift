import Foundation
import Testing
@testable import MIMEMessage

@Suite("RFC 5322 dates")
struct DateFormatTests {
    @Test(arguments: [
        (0.0, "Thu, 01 Jan 1970 00:00:00 +0000"),
        (1_795_309_323, "Sun, 22 Nov 2026 01:02:03 +0000"),
        (951_782_400, "Tue, 29 Feb 2000 00:00:00 +0000"),
        (1_709_251_199.999, "Thu, 29 Feb 2024 23:59:59 +0000"),
        (-1.0, "Wed, 31 Dec 1969 23:59:59 +0000"),
        (-2_208_988_800, "Mon, 01 Jan 1900 00:00:00 +0000"),
        (253_402_300_799, "Fri, 31 Dec 9999 23:59:59 +0000"),
    ])
    func formats(_ seconds: Double, _ expected: String) {
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: seconds)) == expected)
    }

    @Test func outOfRange() {
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: -2_208_988_801)) == nil)
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: .nan)) == nil)
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: .infinity)) == nil)
        #expect(RFC5322Date.format(Date(timeIntervalSince1970: 1e300)) == nil)
    }

    /// Cross-check against Foundation in a fixed English locale for a spread of dates.
    @Test func agreesWithDateFormatter() {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        // Whole seconds only: DateFormatter rounds fractions, RFC 5322 dates truncate.
        for seconds in stride(from: -2_000_000_000, to: 8_000_000_000, by: 3_222_721) {
            let date = Date(timeIntervalSince1970: TimeInterval(seconds))
            #expect(RFC5322Date.format(date) == formatter.string(from: date))
        }
    }

    @Test func invalidDateFailsSerialisation() throws {
        let msg = MailMessage(from: try EmailAddress(address: "a@example.com"), to: [try EmailAddress(address: "b@example.com")],
                              subject: "s", textBody: "t", date: Date(timeIntervalSince1970: .nan))
        #expect(throws: MessageError.self) { _ = try msg.serialized() }
    }
}
