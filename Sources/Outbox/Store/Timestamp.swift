import Foundation

/// Times are stored as integer milliseconds since 1970 UTC: they compare and index as numbers, and
/// "today" in UTC is plain arithmetic.
package enum Timestamp {
    package static let millisecondsPerDay: Int64 = 86_400_000

    package static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    package static func date(_ milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Midnight UTC of the day `date` falls on (Unix time has no leap seconds, so every day is 86 400 s).
    package static func startOfUTCDay(_ date: Date) -> Int64 {
        let ms = milliseconds(date)
        return ms - ((ms % millisecondsPerDay) + millisecondsPerDay) % millisecondsPerDay
    }
}

extension Duration {
    /// Whole milliseconds, rounded down (also what the service logs as `duration_ms`).
    public var wholeMilliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
