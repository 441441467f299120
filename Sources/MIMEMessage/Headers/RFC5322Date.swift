import Foundation

/// RFC 5322 section 3.3 date-time, always in UTC ("Sun, 22 Nov 2026 01:02:03 +0000").
///
/// Computed arithmetically instead of with DateFormatter: day and month names must be
/// English whatever the process locale, and this avoids locale/ICU differences between
/// Linux and macOS Foundation.
enum RFC5322Date {
    private static let dayNames = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]   // 1970-01-01 was a Thursday
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    /// RFC 5322 wants four-digit years of 1900 or later.
    static let supportedYears = 1900...9999

    /// `nil` when the date is not finite or its year is outside `supportedYears`.
    static func format(_ date: Date) -> String? {
        let interval = date.timeIntervalSince1970
        guard interval.isFinite, abs(interval) < 1e12 else { return nil }
        let seconds = Int(interval.rounded(.down))
        let days = floorDiv(seconds, 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civilDate(fromDaysSinceEpoch: days)
        guard supportedYears.contains(year) else { return nil }
        // Written as bytes: interpolating six numbers cost more than the arithmetic above.
        var text: [UInt8] = []
        text.reserveCapacity(31)
        text.appendUTF8(dayNames[((days % 7) + 7) % 7])
        text.appendUTF8(", ")
        appendDigits(day, width: 2, to: &text)
        text.appendUTF8(" ")
        text.appendUTF8(monthNames[month - 1])
        text.appendUTF8(" ")
        appendDigits(year, width: 4, to: &text)
        text.appendUTF8(" ")
        appendDigits(secondOfDay / 3600, width: 2, to: &text)
        text.appendUTF8(":")
        appendDigits(secondOfDay % 3600 / 60, width: 2, to: &text)
        text.appendUTF8(":")
        appendDigits(secondOfDay % 60, width: 2, to: &text)
        text.appendUTF8(" +0000")
        return String(decoding: text, as: UTF8.self)
    }

    /// `n` in decimal with leading zeros to `width` digits; `n` has at most that many.
    private static func appendDigits(_ n: Int, width: Int, to text: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            text.append(UInt8(ascii: "0") + UInt8(n / divisor % 10))
            divisor /= 10
        }
    }

    private static func floorDiv(_ a: Int, _ b: Int) -> Int {
        a >= 0 ? a / b : -((-a + b - 1) / b)
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
    private static func civilDate(fromDaysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = floorDiv(z, 146_097)
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, day)
    }
}
