// sqlite-nio's vendored SQLite, through its C API: SQLiteNIO's own connection sends every statement
// to a thread pool and back (two thread hops per statement) and prepares it anew each time, which
// made the outbox's few-statement transactions cost more in hand-offs than in SQLite. The outbox
// runs a whole transaction in one call on its database thread instead (see `OutboxDatabase`).
import VaporCSQLite

/// One `sqlite3` connection with its prepared statements kept for reuse.
///
/// Not thread-safe: `OutboxDatabase` calls it only from its own database thread, one transaction
/// at a time. That is why the file is opened with SQLITE_OPEN_NOMUTEX.
final class SQLiteHandle: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: PreparedStatement] = [:]
    /// The `PRAGMA synchronous` level last set through `setCommitDurability(_:)`; nil until then.
    var commitDurability: CommitDurability?

    /// Prepared statements kept at most; beyond it the cache starts afresh. Batches of 1…256 jobs
    /// give each batch statement up to 256 shapes, and the busiest shapes come back within a second.
    private static let statementCacheLimit = 512

    init(path: String) throws(SQLiteResultError) {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard status == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) }
                ?? String(cString: sqlite_nio_sqlite3_errstr(status))
            sqlite_nio_sqlite3_close_v2(handle)
            throw SQLiteResultError(code: status, message: message)
        }
        // Extended codes tell a full disk (SQLITE_FULL) from a failed write (SQLITE_IOERR_WRITE).
        sqlite_nio_sqlite3_extended_result_codes(handle, 1)
        self.handle = handle
    }

    deinit { close() }

    func close() {
        for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
        statements = [:]
        sqlite_nio_sqlite3_close_v2(handle)
        handle = nil
    }

    /// Runs one statement with `binds` for its `?` parameters and returns every row it produced.
    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue] = []) throws(SQLiteResultError) -> [SQLRow] {
        guard let handle else { throw SQLiteResultError(code: SQLITE_MISUSE, message: "the database connection is closed") }
        let statement = try prepared(sql, handle)
        defer {
            sqlite_nio_sqlite3_reset(statement.handle)
            sqlite_nio_sqlite3_clear_bindings(statement.handle)
        }
        guard Int(sqlite_nio_sqlite3_bind_parameter_count(statement.handle)) == binds.count else {
            throw SQLiteResultError(
                code: SQLITE_RANGE,
                message: "the statement takes \(sqlite_nio_sqlite3_bind_parameter_count(statement.handle)) parameters, \(binds.count) were given")
        }
        for (offset, value) in binds.enumerated() {
            try check(bind(value, at: Int32(offset + 1), statement.handle), handle)
        }
        var rows: [SQLRow] = []
        while true {
            let status = sqlite_nio_sqlite3_step(statement.handle)
            if status == SQLITE_DONE { return rows }
            guard status == SQLITE_ROW else { throw error(status, handle) }
            rows.append(SQLRow(names: statement.names, values: (0..<Int32(statement.names.count)).map { column($0, statement.handle) }))
        }
    }

    private final class PreparedStatement {
        let handle: OpaquePointer
        let names: [String]

        init(handle: OpaquePointer) {
            self.handle = handle
            names = (0..<sqlite_nio_sqlite3_column_count(handle)).map { String(cString: sqlite_nio_sqlite3_column_name(handle, $0)) }
        }
    }

    private func prepared(_ sql: String, _ handle: OpaquePointer) throws(SQLiteResultError) -> PreparedStatement {
        if let statement = statements[sql] { return statement }
        var statementHandle: OpaquePointer?
        let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statementHandle, nil)
        guard status == SQLITE_OK, let statementHandle else { throw error(status, handle) }
        if statements.count >= Self.statementCacheLimit {
            for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
            statements = [:]
        }
        let statement = PreparedStatement(handle: statementHandle)
        statements[sql] = statement
        return statement
    }

    private func bind(_ value: SQLValue, at index: Int32, _ statement: OpaquePointer) -> Int32 {
        switch value {
        case .null:
            return sqlite_nio_sqlite3_bind_null(statement, index)
        case .integer(let integer):
            return sqlite_nio_sqlite3_bind_int64(statement, index, integer)
        case .real(let real):
            return sqlite_nio_sqlite3_bind_double(statement, index, real)
        case .text(let text):
            var text = text
            return text.withUTF8 { utf8 in
                UnsafeRawBufferPointer(utf8).withMemoryRebound(to: CChar.self) { chars in
                    // An empty string still needs a non-NULL pointer, or SQLite stores NULL.
                    guard let start = chars.baseAddress else {
                        return sqlite_nio_sqlite3_bind_text64(statement, index, "", 0, Self.transient, UInt8(SQLITE_UTF8))
                    }
                    return sqlite_nio_sqlite3_bind_text64(statement, index, start, UInt64(chars.count), Self.transient, UInt8(SQLITE_UTF8))
                }
            }
        case .blob(let bytes):
            return bytes.withUnsafeBytes { raw in
                // A NULL pointer would store NULL, not an empty blob.
                guard let start = raw.baseAddress else { return sqlite_nio_sqlite3_bind_zeroblob(statement, index, 0) }
                return sqlite_nio_sqlite3_bind_blob64(statement, index, start, UInt64(raw.count), Self.transient)
            }
        }
    }

    private func column(_ index: Int32, _ statement: OpaquePointer) -> SQLValue {
        switch sqlite_nio_sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER:
            return .integer(sqlite_nio_sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT:
            return .real(sqlite_nio_sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, index) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            guard let blob = sqlite_nio_sqlite3_column_blob(statement, index) else { return .blob([]) }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, index))
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default:
            return .null
        }
    }

    /// SQLite copies bound values at once (SQLITE_TRANSIENT), so Swift's buffers may go after binding.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private func check(_ status: Int32, _ handle: OpaquePointer) throws(SQLiteResultError) {
        if status != SQLITE_OK { throw error(status, handle) }
    }

    private func error(_ status: Int32, _ handle: OpaquePointer) -> SQLiteResultError {
        SQLiteResultError(code: sqlite_nio_sqlite3_extended_errcode(handle), message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }
}
