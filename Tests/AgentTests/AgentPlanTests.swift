import Agent
import Foundation
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// A turn that follows a plan, with a stand-in planner and the real skills' manifests over stand-in skills (no
/// weights): each step is asked for exactly one call under its narrowed schema, outputs feed the next step, a
/// step that finds nothing ends the plan with the honest template, a failing call gets one more try, a plan
/// that needs an image without one says so, and the `--json` steps keep their shape.
@Suite struct AgentPlanTests {
    /// Chooses a fixed plan; writes each call with `write` (given the narrowed tool), answers `answer`.
    final class FixedPlanner: Planner, @unchecked Sendable {
        let choice: PlanChooser.Choice
        let write: @Sendable (ToolSpec, Int) -> JSONValue?
        let answer: String
        private(set) var requests: [PlannerRequest] = []
        init(_ plan: Plan, answer: String, alternatives: [(plan: Plan, probability: Float)] = [], write: @escaping @Sendable (ToolSpec, Int) -> JSONValue?) {
            var choice = PlanChooser.Choice(plan: plan, probability: alternatives.first?.probability ?? 0.9)
            choice.alternatives = alternatives
            (self.choice, self.answer, self.write) = (choice, answer, write)
        }
        func choosePlan(for request: String) async throws -> PlanChooser.Choice? { choice }
        func plan(_ request: PlannerRequest, onText: @escaping @Sendable (String) -> Void, isCancelled: @escaping @Sendable () -> Bool) async throws -> PlannerDecision {
            requests.append(request)
            switch request.mode {
            case let .call(spec):
                guard let args = write(spec, requests.count) else { return PlannerDecision(text: "", malformed: ["the call \"{\" cannot be read: incomplete"]) }
                return PlannerDecision(text: "", calls: [ToolCall(name: spec.name, arguments: args)])
            case .answer, .free: return PlannerDecision(text: answer)
            }
        }
    }

