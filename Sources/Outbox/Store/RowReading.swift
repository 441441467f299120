import Foundation

/// Typed column reads that name the table and column when a row is not what this build wrote.
struct RowReader {
    let row: SQLRow
    let table: String

    func string(_ column: String) throws -> String {
        guard let value = row.column(column), case .text(let string) = value else {
            throw OutboxError.unreadableRow(table: table, column: column)
        }
        return string
    }

    func optionalString(_ column: String) throws -> String? {
        guard let value = row.column(column) else { throw OutboxError.unreadableRow(table: table, column: column) }
        switch value {
        case .null: return nil
        case .text(let string): return string
        default: throw OutboxError.unreadableRow(table: table, column: column)
        }
    }

    func int(_ column: String) throws -> Int {
        guard let value = row.column(column), case .integer(let int) = value else {
            throw OutboxError.unreadableRow(table: table, column: column)
        }
        return Int(int)
    }

    func optionalInt(_ column: String) throws -> Int? {
        guard let value = row.column(column) else { throw OutboxError.unreadableRow(table: table, column: column) }
        switch value {
        case .null: return nil
        case .integer(let int): return Int(int)
        default: throw OutboxError.unreadableRow(table: table, column: column)
        }
    }

    func date(_ column: String) throws -> Date {
        Timestamp.date(Int64(try int(column)))
    }

    func optionalDate(_ column: String) throws -> Date? {
        try optionalInt(column).map { Timestamp.date(Int64($0)) }
    }

    func bytes(_ column: String) throws -> [UInt8] {
        guard let value = row.column(column) else { throw OutboxError.unreadableRow(table: table, column: column) }
        switch value {
        case .blob(let bytes): return bytes
        // SQLite hands back an empty BLOB as NULL when it was bound from an empty buffer.
        case .null: return []
        default: throw OutboxError.unreadableRow(table: table, column: column)
        }
    }

    func state(_ column: String) throws -> MessageState {
        guard let state = MessageState(rawValue: try string(column)) else {
            throw OutboxError.unreadableRow(table: table, column: column)
        }
        return state
    }
}
