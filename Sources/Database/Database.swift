import CSQLite

/// A SQLite connection. File databases use WAL journaling, a 5-second busy timeout and enforced
/// foreign keys. Not thread-safe: use one connection per task (SQLite serialises writers).
public final class Database {
    private let handle: OpaquePointer
    /// The database path (":memory:" for an in-memory one).
    public let path: String

    /// Opens (creating if needed) a database file, or an in-memory one for ":memory:".
    public init(path: String, readOnly: Bool = false) throws {
        var db: OpaquePointer?
        let flags = (readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &db, flags, nil)
        guard status == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close(db)
            throw DatabaseError.open(path: path, message: message)
        }
        self.handle = db
        self.path = path
        sqlite3_busy_timeout(db, 5000)
        sqlite3_extended_result_codes(db, 1)
        do {
            try execute("PRAGMA foreign_keys = ON")
            if path != ":memory:" && !readOnly { _ = try query("PRAGMA journal_mode = WAL") }
        } catch {
            sqlite3_close(db)
            throw error
        }
    }

    deinit { sqlite3_close(handle) }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws {
        var error: UnsafeMutablePointer<CChar>?
        let status = sqlite3_exec(handle, sql, nil, nil, &error)
        guard status == SQLITE_OK else {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw DatabaseError.execute(sql: sql, code: status, message: message)
        }
    }

    /// Compiles a statement.
    public func prepare(_ sql: String) throws -> Statement { try Statement(db: handle, sql: sql) }

    /// Runs a statement with parameters and returns every row.
    @discardableResult
    public func query(_ sql: String, _ values: [SQLValue] = []) throws -> [[SQLValue]] {
        let statement = try prepare(sql)
        try statement.bind(values)
        var rows: [[SQLValue]] = []
        while try statement.step() { rows.append(try statement.row()) }
        return rows
    }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; rolls back if it throws.
    @discardableResult
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Row id of the most recent successful INSERT.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Rows changed by the most recent statement.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// The journal mode in force ("wal" for file databases).
    public func journalMode() throws -> String {
        try query("PRAGMA journal_mode").first?.first?.string ?? "unknown"
    }
}
