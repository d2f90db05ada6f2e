import Agent
import Foundation
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// skill.json `before`: a call that uses the trigger argument is preceded by the call its manifest asks for,
/// unless the turn already made it; and a skill that is still running stops the turn when the user interrupts.
@Suite struct PrerequisiteAndStopTests {
    /// Stands in for a skill that computes for a long time without looking at cancellation.
    struct Slow: Skill {
        let manifest: SkillManifest
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            usleep(3_000_000)
            return Observation(skill: manifest.name, lines: ["finally"])
        }
    }

    static func agent(_ steps: [ScriptedPlanner.Step]) throws -> (Agent, ScriptedPlanner) {
        let schema = try JSONParser.parse(#"{"type": "object", "properties": {"image": {"type": "string"}, "query": {"type": "string"}}, "required": ["image"], "additionalProperties": false}"#)
        let look = try SkillManifest(name: "look", description: "find things", parameters: schema, implementation: .builtin("look"))
        let flip = try SkillManifest(name: "flip", description: "flip", parameters: schema, implementation: .builtin("flip"),
                                     before: [SkillPrerequisite(when: "query", skill: "look", arguments: [("image", "$image"), ("query", "$query")])])
        let planner = ScriptedPlanner(steps)
        let agent = Agent(registry: SkillRegistry(skills: [AgentLoopTests.Probe(manifest: look), AgentLoopTests.Probe(manifest: flip)]), planner: planner, texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")))
        agent.attach(try RGBImage(width: 40, height: 30), name: "photo.png")
        return (agent, planner)
    }

    @Test func theDeclaredCallComesFirst() async throws {
        let (agent, planner) = try Self.agent([
            ScriptedPlanner.call("flip", #"{"image": "img0", "query": "thing"}"#),
            ScriptedPlanner.answer("flipped: img2"),
        ])
        let steps = try await agent.run("flip the thing")
        let calls = steps.filter { $0.kind == .call }
        #expect(calls.map(\.tool) == ["look", "flip"])
        #expect(calls[0].arguments == (try JSONParser.parse(#"{"image": "img0", "query": "thing"}"#)))
        #expect(calls[0].text.contains("before") && calls[1].text.isEmpty)
        #expect(steps.filter { $0.kind == .observation }.map { $0.observation?.error } == [nil, nil])
        // The planner's next step sees both calls and both results.
        let next = try #require(planner.requests.last?.messages)
        #expect(next.suffix(3).map(\.role) == [.assistant, .tool, .tool])
        #expect(next.suffix(3).first?.calls.map(\.name) == ["look", "flip"])
    }

    @Test func notRepeatedWhenTheTurnMadeIt() async throws {
        let (agent, _) = try Self.agent([
            ScriptedPlanner.call("look", #"{"query": "Thing ", "image": "img0"}"#),
            ScriptedPlanner.call("flip", #"{"image": "img0", "query": "thing"}"#),
            ScriptedPlanner.answer("done"),
        ])
        let steps = try await agent.run("find the thing, then flip it")
        #expect(steps.filter { $0.kind == .call }.map(\.tool) == ["look", "flip"])
        // Without the trigger argument there is nothing to do first.
        let (plain, _) = try Self.agent([ScriptedPlanner.call("flip", #"{"image": "img0", "query": " "}"#), ScriptedPlanner.answer("done")])
        #expect(try await plain.run("flip it").filter { $0.kind == .call }.map(\.tool) == ["flip"])
    }

    @Test func manifestsDeclareAndCheckIt() throws {
        let edit = try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent("edit"))
        #expect(edit.before == [SkillPrerequisite(when: "target", skill: "detect", arguments: [("image", "$image"), ("query", "$target")])])
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-before-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (before, complaint) in [(#"[{"when": "colour", "call": "detect", "arguments": {}}]"#, "\"when\" must name one of this skill's arguments"),
                                    (#"[{"when": "image", "call": "detect", "arguments": {"query": "$where"}}]"#, "refers to $where"),
                                    (#"{"when": "image"}"#, "must be an array")] {
            try #"{"name": "x", "description": "x", "parameters": {"type": "object", "properties": {"image": {"type": "string"}}}, "implementation": {"builtin": "x"}, "before": \#(before)}"#
                .write(to: folder.appendingPathComponent("skill.json"), atomically: true, encoding: .utf8)
            #expect { try SkillManifest(folder: folder) } throws: { "\($0)".contains(complaint) }
        }
    }

    @Test func aRunningSkillStopsTheTurn() async throws {
        let schema = try JSONParser.parse(#"{"type": "object", "properties": {}}"#)
        let slow = try SkillManifest(name: "slow", description: "takes its time", parameters: schema, implementation: .builtin("slow"))
        let agent = Agent(registry: SkillRegistry(skills: [Slow(manifest: slow)]), planner: ScriptedPlanner([ScriptedPlanner.call("slow", "{}")]), texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")))
        let started = Date()
        let stopAt = started.addingTimeInterval(0.3)
        await #expect(throws: AgentError.self) {
            _ = try await agent.run("take your time", isCancelled: { Date() > stopAt })
        }
        #expect(Date().timeIntervalSince(started) < 2, "the turn ended when asked, not when the 3 s skill did")
    }
}
