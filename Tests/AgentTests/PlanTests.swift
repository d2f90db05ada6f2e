import Agent
import Foundation
import SkillKit
import TestSupport
import Testing
import ToolSchema

/// Plans as data: skills/plans.json parses, bad plans are refused with the field named, a plugin's tool gets a
/// plan of its own, references find earlier steps' values, and binding narrows a step's schema so the planner
/// can only write what the plan allows (and ends the plan when an earlier step found nothing).
@Suite struct PlanTests {
    static let catalogFile = Fixtures.skillsFolder.appendingPathComponent("plans.json")

    @Test func theShippedPlansFollowTheConventions() throws {
        let plans = try PlanCatalog.read(Self.catalogFile)
        let byName = Dictionary(uniqueKeysWithValues: plans.map { ($0.name, $0.skills) })
        #expect(byName["answer"] == [])
        #expect(byName["detect-edit"] == ["detect", "edit"] && byName["segment-edit"] == ["segment", "edit"])
        #expect(byName["detect-ocr"] == ["detect", "ocr"] && byName["retrieve-ocr"] == ["retrieve", "ocr"])
        for single in ["ocr", "detect", "tag", "segment", "edit", "retrieve"] { #expect(byName[single] == [single]) }
        // Every plan with a corpus file, and every corpus file names a plan.
        let generated = try FileManager.default.contentsOfDirectory(atPath: Fixtures.skillsFolder.appendingPathComponent("corpus/generated").path)
        #expect(Set(generated.map { ($0 as NSString).deletingPathExtension }) == Set(byName.keys))
        _ = try PlanCatalog.classifierSettings(Self.catalogFile)
    }

    @Test func badPlansNameWhatIsWrong() throws {
        func read(_ text: String) throws {
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("plans-\(UUID().uuidString).json")
            try text.write(to: file, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(at: file) }
            _ = try PlanCatalog.read(file)
        }
        #expect(throws: AgentError.self) { try read(#"{"plans": []}"#) }
        #expect { try read(#"{"plans": [{"name": "x", "steps": [{"skill": "a", "set": {"image": "$2.arguments.image"}}]}]}"#) } throws: {
            "\($0)".contains("refers to step 2")
        }
        #expect { try read(#"{"plans": [{"name": "x", "steps": [{"skill": "a", "choose": {"region": "result.box"}}]}]}"#) } throws: {
            "\($0)".contains("choose.region")
        }
        #expect { try read(#"{"plans": [{"name": "x", "steps": []}, {"name": "x", "steps": []}]}"#) } throws: { "\($0)".contains("twice") }
        #expect { try read(#"{"plans": [{"name": "x", "steps": [{"set": {}}]}]}"#) } throws: { "\($0)".contains("\"skill\" is missing") }
        #expect { try read(#"{"plans": [{"name": "x", "examples": 40, "steps": []}]}"#) } throws: { "\($0)".contains("\"examples\" must be") }
        #expect { try read(#"{"plans": [{"name": "x", "steps": [{"skill": "a", "allow": {"operation": "blur"}}]}]}"#) } throws: {
            "\($0)".contains("allow.operation must be a list")
        }
        #expect { try read(#"{"plans": [{"name": "x", "steps": [{"skill": "a"}, {"skill": "b", "optional": ["region"]}]}]}"#) } throws: {
            "\($0)".contains("optional \"region\" is neither set nor chosen")
        }
    }

    @Test func aPluginToolGetsItsOwnPlanAndMissingSkillsDropPlans() throws {
        let declared = try PlanCatalog.read(Self.catalogFile)
        let catalog = PlanCatalog(declared: declared, available: ["ocr", "detect", "edit", "palette"])
        let names = catalog.plans.map(\.name)
        #expect(names.contains("detect-edit") && names.contains("palette") && names.contains("answer"))
        #expect(!names.contains("segment-edit") && !names.contains("tag"), "plans whose skills cannot run are left out")
        #expect(catalog.plan(named: "palette")?.skills == ["palette"])
        #expect(catalog.answerPlan?.name == "answer")
    }

    @Test func referencesFindValuesOfEarlierSteps() throws {
        let root = try JSONParser.parse(#"{"arguments": {"image": "img0"}, "result": {"objects": [{"box": [0,0,1,1]}, {"box": [0.5,0.5,1,1]}], "mask": "mask1"}}"#)
        #expect(PlanReference("$1.result.objects[].box")?.values(in: root).count == 2)
        #expect(PlanReference("$1.result.mask")?.values(in: root) == [.string("mask1")])
        #expect(PlanReference("$1.arguments.image")?.values(in: root) == [.string("img0")])
        #expect(PlanReference("$1.result.none")?.values(in: root) == [])
        #expect(PlanReference("1.result") == nil && PlanReference("$0.result") == nil && PlanReference("$1") == nil && PlanReference("$1..x") == nil)
    }

    static func editTool() throws -> ToolSpec { try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent("edit")).tool }
    static func ocrTool() throws -> ToolSpec { try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent("ocr")).tool }

    static func detected(boxes: [[Double]]) throws -> (call: ToolCall, observation: Observation) {
        let call = ToolCall(name: "detect", arguments: try JSONParser.parse(#"{"image": "img0", "query": "face"}"#))
        var data: [(key: String, value: JSONValue)] = [("objects", .array(boxes.map { .object([("box", .array($0.map { .number($0) }))]) }))]
        if !boxes.isEmpty { data.append(("mask", .string("mask1"))) }
        return (call, Observation(skill: "detect", image: "img0", lines: [], data: .object(data), facts: ["situation": boxes.isEmpty ? "none" : "found"]))
    }

    @Test func bindingFixesChoosesAndDropsArguments() throws {
        let plans = try PlanCatalog.read(Self.catalogFile)
        let edit = try #require(plans.first { $0.name == "detect-edit" }?.steps[1])
        let earlier = [try Self.detected(boxes: [[0.1, 0.1, 0.4, 0.4]])]
        guard case let .bound(spec) = try PlanBinding.bind(edit, tool: try Self.editTool(), earlier: earlier, images: ["img0"]) else {
            Issue.record("not bound"); return
        }
        let properties = spec.parameters["properties"]?.objectValue?.map(\.key) ?? []
        #expect(!properties.contains("target") && !properties.contains("target_box"), "dropped: \(properties)")
        #expect(spec.parameters["properties"]?["target_mask"]?["const"] == .string("mask1"))
        #expect(spec.parameters["required"]?.arrayValue?.contains(.string("target_mask")) == true)
        try spec.schema.validate(try JSONParser.parse(#"{"image": "img0", "operation": "blur", "target_mask": "mask1"}"#))
        #expect(throws: (any Error).self) { try spec.schema.validate(try JSONParser.parse(#"{"image": "img0", "operation": "blur", "target_mask": "mask7"}"#)) }
        #expect(throws: (any Error).self) { try spec.schema.validate(try JSONParser.parse(#"{"image": "img0", "operation": "blur"}"#)) }

        // detect-ocr: the region is one of the boxes found.
        let read = try #require(plans.first { $0.name == "detect-ocr" }?.steps[1])
        let two = [try Self.detected(boxes: [[0.1, 0.1, 0.4, 0.4], [0.5, 0.5, 0.9, 0.9]])]
        guard case let .bound(ocr) = try PlanBinding.bind(read, tool: try Self.ocrTool(), earlier: two, images: ["img0"]) else {
            Issue.record("not bound"); return
        }
        #expect(ocr.parameters["properties"]?["region"]?["enum"]?.arrayValue?.count == 2)
        try ocr.schema.validate(try JSONParser.parse(#"{"image": "img0", "region": [0.5, 0.5, 0.9, 0.9]}"#))
        #expect(throws: (any Error).self) { try ocr.schema.validate(try JSONParser.parse(#"{"image": "img0", "region": [0, 0, 1, 1]}"#)) }
        // One box found: the region is a constant, and the call's fixed start spells it as the grammar does
        // (no spaces inside the array), so the decoder can take it.
        guard case let .bound(one) = try PlanBinding.bind(read, tool: try Self.ocrTool(), earlier: [try Self.detected(boxes: [[0.125, 0.5, 0.75, 1]])], images: ["img0"]) else {
            Issue.record("not bound"); return
        }
        let prefix = PlanBinding.callPrefix(one)
        #expect(prefix.contains(#""region": [0.125,0.5,0.75,1"#), "\(prefix)")
        var matcher = SchemaMatcher(one.schema)
        let arguments = try #require(prefix.range(of: #""arguments": "#)).upperBound
        let accepted = matcher.advance(Array(prefix[arguments...].utf8))
        #expect(accepted, "the grammar refuses \(prefix)")
    }

    @Test func allowNarrowsAnEnumToTheEditsThatFitAMask() throws {
        let plans = try PlanCatalog.read(Self.catalogFile)
        let edit = try #require(plans.first { $0.name == "segment-edit" }?.steps[1])
        #expect(edit.allow.first?.key == "operation")
        #expect(plans.first { $0.name == "segment-edit" }?.examples == 2 && plans.first { $0.name == "ocr" }?.examples == nil)
        guard case let .bound(spec) = try PlanBinding.bind(edit, tool: try Self.editTool(), earlier: [try Self.detected(boxes: [[0.1, 0.1, 0.4, 0.4]])], images: ["img0"]) else {
            Issue.record("not bound"); return
        }
        try spec.schema.validate(try JSONParser.parse(#"{"image": "img0", "target_mask": "mask1", "operation": "recolor", "value": "red"}"#))
        try spec.schema.validate(try JSONParser.parse(#"{"image": "img0", "target_mask": "mask1", "operation": "remove_background"}"#))
        for op in ["crop", "rotate", "draw_boxes"] {
            #expect(throws: (any Error).self, "\(op) after a mask") {
                try spec.schema.validate(try JSONParser.parse(#"{"image": "img0", "target_mask": "mask1", "operation": "\#(op)"}"#))
            }
        }
        // Only values the skill's schema accepts stay; a list that keeps none leaves the schema as it was.
        let narrow = Plan.Step(skill: "edit", allow: [("operation", [.string("blur"), .string("explode")])])
        guard case let .bound(blurOnly) = try PlanBinding.bind(narrow, tool: try Self.editTool(), earlier: [], images: ["img0"]) else { Issue.record("not bound"); return }
        #expect(blurOnly.parameters["properties"]?["operation"]?["const"] == .string("blur"))
        let none = Plan.Step(skill: "edit", allow: [("operation", [.string("explode")])])
        guard case let .bound(same) = try PlanBinding.bind(none, tool: try Self.editTool(), earlier: [], images: ["img0"]) else { Issue.record("not bound"); return }
        #expect(same.parameters["properties"]?["operation"]?["enum"]?.arrayValue?.count == 14)
    }

    @Test func requiredArgumentsMustBeWritten() throws {
        let plans = try PlanCatalog.read(Self.catalogFile)
        let step = try #require(plans.first { $0.name == "segment" }?.steps[0])
        #expect(step.require == ["query"])
        let segment = try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent("segment")).tool
        guard case let .bound(spec) = try PlanBinding.bind(step, tool: segment, earlier: [], images: ["img0"]) else { Issue.record("not bound"); return }
        #expect(throws: (any Error).self) { try spec.schema.validate(try JSONParser.parse(#"{"image": "img0"}"#)) }
        try spec.schema.validate(try JSONParser.parse(#"{"image": "img0", "query": "cat"}"#))
        // The call starts with what is fixed, and a comma because the query must follow.
        #expect(PlanBinding.callPrefix(spec) == #"{"name": "segment", "arguments": {"image": "img0","#)
    }

    /// A retry leaves out the optional argument its error named (an invented box), so it does not write the same call.
    @Test func aRetryLeavesOutTheArgumentTheErrorNamed() throws {
        let plans = try PlanCatalog.read(Self.catalogFile)
        let step = try #require(plans.first { $0.name == "segment" }?.steps[0])
        let segment = try SkillManifest(folder: Fixtures.skillsFolder.appendingPathComponent("segment")).tool
        guard case let .bound(spec) = try PlanBinding.bind(step, tool: segment, earlier: [], images: ["img0"]) else { Issue.record("not bound"); return }
        let error = #"segment: invalid arguments: "box" must be [x0, y0, x1, y1] in 0…1 with x0 < x1 and y0 < y1, got [0.5, 0.5, 0.5, 0.5]"#
        let call = ToolCall(name: "segment", arguments: try JSONParser.parse(#"{"image": "img0", "query": "puppy", "box": [0.5, 0.5, 0.5, 0.5]}"#))
        #expect(PlanBinding.culprits(in: error, of: spec, call: call, request: "cut out the puppy in the middle") == ["box"])
        #expect(PlanBinding.culprits(in: error, of: spec, call: call, request: "cut out the puppy in the box 0.5, 0.5, 0.5, 0.5").isEmpty,
                "a box the user wrote is theirs")
        #expect(PlanBinding.culprits(in: #"invalid arguments: "query" is empty"#, of: spec, call: call, request: "x").isEmpty, "a required argument stays")
        let edit = try Self.editTool()
        let colour = ToolCall(name: "edit", arguments: try JSONParser.parse(#"{"image": "img0", "operation": "replace_background", "value": "person"}"#))
        let unknown = #"edit: invalid arguments: unknown colour "person" (use #rrggbb or one of black, blue)"#
        #expect(PlanBinding.culprits(in: unknown, of: edit, call: colour, request: "make the background behind the speaker transparent") == ["value"])
        #expect(PlanBinding.culprits(in: unknown, of: edit, call: colour, request: "put a person in the background").isEmpty, "asked for")
        // The colour copies what the earlier step looked for: not a value the user gave.
        let segmented = ToolCall(name: "segment", arguments: try JSONParser.parse(#"{"image": "img0", "query": "person"}"#))
        #expect(PlanBinding.culprits(in: unknown, of: edit, call: colour, request: "cut out the person", borrowed: [segmented]) == ["value"])
        let retry = try PlanBinding.without(["box"], from: spec)
        #expect(retry.parameters["properties"]?["box"] == nil && retry.parameters["properties"]?["query"] != nil)
        #expect(throws: (any Error).self) { try retry.schema.validate(try JSONParser.parse(#"{"image": "img0", "query": "dog", "box": [0, 0, 1, 1]}"#)) }
    }

    @Test func nothingFoundEndsThePlanAndImagesAreLimited() throws {
        let plans = try PlanCatalog.read(Self.catalogFile)
        let edit = try #require(plans.first { $0.name == "detect-edit" }?.steps[1])
        guard case let .nothingToUse(reference, key) = try PlanBinding.bind(edit, tool: try Self.editTool(), earlier: [try Self.detected(boxes: [])], images: ["img0"]) else {
            Issue.record("bound although detect found nothing"); return
        }
        #expect(reference == "$1.result.mask" && key == "target_mask")
        // detect→ocr goes without the box it could not find (`optional`) and reads the whole image.
        let read = try #require(plans.first { $0.name == "detect-ocr" }?.steps[1])
        #expect(read.optional == ["region"])
        guard case let .bound(everything) = try PlanBinding.bind(read, tool: try Self.ocrTool(), earlier: [try Self.detected(boxes: [])], images: ["img0"]) else {
            Issue.record("detect→ocr ended although its region is optional"); return
        }
        #expect(everything.parameters["properties"]?["region"] == nil && everything.parameters["properties"]?["image"]?["const"] == .string("img0"))
        // A first step: the image may only be one that exists.
        let whole = try #require(plans.first { $0.name == "edit" }?.steps[0])
        guard case let .bound(spec) = try PlanBinding.bind(whole, tool: try Self.editTool(), earlier: [], images: ["img0", "img2"]) else {
            Issue.record("not bound"); return
        }
        #expect(spec.parameters["properties"]?["image"]?["enum"] == (try JSONParser.parse(#"["img0", "img2"]"#)))
        #expect(throws: (any Error).self) { try spec.schema.validate(try JSONParser.parse(#"{"image": "img5", "operation": "grayscale"}"#)) }
    }
}
