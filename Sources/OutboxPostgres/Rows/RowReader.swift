import Foundation
import NIOCore
import Outbox
import PostgresNIO

/// Reads one column of a result row, or says which column of which table did not read.
struct RowReader {
    let row: PostgresRandomAccessRow
    let table: String

    init(_ row: PostgresRow, table: String) {
        self.row = row.makeRandomAccess()
        self.table = table
    }

    func value<T: PostgresDecodable>(_ column: String, as type: T.Type = T.self) throws -> T {
        guard row.contains(column) else { throw OutboxError.unreadableRow(table: table, column: column) }
        do {
            return try row[column].decode(T.self)
        } catch {
            throw OutboxError.unreadableRow(table: table, column: column)
        }
    }

    func string(_ column: String) throws -> String { try value(column) }
    func optionalString(_ column: String) throws -> String? { try value(column, as: String?.self) }
    func int(_ column: String) throws -> Int { Int(try value(column, as: Int64.self)) }
    func optionalInt(_ column: String) throws -> Int? { try value(column, as: Int64?.self).map(Int.init) }
    func date(_ column: String) throws -> Date { Timestamp.date(try value(column, as: Int64.self)) }
    func optionalDate(_ column: String) throws -> Date? { try value(column, as: Int64?.self).map(Timestamp.date) }

    func bytes(_ column: String) throws -> [UInt8] {
        Array(try value(column, as: ByteBuffer.self).readableBytesView)
    }

    func optionalBytes(_ column: String) throws -> [UInt8]? {
        try value(column, as: ByteBuffer?.self).map { Array($0.readableBytesView) }
    }

    func state(_ column: String) throws -> MessageState {
        guard let state = MessageState(rawValue: try string(column)) else {
            throw OutboxError.unreadableRow(table: table, column: column)
        }
        return state
    }
}
