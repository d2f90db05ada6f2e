import Agent
import Foundation
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// The loop with a scripted planner and stand-in skills (no weights): calls run in order and their
/// observations reach the next step; planner mistakes become error observations and the loop goes on; the
/// last allowed step must answer.
@Suite struct AgentLoopTests {
    /// Reports the image size, or makes a new image.
    struct Probe: Skill {
        let manifest: SkillManifest
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            let image = try artifacts.image(json["image"]?.stringValue ?? "img0")
            if manifest.name == "flip" {
                let handle = artifacts.add(image: image)
                return Observation(skill: "flip", image: "img0", lines: ["flipped"], artifacts: [(handle, "flipped image")])
            }
            return Observation(skill: manifest.name, image: "img0", size: (image.width, image.height), lines: ["thing 0.9 [0.1,0.1,0.5,0.5]"])
        }
    }

    static func registry() throws -> SkillRegistry {
        let schema = try JSONParser.parse(#"{"type": "object", "properties": {"image": {"type": "string"}, "query": {"type": "string"}}, "required": ["image"], "additionalProperties": false}"#)
        let look = try SkillManifest(name: "look", description: "find things", parameters: schema, implementation: .builtin("look"),
                                     examples: "User: Find the thing.\nCall: {\"name\": \"look\", \"arguments\": {\"image\": \"img0\"}}\nAnswer: One thing.")
        let flip = try SkillManifest(name: "flip", description: "flip", parameters: schema, implementation: .builtin("flip"))
        return SkillRegistry(skills: [Probe(manifest: look), Probe(manifest: flip)])
    }

    static func agent(_ steps: [ScriptedPlanner.Step], maxSteps: Int = 5) throws -> (Agent, ScriptedPlanner) {
        let planner = ScriptedPlanner(steps)
        let agent = Agent(registry: try registry(), planner: planner, texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")), maxSteps: maxSteps)
        agent.attach(try RGBImage(width: 40, height: 30), name: "photo.png")
        return (agent, planner)
    }

    @Test func callsRunAndTheirObservationsReachTheNextStep() async throws {
        let (agent, planner) = try Self.agent([
            ScriptedPlanner.call("look", #"{"image": "img0", "query": "thing"}"#),
            ScriptedPlanner.call("flip", #"{"image": "img0"}"#),
            { request in PlannerDecision(text: "saw: " + (request.messages.last?.content.contains("img1") == true ? "img1" : "nothing")) },
        ])
        let steps = try await agent.run("find the thing and flip it")
        #expect(steps.map(\.kind) == [.task, .plan, .call, .observation, .plan, .call, .observation, .plan, .answer])
        #expect(steps.last?.text == "saw: img1")
        #expect(steps[3].observation?.lines == ["thing 0.9 [0.1,0.1,0.5,0.5]"])
        let first = try #require(planner.requests.first)
        #expect(first.messages.first?.content.hasPrefix("[image img0 attached, 40x30]") == true)
        #expect(first.examples.map(\.skill) == ["look"] && first.allowTools)
        #expect(planner.requests[1].messages.last?.role == .tool)
        #expect(agent.artifacts.handles == ["img0", "img1"])
    }

    @Test func plannerMistakesBecomeErrorObservations() async throws {
        let (agent, planner) = try Self.agent([
            ScriptedPlanner.call("teleport", #"{"image": "img0"}"#),
            ScriptedPlanner.call("look", #"{"image": "img9"}"#),
            ScriptedPlanner.call("look", #"{"picture": "img0"}"#),
            { _ in PlannerDecision(text: "", malformed: ["the call \"{\\\"name\" cannot be read: unterminated"]) },
            ScriptedPlanner.answer("gave up"),
        ])
        let steps = try await agent.run("do something")
        let errors = steps.compactMap { $0.observation?.error } + steps.filter { $0.kind == .error }.map(\.text)
        #expect(errors.count == 4, "\(errors)")
        #expect(errors[0].contains("unknown skill") && errors[1].contains("unknown handle") && errors[2].contains("picture"))
        #expect(planner.requests[1].messages.last?.content.contains("hint:") == true, "the planner sees the hint")
        #expect(steps.last?.kind == .answer && steps.last?.text == "gave up")
    }

    @Test func theLastStepMustAnswerAndTurnsAccumulate() async throws {
        let (agent, planner) = try Self.agent([
            ScriptedPlanner.call("look", #"{"image": "img0"}"#),
            { request in PlannerDecision(text: request.allowTools ? "still allowed" : "answer now") },
            ScriptedPlanner.answer("hello"),
        ], maxSteps: 2)
        let steps = try await agent.run("look")
        #expect(steps.last?.text == "answer now")
        #expect(planner.requests.map(\.allowTools) == [true, false])
        let second = try await agent.run("hi")
        #expect(second.map(\.kind) == [.task, .plan, .answer])
        #expect(planner.requests.last?.messages.count == 5, "user, assistant call, tool, assistant, user")
        #expect(planner.requests.last?.messages.last?.content == "hi", "the image note goes with the first message only")
    }

    /// The agent with the repository's answer checker.
    static func checked(_ steps: [ScriptedPlanner.Step]) throws -> Agent {
        let agent = Agent(registry: try registry(), planner: ScriptedPlanner(steps), texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")), maxSteps: 5,
                          checker: AnswerChecker(rules: try AnswerRules.read(Fixtures.skillsFolder.appendingPathComponent("answers.json")), templates: [:]))
        agent.attach(try RGBImage(width: 40, height: 30), name: "photo.png")
        return agent
    }

    @Test func anAnswerThatForgetsTheNewImageGetsItsHandle() async throws {
        let agent = try Self.checked([ScriptedPlanner.call("flip", #"{"image": "img0"}"#), ScriptedPlanner.answer("Flipped it.")])
        #expect(try await agent.run("flip it").last?.text == "Flipped it. The result is img1.")
        // Named already (img1, not a longer handle that contains it): left alone.
        let named = try Self.checked([ScriptedPlanner.call("flip", #"{"image": "img0"}"#), ScriptedPlanner.answer("Flipped: img1.")])
        #expect(try await named.run("flip it").last?.text == "Flipped: img1.")
        // No words: what the skill returned, and the image.
        let silent = try Self.checked([ScriptedPlanner.call("flip", #"{"image": "img0"}"#), ScriptedPlanner.answer("")])
        #expect(try await silent.run("flip it").last?.text == "Here is what flip returned: flipped. The result is img1.")
    }

    @Test func stepsSerialiseToJSON() async throws {
        let (agent, _) = try Self.agent([ScriptedPlanner.call("look", #"{"image": "img0"}"#), ScriptedPlanner.answer("one")])
        let steps = try await agent.run("look")
        let call = try #require(steps.first { $0.kind == .observation })
        #expect(call.json["tool"]?.stringValue == "look")
        #expect(call.json["observation"]?.stringValue?.contains("<observation skill=\"look\"") == true)
    }
}
