/// Errors raised by the SQLite wrapper; each carries SQLite's own message and the SQL involved.
public enum DatabaseError: Error, CustomStringConvertible, Equatable {
    /// The database file could not be opened.
    case open(path: String, message: String)
    /// A statement failed to compile.
    case prepare(sql: String, message: String)
    /// Executing a statement failed (constraint violation, busy, I/O, …).
    case execute(sql: String, code: Int32, message: String)
    /// A parameter index or column index is out of range, or a value has the wrong type.
    case binding(sql: String, reason: String)

    public var description: String {
        switch self {
        case let .open(path, message): return "cannot open database \(path): \(message)"
        case let .prepare(sql, message): return "SQL error: \(message) in: \(sql)"
        case let .execute(sql, code, message): return "SQLite error \(code): \(message) in: \(sql)"
        case let .binding(sql, reason): return "\(reason) in: \(sql)"
        }
    }
}