    /// detect finds `faces` faces (a mask when any); edit makes a new image; ocr reads "EXIT"; retrieve finds nothing.
    struct Stand: Skill {
        let manifest: SkillManifest
        let faces: Int
        /// ocr reads nothing inside a region (text too small in the box found).
        var emptyRegions = false
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            // retrieve searches the library: no image needed (and none found here).
            if manifest.name == "retrieve" { return Observation(skill: "retrieve", lines: ["no photo matches"], facts: ["situation": "none", "count": "0"]) }
            let image = try artifacts.image(json["image"]?.stringValue ?? "")
            switch manifest.name {
            case "detect":
                guard faces > 0 else {
                    return Observation(skill: "detect", image: "img0", lines: ["face: none found"], data: .object([("objects", .array([]))]),
                                       facts: ["situation": "none", "count": "0", "missing": "face", "term": "face"])
                }
                let mask = artifacts.add(mask: try Mask(width: image.width, height: image.height, box: PixelBox(x0: 0, y0: 0, x1: 10, y1: 10)))
                return Observation(skill: "detect", image: "img0", lines: ["face: \(faces) found"], artifacts: [(mask, "mask of the regions found")],
                                   data: .object([("objects", .array([.object([("box", .array([.number(0), .number(0), .number(0.25), .number(0.3)]))])])),
                                                  ("mask", .string(mask))]),
                                   facts: ["situation": "found", "count": "\(faces)", "found": "\(faces) faces (top left)", "label": "face|faces"])
            case "edit":
                if json["operation"]?.stringValue == "sketch" { throw SkillError.failed(skill: "edit", reason: "sketching broke") }
                let out = artifacts.add(image: image)
                return Observation(skill: "edit", image: "img0", lines: ["blurred"], artifacts: [(out, "edited image")],
                                   facts: ["situation": "edited", "changed": "blurred in the faces", "output": out])
            case "ocr":
                if emptyRegions, json["region"] != nil {
                    return Observation(skill: "ocr", image: "img0", lines: ["no text found"], facts: ["situation": "none", "count": "0", "text": ""])
                }
                return Observation(skill: "ocr", image: "img0", lines: ["1. \"EXIT\" 0.9 [0,0,0.2,0.2]"], facts: ["situation": "text", "text": "EXIT", "count": "1"])
            default:
                return Observation(skill: manifest.name, lines: ["ok"])
            }
        }
    }

    static func setUp(plan name: String, faces: Int = 2, emptyRegions: Bool = false, answer: String, image: Bool = true, ranked: [(String, Float)] = [],
                      write: @escaping @Sendable (ToolSpec, Int) -> JSONValue?) throws -> (Agent, FixedPlanner) {
        let manifests = try ["detect", "edit", "ocr", "retrieve"].map { try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent($0)) }
        let plans = try PlanCatalog.read(Fixtures.skillsFolder.appendingPathComponent("plans.json"))
        let plan = try #require(plans.first { $0.name == name })
        let alternatives = ranked.compactMap { r in plans.first { $0.name == r.0 }.map { ($0, r.1) } }
        let planner = FixedPlanner(plan, answer: answer, alternatives: alternatives, write: write)
        let rules = try AnswerRules.read(Fixtures.skillsFolder.appendingPathComponent("answers.json"))
        var templates: [String: AnswerTemplate] = [:]
        for m in manifests { templates[m.name] = try AnswerTemplate.read(folder: m.folder) }
        let agent = Agent(registry: SkillRegistry(skills: manifests.map { Stand(manifest: $0, faces: faces, emptyRegions: emptyRegions) }), planner: planner, texts: try PromptTexts.read(Fixtures.skillsFolder.appendingPathComponent("prompts.json")), maxSteps: 5,
                          checker: AnswerChecker(rules: rules, templates: templates))
        if image { agent.attach(try RGBImage(width: 40, height: 30), name: "photo.png") }
        return (agent, planner)
    }

    /// Fills a narrowed tool's arguments: constants as given, the rest from `values`.
    static func fill(_ spec: ToolSpec, _ values: [String: JSONValue]) -> JSONValue {
        var out: [(key: String, value: JSONValue)] = []
        for (key, schema) in spec.parameters["properties"]?.objectValue ?? [] {
            if let c = schema["const"] { out.append((key, c)) }
            else if let e = schema["enum"]?.arrayValue?.first, key != "operation" { out.append((key, e)) }
            else if let v = values[key] { out.append((key, v)) }
        }
        return .object(out)
    }

    @Test func stepsFeedEachOtherUnderNarrowedSchemas() async throws {
        let (agent, planner) = try Self.setUp(plan: "detect-edit", answer: "Blurred both faces; see img1.") { spec, _ in
            Self.fill(spec, ["query": .string("face"), "operation": .string("blur")])
        }
        let steps = try await agent.run("blur the faces")
        #expect(steps.filter { $0.kind == .observation }.map(\.tool) == ["detect", "edit"])
        let edit = try #require(steps.last { $0.kind == .call })
        #expect(edit.arguments?["target_mask"] == .string("mask1") && edit.arguments?["image"] == .string("img0"))
        guard case let .call(spec) = planner.requests[1].mode else { Issue.record("not a call step"); return }
        #expect(spec.parameters["properties"]?["target_mask"]?["const"] == .string("mask1"))
        // edit's answer is its template (skills/edit/answer.md, `by: template`): the planner is not asked.
        #expect(planner.requests.last.map { if case .answer = $0.mode { true } else { false } } == false)
        #expect(steps.last?.text == "Done: blurred in the faces. The result is img1.")
        #expect(steps.first { $0.kind == .plan }?.timing?.plan == "detect-edit")
        // --json keeps its shape: tool, arguments, observation.
        let json = try #require(steps.first { $0.kind == .observation }?.json)
        #expect(json["tool"] != nil && json["arguments"] != nil && json["observation"] != nil)
    }

    @Test func nothingFoundEndsThePlanHonestly() async throws {
        let (agent, _) = try Self.setUp(plan: "detect-edit", faces: 0, answer: "Done! I blurred the faces.") { spec, _ in
            Self.fill(spec, ["query": .string("face"), "operation": .string("blur")])
        }
        let steps = try await agent.run("blur the faces")
        #expect(steps.filter { $0.kind == .observation }.map(\.tool) == ["detect"], "nothing is edited")
        #expect(steps.last?.text == "I could not find any face in the image.")
    }

    @Test func anObjectNotFoundIsNotReadInItsPlace() async throws {
        let (agent, _) = try Self.setUp(plan: "detect-ocr", faces: 0, answer: "It says \"EXIT\".") { spec, _ in
            Self.fill(spec, ["query": .string("face")])
        }
        let steps = try await agent.run("what is written on the face?")
        #expect(steps.filter { $0.kind == .observation }.map(\.tool) == ["detect"], "the whole image is not read instead")
        #expect(steps.last?.text == "I could not find any face in the image.")
    }

    @Test func nothingReadInTheBoxFoundReadsTheWholeImage() async throws {
        let (agent, _) = try Self.setUp(plan: "detect-ocr", faces: 1, emptyRegions: true, answer: "It says \"EXIT\".") { spec, _ in
            Self.fill(spec, ["query": .string("sign")])
        }
        let steps = try await agent.run("what does the sign on the door say?")
        let reads = steps.filter { $0.kind == .call && $0.tool == "ocr" }
        #expect(reads.count == 2 && reads[0].arguments?["region"] != nil && reads[1].arguments?["region"] == nil)
        #expect(steps.last?.text == "It says \"EXIT\".")
    }

    @Test func aMistakeGetsOneMoreTryAndAFailureIsSaidPlainly() async throws {
        // The first call cannot be read; the second is fine.
        let (agent, planner) = try Self.setUp(plan: "ocr", answer: "It says EXIT.") { spec, n in n == 1 ? nil : Self.fill(spec, [:]) }
        let steps = try await agent.run("read it")
        #expect(steps.contains { $0.kind == .error } && steps.filter { $0.kind == .observation }.count == 1)
        #expect(planner.requests.count == 3 && steps.last?.text == "It says EXIT.")
        // A skill that fails twice: the answer says so without its internals.
        let (broken, _) = try Self.setUp(plan: "edit", answer: "error: sketching broke") { spec, _ in Self.fill(spec, ["operation": .string("sketch")]) }
        let failed = try await broken.run("make it a sketch")
        #expect(failed.filter { $0.kind == .observation }.count == 2)
        #expect(failed.last?.text == "Sorry, I could not make that change to the image.")
    }

    @Test func aPlanThatNeedsAnImageSaysSoWithoutOne() async throws {
        let (agent, planner) = try Self.setUp(plan: "ocr", answer: "x", image: false) { spec, _ in Self.fill(spec, [:]) }
        let steps = try await agent.run("what does it say?")
        #expect(planner.requests.isEmpty && steps.last?.text.contains("attach") == true, "\(steps.last?.text ?? "")")
    }

    @Test func withoutAnImageAPlanThatNeedsNoneIsTakenWhenLikelyEnough() async throws {
        // "find my photo of the poster and read it", with no image open: ocr is best, retrieve→ocr well above chance.
        let (agent, planner) = try Self.setUp(plan: "ocr", answer: "Found it.", image: false, ranked: [("ocr", 0.45), ("retrieve-ocr", 0.4), ("answer", 0.15)]) { spec, _ in
            Self.fill(spec, ["query": .string("poster")])
        }
        let steps = try await agent.run("find the poster I took and read it")
        #expect(steps.filter { $0.kind == .observation }.map(\.tool) == ["retrieve"], "\(steps.map(\.text))")
        #expect(steps.first { $0.kind == .plan }?.timing?.plan == "retrieve-ocr" && !planner.requests.isEmpty)
        // Below chance (1 over the number of plans): the turn asks for an image instead.
        let (other, _) = try Self.setUp(plan: "ocr", answer: "x", image: false, ranked: [("ocr", 0.9), ("retrieve-ocr", 0.02), ("answer", 0.08)]) { spec, _ in
            Self.fill(spec, [:])
        }
        #expect(try await other.run("what does it say?").last?.text.contains("attach") == true)
    }
}
