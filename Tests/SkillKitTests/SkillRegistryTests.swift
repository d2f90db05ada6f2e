import Foundation
import SkillKit
import TestSupport
import Testing
import ToolSchema
import Vision

/// The registry on the repository's skill manifests with stand-in implementations: schema validation
/// errors that name the argument, unknown skills and handles as error observations with hints, manifests
/// that cannot be used, models that are missing.
@Suite struct SkillRegistryTests {
    /// Echoes its arguments and the size of its image.
    struct Echo: Skill {
        let manifest: SkillManifest
        func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
            let image = try artifacts.image(json["image"]?.stringValue ?? "img0")
            return Observation(skill: manifest.name, image: "img0", size: (image.width, image.height), lines: ["args \(json)"])
        }
    }

    func registry(models: Bool = true) -> SkillRegistry {
        let names = ["ocr", "detect", "segment", "tag", "edit"]
        let factories = Dictionary(uniqueKeysWithValues: names.map { n in (n, { (m: SkillManifest) -> any Skill in Echo(manifest: m) } as SkillRegistry.Factory) })
        return SkillRegistry(directories: [Fixtures.skillsFolder], builtins: factories) { _ in models }
    }

    func artifacts() throws -> Artifacts {
        let a = Artifacts()
        a.setUserImage(try RGBImage(width: 20, height: 10))
        return a
    }

    @Test func loadsTheRepositorySkills() throws {
        let r = registry()
        #expect(r.loadErrors.isEmpty, "\(r.loadErrors)")
        #expect(Set(r.available).isSuperset(of: ["ocr", "detect", "segment", "tag", "edit"]))
        #expect(r.tools.count == r.available.count)
        #expect(r.entries.allSatisfy { !$0.manifest.examples.isEmpty }, "every skill has examples.md")
    }

    @Test func validCallRuns() async throws {
        let o = await registry().call("detect", arguments: try JSONParser.parse(#"{"image": "img0", "query": "face"}"#), artifacts: try artifacts())
        #expect(o.error == nil)
        #expect(o.text().contains("size=\"20x10\""))
    }

    @Test func invalidArgumentsNameTheArgument() async throws {
        let r = registry(), a = try artifacts()
        let cases: [(String, String, String)] = [
            ("detect", #"{"image": "img0"}"#, "query"),
            ("detect", #"{"image": "img0", "query": 7}"#, "query"),
            ("edit", #"{"image": "img0", "operation": "explode"}"#, "operation"),
            ("tag", #"{"image": "img0", "top_k": 500}"#, "top_k"),
            ("ocr", #"{"image": "img0", "colour": "red"}"#, "colour"),
            ("ocr", #"{"image": "img0", "region": [0, 0, 1]}"#, "region"),
        ]
        for (skill, args, argument) in cases {
            let o = await r.call(skill, arguments: try JSONParser.parse(args), artifacts: a)
            let error = try #require(o.error, "\(skill) \(args) was accepted")
            #expect(error.contains(argument), "\(skill) \(args): \(error)")
            #expect(o.hint != nil)
            #expect(o.text().contains("error:"))
        }
    }

    @Test func unknownSkillAndHandleBecomeObservations() async throws {
        let r = registry(), a = try artifacts()
        let unknown = await r.call("teleport", arguments: .object([]), artifacts: a)
        #expect(unknown.error?.contains("teleport") == true && unknown.hint?.contains("detect") == true)
        let handle = await r.call("tag", arguments: try JSONParser.parse(#"{"image": "img7"}"#), artifacts: a)
        #expect(handle.error?.contains("img7") == true && handle.hint?.contains("img0") == true, "\(handle.text())")
        let mask = a.add(mask: try Mask(width: 20, height: 10, values: [UInt8](repeating: 255, count: 200)))
        let kind = await r.call("tag", arguments: .object([("image", .string(mask))]), artifacts: a)
        #expect(kind.error?.contains("not an image handle") == true, "\(kind.text())")
    }

    @Test func missingModelsMakeASkillUnavailable() async throws {
        let r = registry(models: false)
        #expect(r.available.isEmpty)
        #expect(r.entries.allSatisfy { $0.problem?.contains("loupe models pull") == true })
        let o = await r.call("ocr", arguments: try JSONParser.parse(#"{"image": "img0"}"#), artifacts: try artifacts())
        #expect(o.error?.contains("not installed") == true)
    }

    @Test func badManifestsAreReportedNotLoaded() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-skills-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bad: [(String, String, String)] = [
            ("nojson", "{not json", "invalid JSON"),
            ("noname", #"{"description": "d", "parameters": {"type": "object"}, "implementation": {"builtin": "x"}}"#, "\"name\""),
            ("noimpl", #"{"name": "a", "description": "d", "parameters": {"type": "object"}}"#, "\"implementation\""),
            ("badschema", #"{"name": "b", "description": "d", "parameters": {"type": "string"}, "implementation": {"builtin": "x"}}"#, "object schema"),
            ("badname", #"{"name": "no spaces", "description": "d", "parameters": {"type": "object"}, "implementation": {"builtin": "x"}}"#, "letters, digits"),
            ("badmcp", #"{"name": "p", "description": "d", "implementation": {"mcp": {"command": []}}}"#, "implementation.mcp.command"),
            ("badtimeout", #"{"name": "q", "description": "d", "implementation": {"mcp": {"command": ["x"], "timeout_seconds": 0}}}"#, "timeout_seconds"),
        ]
        for (folder, text, _) in bad {
            let dir = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try text.write(to: dir.appendingPathComponent("skill.json"), atomically: true, encoding: .utf8)
        }
        let unknownImpl = root.appendingPathComponent("zz")
        try FileManager.default.createDirectory(at: unknownImpl, withIntermediateDirectories: true)
        try #"{"name": "zz", "description": "d", "parameters": {"type": "object"}, "implementation": {"builtin": "nothing"}}"#
            .write(to: unknownImpl.appendingPathComponent("skill.json"), atomically: true, encoding: .utf8)
        let r = SkillRegistry(directories: [root], builtins: [:]) { _ in true }
        #expect(r.loadErrors.count == bad.count)
        for (folder, _, fragment) in bad {
            #expect(r.loadErrors.contains { "\($0)".contains(folder) && "\($0)".contains(fragment) }, "\(folder): \(r.loadErrors)")
        }
        #expect(r.entry("zz")?.problem?.contains("no built-in implementation") == true)
    }

    @Test func pluginFoldersGoThroughTheBinderAndCannotTakeTakenNames() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-plugins-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        for (folder, text) in [
            ("a", #"{"name": "a", "description": "d", "parameters": {"type": "object"}, "implementation": {"builtin": "a"}}"#),
            ("p", #"{"name": "p", "description": "a plugin", "implementation": {"mcp": {"command": ["bin/server", "--stdio"], "timeout_seconds": 5}}}"#),
        ] {
            let dir = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try text.write(to: dir.appendingPathComponent("skill.json"), atomically: true, encoding: .utf8)
        }
        guard case let .plugin(p) = try SkillFolder.read(root.appendingPathComponent("p")) else { Issue.record("not read as a plugin"); return }
        #expect(p.command == [root.appendingPathComponent("p/bin/server").path, "--stdio"] && p.timeoutSeconds == 5)
        let builtins: [String: SkillRegistry.Factory] = ["a": { m in Echo(manifest: m) }]
        let r = SkillRegistry(directories: [root], builtins: builtins, plugins: { plugin in
            ["a", "b"].map { name in
                SkillRegistry.Entry(manifest: try! SkillManifest(name: name, description: "from \(plugin.name)", parameters: .object([("type", .string("object"))]),
                                                                 implementation: .mcp(plugin: plugin.name, command: plugin.command)),
                                    skill: nil, problem: "test")
            }
        }) { _ in true }
        #expect(r.entries.map(\.manifest.name) == ["a", "b"])
        #expect(r.entry("a")?.source == "built-in (a)", "the built-in keeps its name")
        #expect(r.entry("b")?.source.hasPrefix("mcp p: ") == true)
        #expect(r.loadErrors.contains { "\($0)".contains("tool \"a\" of plugin p is skipped") }, "\(r.loadErrors)")
    }

    @Test func observationTextStaysWithinBudget() {
        let o = Observation(skill: "ocr", image: "img0", size: (100, 50), lines: (0..<200).map { "line \($0) with some words on it" })
        let text = o.text(budget: 300)
        #expect(text.count < 360)
        #expect(text.contains("more lines") && text.hasSuffix("</observation>"))
        #expect(rounded(0.96666) == "0.97" && rounded(12.0) == "12" && rounded(-0.0001) == "0" && rounded(0.5) == "0.5")
    }

    @Test func handlesCountUpPerKind() throws {
        let a = try artifacts()
        let i1 = a.add(image: try RGBImage(width: 2, height: 2)), m1 = a.add(mask: try Mask(width: 2, height: 2, values: [0, 0, 0, 0]))
        let i2 = a.add(image: try RGBImage(width: 2, height: 2))
        #expect([i1, m1, i2] == ["img1", "mask1", "img2"])
        #expect(a.handles == ["img0", "img1", "mask1", "img2"])
    }
}

/// Numeric arguments written with their unit are read as the number; anything else is not a number.
@Suite struct ArgumentNumberTests {
    @Test func numbersWithUnitsAreRead() throws {
        let args = Arguments(skill: "edit", json: try JSONParser.parse(#"{"a": "300px", "b": "90 degrees", "c": 12, "d": "-0.25", "e": "abc", "f": "nan", "g": "3 apples", "h": "12.5px"}"#))
        #expect(args.int("a") == 300 && args.double("b") == 90 && args.int("c") == 12 && args.double("d") == -0.25)
        #expect(args.double("e") == nil && args.double("f") == nil && args.double("g") == nil)
        #expect(args.int("h") == nil && args.double("h") == 12.5, "not a whole number")
        #expect(Arguments.measure("1e999") == nil && Arguments.measure("") == nil && Arguments.measure("90°") == 90)
    }

    /// Issue 14: rotate by NaN, 1e20 or 90.0000001 was done as 90°, blur radius "abc" became the default, and a
    /// target of control characters edited "1 region". Each is now refused with the argument named.
    @Test func badNumbersAndPhrasesAreRefusedNotCoerced() throws {
        let args = Arguments(skill: "edit", json: try JSONParser.parse(
            #"{"nan": "NaN", "huge": 1e20, "almost": 90.0000001, "abc": "abc", "ok": "180 degrees", "control": "\u0001\u0002", "dots": "...", "thing": "  red car "}"#))
        for key in ["nan", "huge", "almost", "abc"] {
            #expect { try args.number(key, in: -3600...3600, whole: true) } throws: { "\($0)".contains("\"\(key)\" must be") }
        }
        #expect(try args.number("ok", in: -3600...3600, whole: true) == 180)
        #expect(try args.number("absent", in: 0...1) == nil, "absent: the skill's default")
        #expect { try args.number("ok", in: 0...90) } throws: { "\($0)".contains("from 0 to 90, got 180") }
        for key in ["control", "dots"] {
            #expect { try args.phrase(key) } throws: { "\($0)".contains("\"\(key)\" must name a thing in words") }
        }
        #expect(try args.phrase("thing") == "red car" && args.phrase("absent") == nil)
    }
}
