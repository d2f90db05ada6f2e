import Crypto
import Database
import Foundation
import SkillKit
import ToolSchema
import Vision

/// Sessions in one SQLite database (WAL): sessions, turns, steps and artifacts, whose images are stored once as
/// content-addressed PNG blobs. Every step is written in its own transaction together with the artifacts it
/// made, so a crash loses at most the step in flight. One store per process; calls are serialised.
public final class SessionStore: @unchecked Sendable {
    private let db: Database
    private let lock = NSLock()
    public let path: String

    /// Opens the store at `path`, creating it if needed. An existing file is checked first (`PRAGMA quick_check`,
    /// read-only): a damaged store is refused with `SessionError.damaged` and left untouched.
    public init(path: String) throws {
        self.path = path
        if FileManager.default.fileExists(atPath: path) { try Self.checkIntact(path) }
        do {
            db = try Database(path: path)
            try db.execute("""
                CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, created TEXT NOT NULL, model TEXT NOT NULL, title TEXT NOT NULL DEFAULT '');
                CREATE TABLE IF NOT EXISTS turns (session TEXT NOT NULL REFERENCES sessions(id), turn INTEGER NOT NULL, instruction TEXT NOT NULL,
                    started TEXT NOT NULL, PRIMARY KEY (session, turn));
                CREATE TABLE IF NOT EXISTS steps (session TEXT NOT NULL, turn INTEGER NOT NULL, step INTEGER NOT NULL, kind TEXT NOT NULL,
                    text TEXT NOT NULL, tool TEXT, arguments TEXT, observation TEXT, observation_json TEXT, error TEXT, milliseconds REAL NOT NULL,
                    timing TEXT, PRIMARY KEY (session, turn, step), FOREIGN KEY (session, turn) REFERENCES turns(session, turn));
                CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY KEY, width INTEGER NOT NULL, height INTEGER NOT NULL, png BLOB NOT NULL);
                CREATE TABLE IF NOT EXISTS artifacts (session TEXT NOT NULL REFERENCES sessions(id), handle TEXT NOT NULL, kind TEXT NOT NULL,
                    sha256 TEXT NOT NULL REFERENCES blobs(sha256), turn INTEGER NOT NULL, PRIMARY KEY (session, handle));
                """)
        } catch {
            throw SessionError.io("\(path): \(error)")
        }
    }

    /// Throws `SessionError.damaged` unless SQLite's quick check of the file at `path` says "ok".
    static func checkIntact(_ path: String) throws {
        let problem: String
        do {
            let rows = try Database(path: path, readOnly: true).query("PRAGMA quick_check")
            let lines = rows.compactMap { row -> String? in if case let .text(t)? = row.first { return t } else { return nil } }
            if lines == ["ok"] { return }
            problem = lines.first.map { String($0.prefix(200)) } ?? "the check returned nothing"
        } catch {
            problem = String("\(error)".prefix(200))
        }
        throw SessionError.damaged(path: path, problem: problem)
    }

    /// Starts a session; returns its id (date and time plus a random suffix, e.g. `20261201-231500-3f9a`).
    public func createSession(model: String, title: String) throws -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"
        f.timeZone = TimeZone(identifier: "UTC")
        let id = f.string(from: Date()) + "-" + String(UUID().uuidString.lowercased().prefix(4))
        try write { db in
            try db.query("INSERT INTO sessions (id, created, model, title) VALUES (?, ?, ?, ?)",
                         [.text(id), .text(Self.now()), .text(model), .text(String(title.prefix(200)))])
        }
        return id
    }

    /// Records the start of a turn (and the image or mask artifacts given, e.g. a newly attached img0).
    public func beginTurn(session: String, turn: Int, instruction: String, artifacts: [(handle: String, item: Artifacts.Item)] = []) throws {
        try write { db in
            try db.query("INSERT INTO turns (session, turn, instruction, started) VALUES (?, ?, ?, ?)",
                         [.text(session), .integer(Int64(turn)), .text(instruction), .text(Self.now())])
            try Self.insert(artifacts, session: session, turn: turn, into: db)
        }
    }

    /// Records one step and the artifacts it made, in one transaction.
    public func record(session: String, turn: Int, step: Int, kind: String, text: String, tool: String?, arguments: JSONValue?,
                       observation: Observation?, milliseconds: Double, timing: JSONValue?,
                       artifacts: [(handle: String, item: Artifacts.Item)]) throws {
        try write { db in
            try db.query("""
                INSERT INTO steps (session, turn, step, kind, text, tool, arguments, observation, observation_json, error, milliseconds, timing)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [
                    .text(session), .integer(Int64(turn)), .integer(Int64(step)), .text(kind), .text(text),
                    tool.map { .text($0) } ?? .null, arguments.map { .text($0.compactDescription) } ?? .null,
                    observation.map { .text($0.text()) } ?? .null, observation.map { .text($0.json.compactDescription) } ?? .null,
                    observation?.error.map { .text($0) } ?? .null, .real(milliseconds), timing.map { .text($0.compactDescription) } ?? .null,
                ])
            try Self.insert(artifacts, session: session, turn: turn, into: db)
        }
    }

    private static func insert(_ artifacts: [(handle: String, item: Artifacts.Item)], session: String, turn: Int, into db: Database) throws {
        for (handle, item) in artifacts {
            let image = item.picture, kind = item.kind
            let png = try PNGCodec.encode(image)
            let hash = SHA256.hash(data: png).map { String(format: "%02x", $0) }.joined()
            try db.query("INSERT OR IGNORE INTO blobs (sha256, width, height, png) VALUES (?, ?, ?, ?)",
                         [.text(hash), .integer(Int64(image.width)), .integer(Int64(image.height)), .blob(png)])
            try db.query("INSERT OR REPLACE INTO artifacts (session, handle, kind, sha256, turn) VALUES (?, ?, ?, ?, ?)",
                         [.text(session), .text(handle), .text(kind), .text(hash), .integer(Int64(turn))])
        }
    }

    private func write(_ body: (Database) throws -> Void) throws {
        try lock.withLock {
            do { try db.transaction { try body(db) } } catch { throw SessionError.io("\(path): \(error)") }
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try lock.withLock {
            do { return try body(db) } catch let e as SessionError { throw e } catch { throw SessionError.io("\(path): \(error)") }
        }
    }

    static func now() -> String { ISO8601DateFormatter().string(from: Date()) }
}
