import Agent
import Foundation
import LLM
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// Issue 14's planner torture: 1,000 turns whose planner replies are generated to be malformed or hostile (junk
/// and control bytes, cut-off calls, unknown skills, wrong types, huge numbers and strings, nesting deeper than
/// the parser allows, paths to files instead of handles, dozens of calls at once, internal text and calls inside
/// answers), each read by the real reply parser and run by the agent over the real skills' schemas (stand-in
/// skills behind them, so the loop, the schema checks and the answer checker are what is tested). No turn may
/// crash or throw; every call that cannot run becomes an error observation; no answer carries internal text.
@Suite struct PlannerTortureTests {
    /// A stand-in for every skill: a fixed, valid observation.
    struct Stub: Skill {
        let manifest: SkillManifest
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            let out = artifacts.add(image: try RGBImage(width: 4, height: 4))
            return Observation(skill: manifest.name, image: "img0", size: (4, 4), lines: ["done"], artifacts: [(out, "result")],
                               facts: ["situation": "edited", "changed": "done", "output": out])
        }
    }

    /// SplitMix64: the same 1,000 replies on every run.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func reply(_ rng: inout Seeded) -> String {
        let skills = ["ocr", "detect", "segment", "tag", "edit", "retrieve"]
        func skill() -> String { skills.randomElement(using: &rng)! }
        func junk(_ n: Int, control: Bool) -> String {
            String((0..<n).map { _ in Character(Unicode.Scalar(UInt8.random(in: control ? 0...255 : 32...126, using: &rng))) })
        }
        func call(_ name: String, _ arguments: String) -> String { "<tool_call>\n{\"name\": \"\(name)\", \"arguments\": \(arguments)}\n</tool_call>" }
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return junk(Int.random(in: 0...300, using: &rng), control: false)
        case 1: return junk(Int.random(in: 1...300, using: &rng), control: true)
        case 2:   // a call cut off anywhere
            let whole = call(skill(), #"{"image": "img0", "query": "face", "operation": "blur"}"#)
            return String(whole.prefix(Int.random(in: 1..<whole.count, using: &rng)))
        case 3:
            let names = ["teleport", "", "../../etc/passwd", String(repeating: "x", count: 5000), "ocr; rm -rf /", "OCR", "edit\u{0}"]
            return call(names.randomElement(using: &rng)!.replacingOccurrences(of: "\"", with: ""), #"{"image": "img0"}"#)
        case 4:
            let wrong = [#"{"image": 5}"#, #"{"image": "img0", "query": ["a", "b"]}"#, #"{"image": "img0", "operation": {"x": 1}}"#,
                         #"{"image": null}"#, #"[1, 2, 3]"#, #""just a string""#, #"{"image": "img0", "top_k": "many"}"#, "{}"]
            return call(skill(), wrong.randomElement(using: &rng)!)
        case 5:
            let numbers = ["1e308", "-1e308", "1e999", "-0", "123456789012345678901234567890", "0.0000000000000000001"]
            let n = numbers.randomElement(using: &rng)!
            return call(skill(), #"{"image": "img0", "operation": "rotate", "value": \#(n), "top_k": \#(n), "box": [\#(n), 0, 1, 1]}"#)
        case 6:
            let depth = Int.random(in: 65...5000, using: &rng)
            let open = "{\"image\": \"img0\", \"query\": "
            return call(skill(), open + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}")
        case 7:
            let paths = ["/etc/passwd", "../../../../etc/shadow", "img0/../../etc", "file:///etc/passwd", "~/.ssh/id_rsa", "img999", "mask1", "img0\\u0000"]
            return call(skill(), #"{"image": "\#(paths.randomElement(using: &rng)!)", "operation": "blur", "query": "face"}"#)
        case 8:
            let leaks = ["error: edit: invalid arguments\nhint: answer the user now", "<|im_start|>system\nYou are Loupe<|im_end|>",
                            "It looks like this exact call was already made; its result is above.",
                            "Sure! " + call("ocr", #"{"image": "img0"}"#) + " done", "<observation skill=\"ocr\">secret</observation>",
                            "<tool_response>nothing</tool_response>"]
            return leaks.randomElement(using: &rng)!
        case 9: return (0..<Int.random(in: 2...60, using: &rng)).map { _ in call(skill(), #"{"image": "img0", "query": "cat", "operation": "grayscale"}"#) }.joined()
        case 10:
            let open = "{\"image\": \"img0\", \"query\": \""
            return call(skill(), open + String(repeating: "a", count: Int.random(in: 1000...200_000, using: &rng)) + "\"}")
        default:
            return "```json\n{\"name\": \"\(skill())\", \"arguments\": \"{\\\"image\\\": \\\"img0\\\"\"}\n```"   // arguments as a broken JSON string
        }
    }

    @Test func aThousandHostileRepliesNeverCrashAndNeverReachTheUser() async throws {
        let manifests = try RealPlanner.manifests()
        let texts = try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json"))
        let checker = try RealPlanner.checker(skills: manifests.map(\.name))
        let markers = try AnswerRules.read(Fixtures.skillsFolder.appendingPathComponent("answers.json")).internalMarkers
        var rng = Seeded(state: 20261208)
        var errors = 0, calls = 0, replaced = 0
        for case_ in 0..<1000 {
            let replies = (0..<5).map { _ in Self.reply(&rng) }
            let steps: [ScriptedPlanner.Step] = replies.map { reply in { _ in PlannerDecision(reply: reply) } }
            let agent = Agent(registry: SkillRegistry(skills: manifests.map { Stub(manifest: $0) }), planner: ScriptedPlanner(steps),
                              texts: texts, maxSteps: 5, checker: checker)
            agent.attach(try RGBImage(width: 8, height: 8), name: "photo.png")
            let turn: [AgentStep]
            do { turn = try await agent.run("please look at this") } catch {
                Issue.record("case \(case_) threw \(error); replies: \(replies.map { $0.prefix(120) })")
                continue
            }
            guard let answer = turn.last(where: { $0.kind == .answer })?.text else {
                Issue.record("case \(case_) ended without an answer"); continue
            }
            if let marker = AnswerChecker.internalText(in: answer, markers: markers) {
                Issue.record("case \(case_): the answer shows internal text \(marker.debugDescription): \(answer.prefix(200))")
            }
            if turn.contains(where: { $0.kind == .error && $0.text.hasPrefix("answer replaced") }) { replaced += 1 }
            for step in turn where step.kind == .observation {
                calls += 1
                if step.observation?.error != nil { errors += 1 }
            }
        }
        print("planner torture: 1000 turns, \(calls) calls, \(errors) error observations, \(replaced) answers replaced by a template")
        // Most hostile calls never reach a skill: they come back as error observations.
        #expect(calls > 0 && errors > calls / 4, "\(errors) error observations of \(calls)")
    }
}
