import Agent
import ArgumentParser
import Foundation
import SkillKit
import Skills
import ToolSchema
import Vision

/// `loupe eval CASES.jsonl --images DIR`: runs every case through the agent and reports tool-selection
/// accuracy, argument accuracy, answer-fact recall and no-tool precision, per kind and overall.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Score the agent on evaluation cases.",
        discussion: """
            CASES.jsonl has one case per line: {"id", "kind", "image" (a file in --images), "instruction", "tools" \
            (expected skills in order; [] for none), "arguments" (expected subsets, one object per call), "facts" (what \
            the answer must mention: each a string or a list of alternatives)}. --library indexes a folder for retrieve \
            into a temporary index first. Each case runs in a fresh conversation; sessions are not logged.
            """)

    @Argument(help: "The cases (JSON lines).")
    var cases: String

    @Option(help: "Folder holding the cases' images.")
    var images: String

    @Option(help: "Folder to index for the retrieve skill before the cases run.")
    var library: String?

    @Option(help: "Planner model: a catalogue name or a .gguf path.")
    var model = ModelResolver.defaultPlanner

    @Option(help: "Planner steps per case at most.")
    var maxSteps = 5

    @Option(help: "Run only cases whose id or kind contains this.")
    var only: String?

    func run() async throws {
        guard let text = try? String(contentsOfFile: cases, encoding: .utf8) else { throw CLIError("cannot read \(cases)") }
        var list: [Evaluation.Case] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.trimmingCharacters(in: .whitespaces).isEmpty && !line.hasPrefix("#") {
            do { list.append(try Evaluation.Case(json: try JSONParser.parse(String(line)), line: i + 1)) } catch {
                throw CLIError("\(cases):\(i + 1): \(error)")
            }
        }
        if let only { list = list.filter { $0.id.contains(only) || $0.kind.contains(only) } }
        guard !list.isEmpty else { throw CLIError("\(cases): no cases") }
        for c in list {
            if let image = c.image, !FileManager.default.fileExists(atPath: (images as NSString).appendingPathComponent(image)) {
                throw CLIError("case \(c.id): no image \(image) in \(images)")
            }
        }
        if let library {
            let db = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-eval-library-\(UUID().uuidString).sqlite").path
            setenv("LOUPE_LIBRARY", db, 1)
            let index = try LibraryIndex(path: db, models: try SkillEnvironment.models())
            let r = try index.add(directory: URL(fileURLWithPath: library))
            FileHandle.standardError.write(Data("indexed \(r.added) images of \(library) for retrieve\n".utf8))
        }
        let base = try AgentSetup.agent(model: model, maxSteps: maxSteps)
        if let planner = base.planner as? LLMPlanner { _ = try planner.warmUp(tools: base.registry.tools) }

        var outcomes: [Evaluation.Outcome] = []
        print("| case | kind | expected | called | facts | s | prefill ms | decode ms | skills ms | answer |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for c in list {
            let agent = Agent(registry: base.registry, planner: base.planner, maxSteps: maxSteps)
            if let image = c.image {
                let path = (images as NSString).appendingPathComponent(image)
                agent.attach(try ImageDecoder().decode(file: path), name: image)
            }
            let started = Date()
            let steps: [AgentStep]
            do { steps = try await agent.run(c.instruction) } catch let e as AgentError {
                steps = [AgentStep(.answer, text: "(planner failed: \(e))")]
            }
            let seconds = Date().timeIntervalSince(started)
            let calls = steps.filter { $0.kind == .observation }.map { ($0.tool ?? "", $0.arguments ?? .object([])) }
            let answer = steps.last { $0.kind == .answer }?.text ?? ""
            let o = Evaluation.score(c, calls: calls, answer: answer, seconds: seconds)
            outcomes.append(o)
            let plans = steps.compactMap(\.timing)
            let skillsMs = steps.filter { $0.kind == .observation }.map(\.milliseconds).reduce(0, +)
            let short = answer.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "|", with: "/").prefix(70)
            print("| \(c.id) | \(c.kind) | \(c.tools.joined(separator: ",")) | \(o.calledTools.joined(separator: ","))\(o.toolsCorrect ? "" : " ✗") | "
                  + "\(o.factsFound)/\(o.factsExpected) | \(String(format: "%.1f", seconds)) | \(Int(plans.map(\.promptMilliseconds).reduce(0, +))) | "
                  + "\(Int(plans.map(\.decodeMilliseconds).reduce(0, +))) | \(Int(skillsMs)) | \(short) |")
        }
        func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "–" }
        print("\n| kind | cases | tool selection | arguments | answer facts | no-tool precision | s/case |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        let kinds = Array(Set(outcomes.map(\.kind))).sorted()
        for kind in kinds + ["all"] {
            let s = Evaluation.scores(kind == "all" ? outcomes : outcomes.filter { $0.kind == kind })
            print("| \(kind) | \(s.cases) | \(pct(s.toolSelection)) | \(pct(s.arguments)) | \(pct(s.factRecall)) | \(pct(s.noToolPrecision)) | \(String(format: "%.1f", s.secondsPerCase)) |")
        }
    }
}
