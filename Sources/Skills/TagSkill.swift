import Foundation
import Perception
import SkillKit
import ToolSchema
import Vision

/// `tag`: the image's top-k ImageNet labels with probabilities (EfficientNet-Lite0 on the evaluation crop),
/// each named with the group it belongs to through WordNet ("Pekinese 0.78 (a dog)").
public struct TagSkill: Skill {
    public let manifest: SkillManifest
    let models: PerceptionModels
    let finder: ObjectFinder

    public init(manifest: SkillManifest, models: PerceptionModels, finder: ObjectFinder) { (self.manifest, self.models, self.finder) = (manifest, models, finder) }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        let k = try args.number("top_k", in: 1...20, whole: true).map { Int($0) } ?? 5
        let net = try models.classifier(), names = try models.labels().names
        // Every class by probability: the top k are shown, and all of them add up by meaning ("a dog 0.97"
        // however it splits among breeds).
        let probabilities = EfficientNetLite0.top(1000, of: try net.forward(try EfficientNetLite0.input(for: image)).logits)
        let top = Array(probabilities.prefix(max(0, k)))
        let all = try finder.groups()
        let groups = top.map { all[$0.index] }
        var byGroup: [String: Double] = [:]
        for p in probabilities { if let g = all[p.index] { byGroup[g, default: 0] += Double(p.probability) } }
        let leading = byGroup.filter { $0.value >= 0.05 }.sorted { $0.value > $1.value }.prefix(3)
        let lines = zip(top, groups).map { p, g in "\(names[p.index]) \(rounded(Double(p.probability)))" + (g.map { " (\(EnglishWords.article($0)) \($0))" } ?? "") }
            + (leading.isEmpty ? [] : ["by meaning: " + leading.map { "\(EnglishWords.article($0.key)) \($0.key) \(rounded($0.value))" }.joined(separator: ", ")])
        let data = JSONValue.object([("labels", .array(zip(top, groups).map { p, g in
            .object([("label", .string(names[p.index])), ("score", .number(Double(p.probability))), ("class", .integer(p.index)),
                     ("group", g.map { .string($0) } ?? .null)])
        })), ("groups", .array(leading.map { .object([("group", .string($0.key)), ("score", .number($0.value))]) }))])
        // Every name of the top three labels ("tabby, tabby cat" gives both) and their groups are words an answer may use.
        let words = top.prefix(3).flatMap { names[$0.index].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } } + groups.prefix(3).compactMap { $0 }
        // In words: the leading groups with the most likely kind in each, then labels no leading group covers.
        // "a dog (82%: most like a Staffordshire bullterrier, schipperke or kelpie)": each leading group with the
        // labels of the top three in it, then the top three's labels that no leading group holds.
        var shown = leading.map { g -> String in
            let kinds = zip(top, groups).prefix(3).filter { $0.1 == g.key }.map { String(names[$0.0.index].split(separator: ",").first ?? "") }
            let like = kinds.isEmpty ? "" : ": most like \(EnglishWords.article(kinds[0])) " + EnglishWords.list(kinds, last: "or")
            return "\(EnglishWords.article(g.key)) \(g.key) (\(Int((g.value * 100).rounded()))%\(like))"
        }
        for (p, g) in zip(top, groups).prefix(3) where g == nil || !leading.contains(where: { $0.key == g }) {
            shown.append("\(names[p.index].split(separator: ",").first ?? "") (\(Int((Double(p.probability) * 100).rounded()))%)")
        }
        let facts = ["situation": "labels", "labels": EnglishWords.list(shown), "label": unique(words).joined(separator: "|"),
                     "top": top.first.map { String(names[$0.index].split(separator: ",").first ?? "") } ?? ""]
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: lines, data: data, facts: facts)
    }

    private func unique(_ words: [String]) -> [String] {
        var seen = Set<String>()
        return words.filter { seen.insert($0).inserted }
    }
}
