import CSQLite

/// A prepared SQL statement. Bind parameters (1-based), step through rows, read columns (0-based).
/// Finalized when released.
public final class Statement {
    private let handle: OpaquePointer
    private let db: OpaquePointer
    /// The SQL text, for error messages.
    public let sql: String

    // SQLITE_TRANSIENT tells SQLite to copy bound text and blobs.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(db: OpaquePointer, sql: String) throws {
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v2(db, sql, -1, &statement, nil)
        guard status == SQLITE_OK, let statement else {
            throw DatabaseError.prepare(sql: sql, message: String(cString: sqlite3_errmsg(db)))
        }
        self.handle = statement
        self.db = db
        self.sql = sql
    }

    deinit { sqlite3_finalize(handle) }

    /// Number of `?` parameters.
    public var parameterCount: Int { Int(sqlite3_bind_parameter_count(handle)) }

    /// Binds all parameters in order (resets the statement first).
    @discardableResult
    public func bind(_ values: [SQLValue]) throws -> Statement {
        guard values.count == parameterCount else {
            throw DatabaseError.binding(sql: sql, reason: "statement takes \(parameterCount) parameters, got \(values.count)")
        }
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (i, value) in values.enumerated() { try bind(value, at: i + 1) }
        return self
    }

    /// Binds one parameter (1-based index).
    public func bind(_ value: SQLValue, at index: Int) throws {
        guard index >= 1, index <= parameterCount else {
            throw DatabaseError.binding(sql: sql, reason: "parameter index \(index) outside 1...\(parameterCount)")
        }
        let i = Int32(index)
        let status: Int32
        switch value {
        case .null: status = sqlite3_bind_null(handle, i)
        case let .integer(v): status = sqlite3_bind_int64(handle, i, v)
        case let .real(v): status = sqlite3_bind_double(handle, i, v)
        case let .text(v): status = sqlite3_bind_text(handle, i, v, -1, Statement.transient)
        case let .blob(v):
            status = v.withUnsafeBytes { sqlite3_bind_blob64(handle, i, $0.baseAddress, sqlite3_uint64($0.count), Statement.transient) }
        }
        guard status == SQLITE_OK else {
            throw DatabaseError.execute(sql: sql, code: status, message: String(cString: sqlite3_errmsg(db)))
        }
    }

    /// Advances to the next row: true when a row is available, false when done.
    public func step() throws -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = String(cString: sqlite3_errmsg(db))
            sqlite3_reset(handle)
            throw DatabaseError.execute(sql: sql, code: status, message: message)
        }
    }

    /// Resets the statement so it can run again with the same bindings.
    public func reset() { sqlite3_reset(handle) }

    /// Number of result columns.
    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// Name of a result column.
    public func columnName(_ index: Int) -> String {
        guard index >= 0, index < columnCount, let name = sqlite3_column_name(handle, Int32(index)) else { return "" }
        return String(cString: name)
    }

    /// The value of a column of the current row (0-based).
    public func column(_ index: Int) throws -> SQLValue {
        guard index >= 0, index < columnCount else {
            throw DatabaseError.binding(sql: sql, reason: "column index \(index) outside 0..<\(columnCount)")
        }
        let i = Int32(index)
        switch sqlite3_column_type(handle, i) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, i))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, i))
        case SQLITE_TEXT:
            guard let text = sqlite3_column_text(handle, i) else { return .text("") }
            let count = Int(sqlite3_column_bytes(handle, i))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, i))
            guard count > 0, let blob = sqlite3_column_blob(handle, i) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: blob, count: count)))
        default: return .null
        }
    }

    /// All columns of the current row.
    public func row() throws -> [SQLValue] { try (0..<columnCount).map(column) }
}
