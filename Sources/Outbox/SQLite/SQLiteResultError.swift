/// A result code other than OK/ROW/DONE, with SQLite's own message.
struct SQLiteResultError: Error, CustomStringConvertible {
    /// The extended result code (e.g. 778, SQLITE_IOERR_WRITE); `primary` is its family.
    var code: Int32
    var message: String

    var primary: SQLitePrimaryCode? { SQLitePrimaryCode(rawValue: code & 0xff) }

    var description: String { message }

    /// A UNIQUE or PRIMARY KEY constraint refused a row (SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY).
    var isUniqueViolation: Bool { code == 2067 || code == 1555 }
}

/// SQLite's primary result codes that the outbox tells apart (https://sqlite.org/rescode.html).
enum SQLitePrimaryCode: Int32 {
    case error = 1, `internal` = 2, permission = 3, abort = 4, busy = 5, locked = 6, noMemory = 7
    case readOnly = 8, interrupt = 9, ioError = 10, corrupt = 11, notFound = 12, full = 13, cantOpen = 14
    case `protocol` = 15, empty = 16, schema = 17, tooBig = 18, constraint = 19, mismatch = 20, misuse = 21
    case noLFS = 22, authorization = 23, format = 24, range = 25, notADatabase = 26
}
