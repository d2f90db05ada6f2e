import Agent
import Foundation
import LLM
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// The default planner (qwen2.5-coder-0.5b, greedy) with the real plan chooser, examples and answer checker,
/// over stand-in skills that return fixed observations: "blur every face" finds the faces and blurs them through
/// detect's mask, a sign is read and its text quoted, a greeting calls nothing, and a second turn does not
/// recompute the system turn.
@Suite(.serialized) struct LLMPlannerTests {
    /// Answers every call with fixed results of its skill, in the shape the real skill gives.
    struct Canned: Skill {
        let manifest: SkillManifest
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            switch manifest.name {
            case "detect":
                let mask = artifacts.add(mask: try Mask(width: 640, height: 480, box: PixelBox(x0: 240, y0: 60, x1: 440, y1: 180)), note: "the 2 faces")
                return Observation(skill: "detect", image: "img0", size: (640, 480),
                                   lines: ["face: 2 found — top and top right", "face 0.96 top [0.38,0.13,0.68,0.36]", "face 0.91 top right [0.7,0.2,0.85,0.4]"],
                                   artifacts: [(mask, "mask of the 2 regions found")], data: .object([("mask", .string(mask))]),
                                   facts: ["situation": "found", "count": "2", "found": "2 faces (top and top right)", "label": "face|faces", "term": "face"])
            case "edit":
                let out = artifacts.add(image: try artifacts.image("img0"))
                return Observation(skill: "edit", image: "img0", size: (640, 480), lines: ["blurred (radius 9 px) in the 2 faces"],
                                   artifacts: [(out, "edited image 640×480")], data: .object([("output", .string(out))]),
                                   facts: ["situation": "edited", "changed": "blurred (radius 9 px) in the 2 faces", "output": out])
            case "ocr":
                return Observation(skill: "ocr", image: "img0", size: (640, 480), lines: ["1. \"SPEED LIMIT 30\" 0.97 [0.2,0.3,0.8,0.5]"],
                                   facts: ["situation": "text", "text": "SPEED LIMIT 30", "count": "1"])
            default:
                return Observation(skill: manifest.name, image: "img0", lines: ["nothing"])
            }
        }
    }

    static func agent() throws -> Agent {
        let manifests = try RealPlanner.manifests()
        let registry = SkillRegistry(skills: manifests.map { Canned(manifest: $0) })
        let lm = try LanguageModel(path: try Fixtures.modelPath("qwen2.5-coder-0.5b"))
        let planner = LLMPlanner(model: lm, instructions: try LLMPlanner.instructions(from: Fixtures.skillsFolder.appendingPathComponent("planner.md")), texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")),
                                 chat: try LLMPlanner.instructions(from: Fixtures.skillsFolder.appendingPathComponent("chat.md")),
                                 chooser: try RealPlanner.chooser(manifests: manifests), examples: try RealPlanner.examples(manifests: manifests))
        let agent = Agent(registry: registry, planner: planner, texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")), maxSteps: 5, checker: try RealPlanner.checker(skills: manifests.map(\.name)))
        agent.attach(try RGBImage(width: 640, height: 480), name: "photo.jpg")
        return agent
    }

    static func tools(_ steps: [AgentStep]) -> [String] { steps.filter { $0.kind == .observation }.compactMap(\.tool) }
    static func trace(_ steps: [AgentStep]) -> String { "\(steps.map { "\($0.kind) \($0.tool ?? "") \($0.arguments?.compactDescription ?? "") \($0.text)" })" }

    @Test func followsThePlansOfTheConventions() async throws {
        let agent = try Self.agent()
        let blur = try await agent.run("blur every face")
        #expect(Self.tools(blur) == ["detect", "edit"], "\(Self.trace(blur))")
        let edit = blur.last { $0.kind == .observation }?.arguments
        #expect(edit?["operation"]?.stringValue == "blur" && edit?["target_mask"]?.stringValue == "mask1", "\(Self.trace(blur))")
        #expect(blur.first { $0.kind == .plan }?.timing?.plan == "detect-edit")
        #expect(blur.last?.text.contains("img1") == true, "the answer names the new image: \(blur.last?.text ?? "")")

        agent.reset()
        let sign = try await agent.run("what does the sign say?")
        #expect(Self.tools(sign) == ["ocr"], "\(Self.trace(sign))")
        #expect(sign.last?.text.contains("SPEED LIMIT 30") == true, "the answer quotes the text: \(sign.last?.text ?? "")")
        let signPlan = try #require(sign.first { $0.kind == .plan }?.timing)
        #expect(signPlan.promptComputed < signPlan.promptTokens / 2, "the system turn comes from the cache: \(signPlan)")

        let hi = try await agent.run("hi")
        #expect(Self.tools(hi).isEmpty && !(hi.last?.text.isEmpty ?? true), "\(Self.trace(hi))")
    }
}
