import ArgumentParser
import Foundation
import Skills
import ToolSchema
import Vision

/// `loupe bench perception`: what `detect` finds on the perception benchmark (examples/perception), against
/// boxes and counts drawn by hand — recall and precision at IoU 0.5, exact counts, per kind — and how long
/// each route (network) takes.
struct BenchPerceptionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perception",
        abstract: "Detection recall and precision (IoU ≥ 0.5), exact counts and milliseconds per route on the perception benchmark.",
        discussion: """
            CASES is JSON lines: {"id", "image" (in images/ beside the file), "kind", "query", "count", "boxes": \
            [[x0, y0, x1, y1] in pixels]}; examples/perception/README.md describes the set. Each query runs \
            through detect's object finder as `loupe skill run detect` would.
            """)

    @Argument(help: "The case file.")
    var cases = "examples/perception/test/cases.jsonl"

    @Option(help: "Run only cases whose id or kind contains this.")
    var only: String?

    @Flag(help: "Print each case (dev sets only: a case file in a folder named test is measured, not looked into).")
    var details = false

    struct Case {
        let id: String, image: String, kind: String, query: String, count: Int
        let boxes: [[Double]]

        init(_ json: JSONValue, line: Int) throws {
            func field(_ name: String) -> String { "line \(line): \"\(name)\"" }
            guard let id = json["id"]?.stringValue, let image = json["image"]?.stringValue, let kind = json["kind"]?.stringValue,
                  let query = json["query"]?.stringValue, !query.isEmpty else {
                throw CLIError("line \(line): \"id\", \"image\", \"kind\" and \"query\" must be strings")
            }
            guard let count = json["count"]?.intValue, (0...10_000).contains(count) else { throw CLIError("\(field("count")) must be an integer 0…10000") }
            let list = json["boxes"]?.arrayValue ?? []
            let boxes = try list.map { b -> [Double] in
                guard let v = b.arrayValue?.compactMap(\.doubleValue), v.count == 4, v[0] < v[2], v[1] < v[3] else {
                    throw CLIError("\(field("boxes")): each box must be [x0, y0, x1, y1] with x0 < x1 and y0 < y1")
                }
                return v
            }
            guard boxes.isEmpty || boxes.count == count else { throw CLIError("\(field("count")) is \(count) but there are \(boxes.count) boxes") }
            (self.id, self.image, self.kind, self.query, self.count, self.boxes) = (id, image, kind, query, count, boxes)
        }
    }

    func validate() throws {
        // A held-out set is measured, never looked into case by case.
        if details, URL(fileURLWithPath: cases).deletingLastPathComponent().lastPathComponent == "test" {
            throw ValidationError("--details prints each case, which is for the dev set (examples/perception/dev/cases.jsonl); the test set is only measured")
        }
    }

    func run() throws {
        guard let text = try? String(contentsOfFile: cases, encoding: .utf8) else { throw CLIError("cannot read \(cases)") }
        var list: [Case] = []
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let json: JSONValue
            do { json = try JSONParser.parse(String(line)) } catch { throw CLIError("\(cases):\(i + 1): not JSON (\(error))") }
            do { list.append(try Case(json, line: i + 1)) } catch { throw CLIError("\(cases): \(error)") }
        }
        if let only { list = list.filter { $0.id.contains(only) || $0.kind.contains(only) } }
        guard !list.isEmpty else { throw CLIError("no cases in \(cases)") }
        let images = URL(fileURLWithPath: cases).deletingLastPathComponent().appendingPathComponent("images")
        guard let skills = SkillEnvironment.directories().first else { throw CLIError("no skills folder found: set LOUPE_SKILLS") }
        let finder = try SkillEnvironment.finder(models: try SkillEnvironment.models(), skills: skills)

        struct Outcome { let kind: String; let score: DetectionScore; let scored: Bool; let exact: Bool; let ms: Double; let routes: [String] }
        var outcomes: [Outcome] = []
        var routeMs: [String: [Double]] = [:]
        if details { print("| case | kind | query | true | found | TP | FP | FN | ms | routes |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |") }
        for (n, c) in list.enumerated() {
            FileHandle.standardError.write(Data("\r\(n + 1)/\(list.count)".utf8))
            let picture = try ImageDecoder().decode(file: images.appendingPathComponent(c.image).path)
            var found: [[Double]] = [], routes: [String] = [], ms = 0.0
            for term in ObjectFinder.terms(c.query) {
                let start = DispatchTime.now().uptimeNanoseconds
                let r = try finder.find(term, in: picture)
                let t = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                ms += t
                routeMs[r.route, default: []].append(t)
                routes.append(r.route)
                found += r.found.map { f in [f.box[0] * Double(picture.width), f.box[1] * Double(picture.height),
                                             f.box[2] * Double(picture.width), f.box[3] * Double(picture.height)] }
            }
            // Cases that give only a count are scored on the count alone.
            let scored = !c.boxes.isEmpty || c.count == 0
            let score = scored ? DetectionScore.match(predicted: found, truth: c.boxes) : DetectionScore()
            outcomes.append(Outcome(kind: c.kind, score: score, scored: scored, exact: found.count == c.count, ms: ms, routes: routes))
            if details {
                print("| \(c.id) | \(c.kind) | \(c.query) | \(c.count) | \(found.count) | \(score.truePositives) | \(score.falsePositives) | \(score.falseNegatives) | \(Int(ms)) | \(routes.joined(separator: ",")) |")
            }
        }
        FileHandle.standardError.write(Data("\n".utf8))
        func pct(_ v: Double?) -> String { v.map { String(format: "%.0f%%", $0 * 100) } ?? "–" }
        func median(_ v: [Double]) -> Double { let s = v.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        print("\n| kind | cases | recall (IoU ≥ 0.5) | precision | exact count | median ms |\n| --- | --- | --- | --- | --- | --- |")
        for kind in Array(Set(outcomes.map(\.kind))).sorted() + ["all"] {
            let group = kind == "all" ? outcomes : outcomes.filter { $0.kind == kind }
            let total = group.filter(\.scored).map(\.score).reduce(DetectionScore(), +)
            let exact = Double(group.filter(\.exact).count) / Double(group.count)
            print("| \(kind) | \(group.count) | \(pct(total.recall)) | \(pct(total.precision)) | \(pct(exact)) | \(Int(median(group.map(\.ms)))) |")
        }
        print("\n| route | calls | median ms | slowest ms |\n| --- | --- | --- | --- |")
        for (route, times) in routeMs.sorted(by: { $0.key < $1.key }) {
            print("| \(route) | \(times.count) | \(Int(median(times))) | \(Int(times.max() ?? 0)) |")
        }
    }
}
