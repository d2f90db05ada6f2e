/// Errors of the session store: a database that cannot be used, a session that does not exist.
public enum SessionError: Error, CustomStringConvertible {
    case unknownSession(String, known: [String])
    case corrupt(what: String, reason: String)
    case io(String)

    public var description: String {
        switch self {
        case let .unknownSession(id, known):
            return "no session \(id)" + (known.isEmpty ? " (there are none yet)" : "; recent: \(known.prefix(5).joined(separator: ", ")) (see `loupe sessions list`)")
        case let .corrupt(what, reason): return "session store: \(what): \(reason)"
        case let .io(reason): return "session store: \(reason)"
        }
    }
}
