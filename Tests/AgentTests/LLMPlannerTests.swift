import Agent
import Foundation
import LLM
import ModelStore
import Perception
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// The default planner (qwen2.5-coder-0.5b, greedy) with the router on MiniLM and the real skills' manifests and
/// examples, over stand-in skills that return fixed observations: the tool choices of DESIGN.md's examples
/// hold — faces are found, then blurred, a sign is read and quoted, a greeting calls nothing — and a second turn
/// does not recompute the system turn.
@Suite(.serialized) struct LLMPlannerTests {
    /// Answers every call with the observation lines given for its skill.
    struct Canned: Skill {
        let manifest: SkillManifest
        let lines: [String]
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            var o = Observation(skill: manifest.name, image: "img0", size: (640, 480), lines: lines)
            if manifest.name == "edit" { o.artifacts = [(artifacts.add(image: try artifacts.image("img0")), "edited image 640×480")] }
            return o
        }
    }

    struct MiniLMEmbedder: TextEmbedder {
        let model: MiniLM
        func embed(_ text: String) throws -> [Float] { try model.embed(text) }
    }

    static func agent() throws -> Agent {
        let canned: [String: [String]] = [
            "detect": ["face 0.96 [0.38,0.13,0.68,0.36]", "face 0.91 [0.7,0.2,0.85,0.4]"],
            "edit": ["blurred (radius 9 px) in 2 regions matching \"face\""],
            "ocr": ["1. \"SPEED LIMIT 30\" 0.97 [0.2,0.3,0.8,0.5]"],
            "tag": ["street sign 0.7"], "segment": ["person 0.9 [0,0,1,1] area 0.4 mask1"], "retrieve": ["no matches"],
        ]
        var skills: [any Skill] = []
        for (name, lines) in canned.sorted(by: { $0.key < $1.key }) {
            let manifest = try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent(name))
            skills.append(Canned(manifest: manifest, lines: lines))
        }
        let registry = SkillRegistry(skills: skills)
        let noTool = try LLMPlanner.instructions(from: Fixtures.skillsFolder.appendingPathComponent("no-tool.md"))
        let minilm = try MiniLM(directory: URL(fileURLWithPath: try Fixtures.modelPath("minilm-l6")).deletingLastPathComponent())
        let router = SkillRouter(embedder: MiniLMEmbedder(model: minilm), registry: registry, noTool: noTool)
        let lm = try LanguageModel(path: try Fixtures.modelPath("qwen2.5-coder-0.5b"))
        let planner = LLMPlanner(model: lm, instructions: try LLMPlanner.instructions(from: Fixtures.skillsFolder.appendingPathComponent("planner.md")),
                                 directExamples: noTool, router: router)
        let agent = Agent(registry: registry, planner: planner, maxSteps: 4)
        agent.attach(try RGBImage(width: 640, height: 480), name: "photo.jpg")
        return agent
    }

    /// The skills that ran (a repeated call is refused, not run).
    static func tools(_ steps: [AgentStep]) -> [String] { steps.filter { $0.kind == .observation }.compactMap(\.tool) }

    @Test func choosesSkillsLikeTheExamples() async throws {
        let agent = try Self.agent()
        let blur = try await agent.run("blur every face")
        // Whether the planner calls detect itself or edit with target "face" (whose skill.json asks for detect
        // first), the face is found, then blurred.
        #expect(Self.tools(blur) == ["detect", "edit"], "\(blur.map { "\($0.kind) \($0.tool ?? "") \($0.text)" })")
        #expect(blur.last { $0.kind == .observation }?.arguments?["operation"]?.stringValue == "blur")
        let firstPlan = try #require(blur.first { $0.kind == .plan }?.timing)
        #expect(firstPlan.route?.needsTool == true)

        agent.reset()
        let sign = try await agent.run("what does the sign say?")
        #expect(Self.tools(sign) == ["ocr"], "\(sign.map { "\($0.kind) \($0.tool ?? "") \($0.text)" })")
        #expect(sign.last?.text.contains("SPEED LIMIT 30") == true, "the answer quotes the text: \(sign.last?.text ?? "")")
        let signPlan = try #require(sign.first { $0.kind == .plan }?.timing)
        #expect(signPlan.promptComputed < signPlan.promptTokens / 2, "the system turn comes from the cache: \(signPlan)")

        let hi = try await agent.run("hi")
        #expect(Self.tools(hi).isEmpty && !(hi.last?.text.isEmpty ?? true), "\(hi.map { "\($0.kind) \($0.text)" })")
    }

    @Test func wordsOfTheExamplesThatTheTurnLacksArePenalised() throws {
        let lm = try LanguageModel(path: try Fixtures.modelPath("qwen2.5-coder-0.5b"))
        let planner = LLMPlanner(model: lm, instructions: "x")
        let example: [FewShotExamples.Entry] = [.user("Is there a plane?"), .answer("Yes, there is a plane in the lower middle of the picture.")]
        let turn = [AgentMessage(.user, "Is there a cat in the picture?"), AgentMessage(.tool, "<observation>\ncat: not found\n</observation>")]
        let bias = planner.copyBias(examples: [example], turn: turn)
        let words = Set(bias.map { String(decoding: lm.tokenizer.piece($0.token), as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased() })
        #expect(words.isSuperset(of: ["plane", "lower", "middle", "yes"]), "\(words.sorted())")
        #expect(words.isDisjoint(with: ["cat", "picture", "there", "the", "not", "found", "in"]), "\(words.sorted())")
        #expect(bias.allSatisfy { $0.bias == -planner.copyPenalty })
        planner.copyPenalty = 0
        #expect(planner.copyBias(examples: [example], turn: turn).isEmpty)
    }
}
