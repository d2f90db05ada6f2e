import Foundation
import Perception
import TestSupport
import Testing
import Vision
import ModelStore

/// EfficientNet-Lite0 on the fixture's exact network inputs: logits and features within 1e-3 + 1e-4·|ref|,
/// top-5 identical.
@Suite struct EfficientNetTests {
    static func npy(_ name: String) throws -> [Float] {
        try Fixtures.npy(Fixtures.root.appendingPathComponent("vision/efficientnet/npy/\(name).npy"))
    }

    @Test(arguments: ["portrait_obama", "mountain", "spitfire"])
    func matchesReference(name: String) throws {
        let net = try EfficientNetLite0(path: Fixtures.modelPath("efficientnet-lite0"))
        let image = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/efficientnet/netinput/\(name)_224.png").path)
        #expect(image.width == 224 && image.height == 224)
        var input = [Float](repeating: 0, count: 3 * 224 * 224)
        for y in 0..<224 {
            for x in 0..<224 {
                let (r, g, b) = image[x, y]
                input[(0 * 224 + y) * 224 + x] = (Float(r) - 127) / 128
                input[(1 * 224 + y) * 224 + x] = (Float(g) - 127) / 128
                input[(2 * 224 + y) * 224 + x] = (Float(b) - 127) / 128
            }
        }
        let out = try net.forward(input)
        let logits = try Self.npy("\(name)_logits"), features = try Self.npy("\(name)_features")
        let worstLogit = zip(out.logits, logits).map { abs($0 - $1) - 1e-4 * abs($1) }.max()!
        let worstFeature = zip(out.features, features).map { abs($0 - $1) - 1e-4 * abs($1) }.max()!
        #expect(worstLogit <= 1e-3, "\(name): logits off by \(worstLogit)")
        #expect(worstFeature <= 1e-3, "\(name): features off by \(worstFeature)")
        func top5(_ v: [Float]) -> [Int] { Array(v.indices.sorted { v[$0] > v[$1] }.prefix(5)) }
        #expect(top5(out.logits) == top5(logits))
    }
}

extension EfficientNetTests {
    /// From the original photos with Loupe's own crop and resize: top-1 identical, top-5 overlap ≥ 4, and the
    /// label names equal the fixture's class list.
    @Test func classifiesThePhotos() throws {
        let store = try ModelStore.standard()
        let labels = try ImageNetLabels(synsetsFile: store.installedFile(model: "imagenet-labels", file: "imagenet_synsets.txt").path,
                                        lemmasFile: store.installedFile(model: "imagenet-labels", file: "imagenet_synset_to_lemma.txt").path)
        let classes = try String(contentsOf: Fixtures.root.appendingPathComponent("vision/imagenet_classes.txt"), encoding: .utf8)
            .split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(classes.count == 1000)
        for (i, row) in classes.enumerated() { #expect(labels.synsets[i] == row[1] && labels.names[i] == row[2], "class \(i)") }
        let net = try EfficientNetLite0(path: Fixtures.modelPath("efficientnet-lite0"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("vision/efficientnet_lite0.json"))) as! [String: Any]
        for c in json["cases"] as! [[String: Any]] {
            let file = (c["image"] as! [String: Any])["file"] as! String
            let image = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/\(file)").path)
            let out = try net.forward(try EfficientNetLite0.input(for: image))
            let mine = EfficientNetLite0.top(5, of: out.logits).map(\.index)
            let expected = (c["top5"] as! [[String: Any]]).map { $0["index"] as! Int }
            #expect(mine[0] == expected[0], "\(file): top-1 \(labels.names[mine[0]]) vs \(labels.names[expected[0]])")
            #expect(Set(mine).intersection(expected).count >= 4, "\(file): \(mine) vs \(expected)")
            let cam = try net.classActivationMap(out, classIndex: mine[0])
            #expect(cam.count == 49 && cam.max() == 1 && cam.min() == 0)
        }
    }
}
