import Foundation
@testable import Outbox
import Testing

/// The outbox's own SQLite wrapper: values go in and come back in their storage class, a
/// statement reused from the cache starts clean, and misuse is an error, not a crash.
@Suite struct SQLiteHandleTests {
    private func withHandle(_ body: (SQLiteHandle) throws -> Void) throws {
        let path = temporaryDatabasePath()
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        let handle = try SQLiteHandle(path: path)
        defer { handle.close() }
        try body(handle)
    }

    @Test func valuesComeBackAsTheyWentIn() throws {
        try withHandle { sql throws in
            try sql.run("CREATE TABLE t (a, b, c, d, e)")
            let values: [SQLValue] = [.integer(-42), .real(2.5), .text("Zoë ✓"), .blob([0, 1, 255]), .null]
            try sql.run("INSERT INTO t VALUES (?, ?, ?, ?, ?)", values)
            let row = try #require(try sql.run("SELECT * FROM t").first)
            #expect(row.values == values)
            #expect(row.names == ["a", "b", "c", "d", "e"])
            #expect(row.column("c") == .text("Zoë ✓"))
            #expect(row.column("missing") == nil)
        }
    }

    @Test func emptyTextAndBlobAreNotNull() throws {
        try withHandle { sql throws in
            try sql.run("CREATE TABLE t (a, b)")
            try sql.run("INSERT INTO t VALUES (?, ?)", [.text(""), .blob([])])
            let row = try #require(try sql.run("SELECT typeof(a) AS ta, typeof(b) AS tb, a, b FROM t").first)
            #expect(row.column("ta") == .text("text"))
            #expect(row.column("tb") == .text("blob"))
            #expect(row.column("a") == .text(""))
            #expect(row.column("b") == .blob([]))
        }
    }

    @Test func aCachedStatementStartsWithoutTheLastBindingsOrRows() throws {
        try withHandle { sql throws in
            try sql.run("CREATE TABLE t (n INTEGER)")
            for n in 1...3 { try sql.run("INSERT INTO t VALUES (?)", [.int(n)]) }
            let query = "SELECT n FROM t WHERE n >= ? ORDER BY n"
            #expect(try sql.run(query, [.int(2)]).map(\.values) == [[.integer(2)], [.integer(3)]])
            #expect(try sql.run(query, [.int(3)]).map(\.values) == [[.integer(3)]])
            #expect(try sql.run(query, [.int(1)]).count == 3)
        }
    }

    @Test func aWrongNumberOfBindsIsRefused() throws {
        try withHandle { sql throws in
            #expect(throws: SQLiteResultError.self) { try sql.run("SELECT ?, ?", [.int(1)]) }
            // The statement is usable afterwards.
            #expect(try sql.run("SELECT ?, ?", [.int(1), .int(2)]).first?.values == [.integer(1), .integer(2)])
        }
    }

    @Test func errorsCarryTheExtendedCodeAndSQLitesMessage() throws {
        try withHandle { sql throws in
            try sql.run("CREATE TABLE t (id TEXT PRIMARY KEY)")
            try sql.run("INSERT INTO t VALUES ('a')")
            do {
                try sql.run("INSERT INTO t VALUES ('a')")
                Issue.record("a second 'a' should be refused")
            } catch let error as SQLiteResultError {
                #expect(error.isUniqueViolation)
                #expect(error.primary == .constraint)
                #expect(error.message.contains("UNIQUE constraint failed: t.id"))
            }
            #expect(throws: SQLiteResultError.self) { try sql.run("SELECT * FROM nowhere") }
        }
    }

    @Test func moreShapesThanTheCacheHoldsStillRun() throws {
        try withHandle { sql throws in
            // Each count of placeholders is a statement of its own; past the limit the cache starts afresh.
            for count in 1...600 {
                let rows = try sql.run("SELECT \(SQLList.placeholders(count))", (0..<count).map { .int($0) })
                #expect(rows.first?.values.count == count)
            }
        }
    }

    @Test func aClosedHandleRefusesStatements() throws {
        try withHandle { sql throws in
            sql.close()
            #expect(throws: SQLiteResultError.self) { try sql.run("SELECT 1") }
        }
    }
}
