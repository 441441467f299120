import Foundation

/// A value bound to a statement or read from a row, in SQLite's five storage classes.
enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    static func time(_ date: Date) -> SQLValue {
        .integer(Timestamp.milliseconds(date))
    }

    static func time(_ date: Date?) -> SQLValue {
        date.map { .time($0) } ?? .null
    }

    static func text(_ string: String?) -> SQLValue {
        string.map { .text($0) } ?? .null
    }

    static func int(_ value: Int) -> SQLValue {
        .integer(Int64(value))
    }

    static func int(_ value: Int?) -> SQLValue {
        value.map { .int($0) } ?? .null
    }

    static func bytes(_ bytes: [UInt8]) -> SQLValue {
        .blob(bytes)
    }
}

extension SQLValue {
    var integer: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }
}
