import Database
import Foundation
import ToolSchema
import Vision

/// A session as stored: its turns with their steps, and its artifacts by handle.
public struct SessionLog: Sendable {
    public struct Step: Sendable {
        public let index: Int
        public let kind: String
        public let text: String
        public let tool: String?
        public let arguments: JSONValue?
        /// The observation text the planner saw.
        public let observation: String?
        public let error: String?
        public let milliseconds: Double
        public let timing: JSONValue?
    }
    public struct Turn: Sendable {
        public let index: Int
        public let instruction: String
        public let started: String
        public let steps: [Step]
    }
    public struct Summary: Sendable {
        public let id: String, created: String, model: String, title: String
        public let turns: Int, steps: Int
    }

    public let id: String
    public let created: String
    public let model: String
    public let turns: [Turn]
    /// Handle → (kind "image"/"mask", PNG bytes).
    public let artifacts: [String: (kind: String, png: [UInt8])]
    /// Handles in the order they were stored.
    public let handles: [String]
}

extension SessionStore {
    /// Every session, newest first.
    public func sessions(limit: Int = 100) throws -> [SessionLog.Summary] {
        try read { db in
            try db.query("""
                SELECT s.id, s.created, s.model, s.title, (SELECT COUNT(*) FROM turns t WHERE t.session = s.id),
                       (SELECT COUNT(*) FROM steps p WHERE p.session = s.id)
                FROM sessions s ORDER BY s.created DESC, s.id DESC LIMIT ?
                """, [.integer(Int64(limit))]).map { r in
                SessionLog.Summary(id: r[0].string ?? "", created: r[1].string ?? "", model: r[2].string ?? "", title: r[3].string ?? "",
                                   turns: Int(r[4].int ?? 0), steps: Int(r[5].int ?? 0))
            }
        }
    }

    /// One session with everything committed; `id` may be a unique prefix, or "last".
    public func load(_ id: String) throws -> SessionLog {
        try read { db in
            let all = try db.query("SELECT id, created, model FROM sessions ORDER BY created DESC, id DESC")
            let matches = id == "last" ? Array(all.prefix(1)) : all.filter { ($0[0].string ?? "").hasPrefix(id) }
            guard matches.count == 1, let sid = matches[0][0].string else {
                throw SessionError.unknownSession(id, known: all.prefix(5).compactMap { $0[0].string })
            }
            let steps = try db.query("""
                SELECT turn, step, kind, text, tool, arguments, observation, error, milliseconds, timing FROM steps
                WHERE session = ? ORDER BY turn, step
                """, [.text(sid)])
            var byTurn: [Int: [SessionLog.Step]] = [:]
            for r in steps {
                let parse = { (v: SQLValue) in v.string.flatMap { try? JSONParser.parse($0) } }
                byTurn[Int(r[0].int ?? 0), default: []].append(SessionLog.Step(
                    index: Int(r[1].int ?? 0), kind: r[2].string ?? "", text: r[3].string ?? "", tool: r[4].string, arguments: parse(r[5]),
                    observation: r[6].string, error: r[7].string, milliseconds: r[8].double ?? 0, timing: parse(r[9])))
            }
            let turns = try db.query("SELECT turn, instruction, started FROM turns WHERE session = ? ORDER BY turn", [.text(sid)]).map { r in
                SessionLog.Turn(index: Int(r[0].int ?? 0), instruction: r[1].string ?? "", started: r[2].string ?? "", steps: byTurn[Int(r[0].int ?? 0)] ?? [])
            }
            var artifacts: [String: (kind: String, png: [UInt8])] = [:], handles: [String] = []
            for r in try db.query("""
                SELECT a.handle, a.kind, b.png FROM artifacts a JOIN blobs b ON a.sha256 = b.sha256 WHERE a.session = ? ORDER BY a.turn, a.rowid
                """, [.text(sid)]) {
                guard let h = r[0].string, let png = r[2].bytes else { continue }
                artifacts[h] = (r[1].string ?? "image", png)
                handles.append(h)
            }
            return SessionLog(id: sid, created: matches[0][1].string ?? "", model: matches[0][2].string ?? "", turns: turns,
                              artifacts: artifacts, handles: handles)
        }
    }
}
