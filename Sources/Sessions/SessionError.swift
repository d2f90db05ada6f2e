/// Errors of the session store: a database that cannot be used, a session that does not exist.
public enum SessionError: Error, CustomStringConvertible {
    case unknownSession(String, known: [String])
    case corrupt(what: String, reason: String)
    case io(String)
    /// `PRAGMA quick_check` found damage when the store was opened; nothing was written to it.
    case damaged(path: String, problem: String)

    public var description: String {
        switch self {
        case let .unknownSession(id, known):
            return "no session \(id)" + (known.isEmpty ? " (there are none yet)" : "; recent: \(known.prefix(5).joined(separator: ", ")) (see `loupe sessions list`)")
        case let .corrupt(what, reason): return "session store: \(what): \(reason)"
        case let .io(reason): return "session store: \(reason)"
        case let .damaged(path, problem):
            return "session store \(path) is damaged (\(problem)); Loupe will not write to it. Recover what can be read into a new file "
                + "with `sqlite3 \(path) .recover | sqlite3 recovered.sqlite` and move that in its place, or set LOUPE_SESSIONS to a new file"
        }
    }
}
