import Agent
import ArgumentParser
import Foundation
import SkillKit
import Skills
import ToolSchema
import Vision

/// `loupe eval SET.jsonl…`: runs every case of each set through the agent and reports tool-selection accuracy,
/// argument accuracy, answer-fact recall, no-tool precision and recall, answers with internal text and seconds
/// per case, per kind and overall, then the sets side by side.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Score the agent on evaluation cases (e.g. the dev and test sets side by side).",
        discussion: """
            Each CASES.jsonl has one case per line: {"id", "kind", "image" (a file in the set's images folder), "instruction", \
            "tools" (expected skills in order; [] for none), "arguments" (expected subsets, one object per call; a string \
            matches when the value contains it, "a|b" gives alternatives), "facts" (what the answer must mention: each a \
            string or a list of alternatives)}. A set's images are in images/ beside it unless --images says otherwise; \
            that folder is also indexed (into a temporary index) for retrieve cases unless --library names another. \
            Each case runs in a fresh conversation; sessions are not logged. --plans-only scores only the plan choice \
            (milliseconds per case, no planner model loaded).
            """)

    @Argument(help: "The case files (JSON lines), e.g. examples/dev/cases.jsonl examples/test/cases.jsonl.")
    var cases: [String]

    @Option(help: "Folder holding the cases' images (only with one case file; default: images/ beside it).")
    var images: String?

    @Option(help: "Folder to index for the retrieve skill (only with one case file; default: the images folder).")
    var library: String?

    @Option(help: "Planner model: a catalogue name or a .gguf path.")
    var model = ModelResolver.defaultPlanner

    @Option(help: "Planner steps per case at most.")
    var maxSteps = 5

    @Option(help: "Run only cases whose id or kind contains this.")
    var only: String?

    @Flag(help: "Score only which plan is chosen (fast; no planner model).")
    var plansOnly = false

    @Option(help: "With --plans-only: the classifier's sentence features, minilm (default) or planner (the planner model's hidden state).")
    var features = "minilm"

    @Option(help: "With --plans-only: train on at most this many requests of each plan (a seeded sample), to compare --features on a corpus the planner can embed in minutes.")
    var trainPerPlan: Int?

    @Flag(help: "Print only the summary tables, not each case.")
    var summary = false

    @Option(name: .customLong("summary-of"), help: "Print only the summary tables of this set (a case file's folder name, e.g. test: a held-out set is measured, not looked into); repeatable.")
    var summaryOf: [String] = []

    /// Whether `set`'s cases are hidden (only its tables printed).
    func hidden(_ set: CaseSet) -> Bool { summary || summaryOf.contains(set.name) }

    struct CaseSet {
        let name: String, file: String, images: String, library: String
        var cases: [Evaluation.Case]
    }

    func loadSets() throws -> [CaseSet] {
        guard !cases.isEmpty else { throw CLIError("name at least one case file") }
        if cases.count > 1, images != nil || library != nil { throw CLIError("--images and --library go with a single case file") }
        return try cases.map { file in
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw CLIError("cannot read \(file)") }
            var list: [Evaluation.Case] = []
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where !line.trimmingCharacters(in: .whitespaces).isEmpty && !line.hasPrefix("#") {
                do { list.append(try Evaluation.Case(json: try JSONParser.parse(String(line)), line: i + 1)) } catch {
                    throw CLIError("\(file):\(i + 1): \(error)")
                }
            }
            if let only { list = list.filter { $0.id.contains(only) || $0.kind.contains(only) } }
            let dir = URL(fileURLWithPath: file).deletingLastPathComponent()
            let imageDir = images ?? dir.appendingPathComponent("images").path
            for c in list {
                if let image = c.image, !FileManager.default.fileExists(atPath: (imageDir as NSString).appendingPathComponent(image)) {
                    throw CLIError("case \(c.id): no image \(image) in \(imageDir)")
                }
            }
            let name = dir.lastPathComponent.isEmpty ? file : dir.lastPathComponent
            return CaseSet(name: name, file: file, images: imageDir, library: library ?? imageDir, cases: list)
        }.filter { !$0.cases.isEmpty }
    }

    func run() async throws {
        let sets = try loadSets()
        guard !sets.isEmpty else { throw CLIError("no cases to run") }
        if trainPerPlan != nil, !plansOnly { throw CLIError("--train-per-plan only applies with --plans-only") }
        if plansOnly { try runPlans(sets); return }
        var results: [(name: String, outcomes: [Evaluation.Outcome])] = []
        let base = try AgentSetup.agent(model: model, maxSteps: maxSteps)
        if let planner = base.planner as? LLMPlanner { _ = try planner.warmUp(tools: base.registry.tools) }
        for set in sets {
            if set.cases.contains(where: { $0.tools.contains("retrieve") }) {
                let db = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-eval-library-\(UUID().uuidString).sqlite").path
                setenv("LOUPE_LIBRARY", db, 1)
                let index = try LibraryIndex(path: db, models: try SkillEnvironment.models())
                let r = try index.add(directory: URL(fileURLWithPath: set.library))
                FileHandle.standardError.write(Data("indexed \(r.added) images of \(set.library) for retrieve\n".utf8))
            }
            let agentBase = try AgentSetup.agent(reusing: base)
            print("\n## \(set.name) (\(set.file), \(set.cases.count) cases)\n")
            let summary = hidden(set)
            if !summary {
                print("| case | kind | expected | called | facts | s | prefill ms | decode ms | skills ms | answer |")
                print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
            }
            var outcomes: [Evaluation.Outcome] = []
            for (n, c) in set.cases.enumerated() {
                let agent = Agent(registry: agentBase.registry, planner: agentBase.planner, texts: agentBase.texts, maxSteps: maxSteps, checker: agentBase.checker)
                if let image = c.image {
                    agent.attach(try ImageDecoder().decode(file: (set.images as NSString).appendingPathComponent(image)), name: image)
                }
                let started = Date()
                let steps: [AgentStep]
                var failed = false
                do { steps = try await agent.run(c.instruction) } catch let e as AgentError {
                    steps = [AgentStep(.answer, text: "(planner failed: \(e))")]
                    failed = true
                }
                let seconds = Date().timeIntervalSince(started)
                let calls = steps.filter { $0.kind == .observation }.map { ($0.tool ?? "", $0.arguments ?? .object([])) }
                let answer = steps.last { $0.kind == .answer }?.text ?? ""
                var o = Evaluation.score(c, calls: calls, answer: answer, seconds: seconds, markers: agentBase.checker?.rules.internalMarkers ?? [],
                                         userText: AnswerChecker.userText(steps.compactMap(\.observation)))
                o.plannerFailed = failed
                outcomes.append(o)
                if summary {
                    FileHandle.standardError.write(Data("\r\(set.name): \(n + 1)/\(set.cases.count)".utf8))
                    continue
                }
                let plans = steps.compactMap(\.timing)
                let skillsMs = steps.filter { $0.kind == .observation }.map(\.milliseconds).reduce(0, +)
                let short = answer.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "/").prefix(90)
                let called = o.calledTools.joined(separator: ",") + (o.toolsCorrect ? "" : " ✗")
                let facts = "\(o.factsFound)/\(o.factsExpected)" + (o.internalMarker.map { " ⚠internal \"\($0)\"" } ?? "") + (o.plannerFailed ? " ⚠failed" : "")
                let prefill = Int(plans.map(\.promptMilliseconds).reduce(0, +)), decode = Int(plans.map(\.decodeMilliseconds).reduce(0, +))
                let args = o.argumentMisses.isEmpty ? "" : " (" + o.argumentMisses.joined(separator: "; ").replacingOccurrences(of: "|", with: "/") + ")"
                print("| \(c.id) | \(c.kind) | \(c.tools.joined(separator: ",")) | \(called)\(args) | \(facts) | \(String(format: "%.1f", seconds)) | \(prefill) | \(decode) | \(Int(skillsMs)) | \(short) |")
            }
            if summary { FileHandle.standardError.write(Data("\n".utf8)) }
            printKinds(outcomes)
            results.append((set.name, outcomes))
        }
        if results.count > 1 { printSideBySide(results) }
    }

    func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "–" }

    func printKinds(_ outcomes: [Evaluation.Outcome]) {
        print("\n| kind | cases | skills right | arguments | answer facts | no-tool precision | no-tool recall | internal text | median s | mean s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        let kinds = Array(Set(outcomes.map(\.kind))).sorted()
        for kind in kinds + ["all"] {
            let s = Evaluation.scores(kind == "all" ? outcomes : outcomes.filter { $0.kind == kind })
            let scores = [pct(s.toolSelection), pct(s.arguments), pct(s.factRecall), pct(s.noToolPrecision), pct(s.noToolRecall)].joined(separator: " | ")
            print("| \(kind) | \(s.cases) | \(scores) | \(s.internalText) | \(String(format: "%.1f", s.medianSeconds)) | \(String(format: "%.1f", s.secondsPerCase)) |")
        }
        // Which internal text was shown and how many runs ended in an error: kinds of faults, not cases.
        let markers = Dictionary(grouping: outcomes.compactMap(\.internalMarker), by: { $0 }).mapValues(\.count)
        let failures = outcomes.filter(\.plannerFailed).count
        if !markers.isEmpty || failures > 0 {
            let list = markers.sorted { $0.value > $1.value }.map { "\"\($0.key)\" \($0.value)" }.joined(separator: ", ")
            print("\ninternal text shown: \(list.isEmpty ? "none" : list); runs ended by an agent error: \(failures)")
        }
    }

    func printSideBySide(_ results: [(name: String, outcomes: [Evaluation.Outcome])]) {
        print("\n## Side by side\n")
        print("| set | cases | skills right | arguments | answer facts | no-tool precision | no-tool recall | internal text | median s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for (name, outcomes) in results {
            let s = Evaluation.scores(outcomes)
            let scores = [pct(s.toolSelection), pct(s.arguments), pct(s.factRecall), pct(s.noToolPrecision), pct(s.noToolRecall)].joined(separator: " | ")
            print("| \(name) | \(s.cases) | \(scores) | \(s.internalText) | \(String(format: "%.1f", s.medianSeconds)) |")
        }
    }

    /// Only the plan choice: the plan whose skills equal the case's expected tools, against the chosen one.
    func runPlans(_ sets: [CaseSet]) throws {
        let registry = try SkillEnvironment.registry()
        guard ["minilm", "planner"].contains(features) else { throw CLIError("--features is minilm or planner, not \(features)") }
        if let n = trainPerPlan, n < 1 { throw CLIError("--train-per-plan must be at least 1") }
        let chooser = try AgentSetup.planChooser(registry: registry, plannerFeatures: features == "planner" ? model : nil, trainPerPlan: trainPerPlan)
        var rows: [(name: String, right: Int, total: Int, ms: Double)] = []
        for set in sets {
            print("\n## \(set.name): plan choice (\(set.cases.count) cases)\n")
            var byKind: [String: (right: Int, total: Int)] = [:]
            var right = 0, ms = 0.0
            var misses: [String] = []
            for c in set.cases {
                let choice = try chooser.choose(c.instruction)
                ms += choice.milliseconds
                let ok = choice.plan.skills == c.tools
                if ok { right += 1 }
                byKind[c.kind, default: (0, 0)].total += 1
                if ok { byKind[c.kind]!.right += 1 }
                if !ok { misses.append("| \(c.id) | \(c.kind) | \(c.tools.joined(separator: ",")) | \(choice.plan.name) \(String(format: "%.2f", choice.probability)) | \(c.instruction.prefix(80)) |") }
            }
            print("| kind | cases | plan right |")
            print("| --- | --- | --- |")
            for (kind, v) in byKind.sorted(by: { $0.key < $1.key }) { print("| \(kind) | \(v.total) | \(pct(Double(v.right) / Double(v.total))) |") }
            print("| all | \(set.cases.count) | \(pct(Double(right) / Double(set.cases.count))) |")
            if !hidden(set), !misses.isEmpty {
                print("\n| case | kind | expected | chosen | request |\n| --- | --- | --- | --- | --- |")
                misses.forEach { print($0) }
            }
            rows.append((set.name, right, set.cases.count, ms / Double(set.cases.count)))
        }
        if rows.count > 1 {
            print("\n| set | cases | plan right | ms per choice |\n| --- | --- | --- | --- |")
            for r in rows { print("| \(r.name) | \(r.total) | \(pct(Double(r.right) / Double(r.total))) | \(String(format: "%.1f", r.ms)) |") }
        }
    }
}
