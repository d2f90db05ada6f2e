import Foundation
import SkillKit
import ToolSchema
import Vision

/// What `loupe replay` does with a stored session: print it, re-execute its tool calls with today's skills and
/// report which observations differ.
public enum SessionReplay {
    /// The session as a plain-text transcript.
    public static func transcript(_ log: SessionLog) -> String {
        var out = "session \(log.id) · \(log.created) · planner \(log.model)\n"
        for turn in log.turns {
            out += "\n[turn \(turn.index)] user: \(turn.instruction)\n"
            for s in turn.steps {
                switch s.kind {
                case "call": out += "  → \(s.tool ?? "?") \(s.arguments?.compactDescription ?? "{}")\n"
                case "observation":
                    let body = (s.observation ?? "").split(separator: "\n").map { "    " + $0 }.joined(separator: "\n")
                    out += body + "\n"
                case "error": out += "  ! \(s.text)\n"
                case "answer": out += "  answer: \(s.text)\n"
                case "plan":
                    if let t = s.timing, (t["prompt_tokens"]?.intValue ?? 0) > 0 {
                        out += "  · planner \(t["prompt_tokens"]?.intValue ?? 0) prompt tokens (\(t["prompt_computed"]?.intValue ?? 0) computed), "
                            + "\(t["generated_tokens"]?.intValue ?? 0) generated, \(Int(s.milliseconds)) ms\n"
                    }
                default: break
                }
            }
            if turn.steps.last?.kind != "answer" { out += "  (the turn ended here: nothing after this step was committed)\n" }
        }
        if !log.handles.isEmpty { out += "\nartifacts: \(log.handles.joined(separator: ", "))\n" }
        return out
    }

    /// One re-executed call whose observation is not what was logged.
    public struct Difference: Sendable {
        public let turn: Int, step: Int, tool: String
        public let logged: String, now: String
    }

    /// Re-runs every logged call, in order, with `registry` on the logged user image; returns the calls re-run
    /// and the ones whose observation text changed.
    public static func rerun(_ log: SessionLog, registry: SkillRegistry) async throws -> (calls: Int, differences: [Difference]) {
        let artifacts = Artifacts()
        if let img0 = log.artifacts["img0"] {
            artifacts.setUserImage(try ImageDecoder().decode(img0.png, name: "img0 of session \(log.id)"))
        }
        var calls = 0, differences: [Difference] = []
        for turn in log.turns {
            for s in turn.steps where s.kind == "observation" {
                guard let tool = s.tool else { continue }
                calls += 1
                let o = await registry.call(tool, arguments: s.arguments ?? .object([]), artifacts: artifacts)
                let now = o.text()
                if now != (s.observation ?? "") {
                    differences.append(Difference(turn: turn.index, step: s.index, tool: tool, logged: s.observation ?? "", now: now))
                }
            }
        }
        return (calls, differences)
    }
}
