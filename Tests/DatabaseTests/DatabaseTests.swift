import Database
import Foundation
import Testing

@Suite struct DatabaseTests {
    static func temporaryPath() -> String {
        NSTemporaryDirectory() + "loupe-db-\(UUID().uuidString).sqlite"
    }

    @Test func roundTripsEveryValueType() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n)")
        try db.query("INSERT INTO t VALUES (?, ?, ?, ?, ?)", [.integer(-42), .real(2.5), .text("héllo ✓"), .blob([0, 1, 255]), .null])
        #expect(db.lastInsertRowID == 1 && db.changes == 1)
        let rows = try db.query("SELECT i, r, s, b, n FROM t")
        #expect(rows == [[.integer(-42), .real(2.5), .text("héllo ✓"), .blob([0, 1, 255]), .null]])
        #expect(try db.query("SELECT zeroblob(0)") == [[.blob([])]])
    }

    @Test func fileDatabaseUsesWAL() throws {
        let path = Self.temporaryPath()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let db = try Database(path: path)
        #expect(try db.journalMode() == "wal")
        try db.execute("CREATE TABLE k (v TEXT)")
        try db.query("INSERT INTO k VALUES (?)", ["kept"])
        let reader = try Database(path: path, readOnly: true)
        #expect(try reader.query("SELECT v FROM k") == [[.text("kept")]])
    }

    @Test func transactionRollsBackOnError() throws {
        struct Boom: Error {}
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v INTEGER UNIQUE)")
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.query("INSERT INTO t VALUES (1)")
                throw Boom()
            }
        }
        #expect(try db.query("SELECT count(*) FROM t") == [[.integer(0)]])
        try db.transaction { try db.query("INSERT INTO t VALUES (2)") }
        #expect(try db.query("SELECT v FROM t") == [[.integer(2)]])
    }

    @Test func errorsNameTheProblem() throws {
        let db = try Database(path: ":memory:")
        #expect(throws: DatabaseError.self) { try db.prepare("SELEC nonsense") }
        try db.execute("CREATE TABLE t (v INTEGER UNIQUE)")
        try db.query("INSERT INTO t VALUES (1)")
        do {
            try db.query("INSERT INTO t VALUES (1)")
            Issue.record("duplicate insert should fail")
        } catch let error as DatabaseError {
            #expect(error.description.contains("UNIQUE"))
        }
        let statement = try db.prepare("SELECT ?")
        #expect(throws: DatabaseError.self) { try statement.bind([1, 2]) }
        #expect(throws: DatabaseError.self) { try Database(path: "/nonexistent-dir/x.sqlite") }
    }

    @Test func preparedStatementReuse() throws {
        let db = try Database(path: ":memory:")
        try db.execute("CREATE TABLE t (v INTEGER)")
        let insert = try db.prepare("INSERT INTO t VALUES (?)")
        try db.transaction {
            for i in 0..<100 {
                try insert.bind([.integer(Int64(i))])
                _ = try insert.step()
            }
        }
        #expect(try db.query("SELECT sum(v) FROM t") == [[.integer(4950)]])
        let select = try db.prepare("SELECT v FROM t WHERE v < ? ORDER BY v")
        try select.bind([3])
        var values: [Int64] = []
        while try select.step() { values.append(try select.column(0).int ?? -1) }
        #expect(values == [0, 1, 2])
        #expect(select.columnName(0) == "v")
        #expect(throws: DatabaseError.self) { try select.column(5) }
    }
}
