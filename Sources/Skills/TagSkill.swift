import Perception
import SkillKit
import ToolSchema
import Vision

/// `tag`: the image's top-k ImageNet labels with probabilities (EfficientNet-Lite0 on the evaluation crop).
public struct TagSkill: Skill {
    public let manifest: SkillManifest
    let models: PerceptionModels

    public init(manifest: SkillManifest, models: PerceptionModels) { (self.manifest, self.models) = (manifest, models) }

    public func run(_ json: JSONValue, artifacts: Artifacts) async throws -> Observation {
        let args = Arguments(skill: manifest.name, json: json)
        let (handle, image) = try args.image(in: artifacts)
        let k = args.int("top_k") ?? 5
        let net = try models.classifier(), names = try models.labels().names
        let top = EfficientNetLite0.top(k, of: try net.forward(try EfficientNetLite0.input(for: image)).logits)
        let lines = top.map { "\(names[$0.index]) \(rounded(Double($0.probability)))" }
        let data = JSONValue.object([("labels", .array(top.map {
            .object([("label", .string(names[$0.index])), ("score", .number(Double($0.probability))), ("class", .integer($0.index))])
        }))])
        // Every name of the top three labels ("tabby, tabby cat" gives both) is a word an answer may use.
        let words = top.prefix(3).flatMap { names[$0.index].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        let shown = top.prefix(3).map { "\(names[$0.index].split(separator: ",").first ?? "") (\(Int((Double($0.probability) * 100).rounded()))%)" }
        let facts = ["situation": "labels", "labels": EnglishWords.list(shown), "label": words.joined(separator: "|"),
                     "top": top.first.map { String(names[$0.index].split(separator: ",").first ?? "") } ?? ""]
        return Observation(skill: manifest.name, image: handle, size: (image.width, image.height), lines: lines, data: data, facts: facts)
    }
}
