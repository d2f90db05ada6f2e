import Foundation
import Perception
import TestSupport
import Testing
import Vision

/// BlazeFace decoding and the whole detector against `blazeface.json`.
@Suite struct BlazeFaceTests {
    static func npy(_ name: String) throws -> [Float] {
        try Fixtures.npy(Fixtures.root.appendingPathComponent("vision/mediapipe/npy/\(name).npy"))
    }

    static func cases() throws -> [[String: Any]] {
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: Fixtures.root.appendingPathComponent("vision/blazeface.json"))) as! [String: Any]
        return json["cases"] as! [[String: Any]]
    }

    static func name(_ c: [String: Any]) -> String {
        let file = (c["image"] as! [String: Any])["file"] as! String
        return URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
    }

    /// Decoding the reference raw outputs gives the reference faces (1e-4).
    @Test func decodeMatchesReference() throws {
        for c in try Self.cases() {
            let n = Self.name(c)
            let faces = BlazeFace.decode(regressors: try Self.npy("blazeface_\(n)_regressors"), scores: try Self.npy("blazeface_\(n)_classificators"))
            let expected = c["faces"] as! [[String: Any]]
            #expect(faces.count == expected.count, "\(n)")
            for (f, e) in zip(faces, expected) {
                let box = e["box_tensor_norm"] as! [String: Double]
                #expect(abs(f.score - (e["score"] as! Double)) < 1e-4)
                for (mine, key) in [(f.box.0, "xmin"), (f.box.1, "ymin"), (f.box.2, "xmax"), (f.box.3, "ymax")] {
                    #expect(abs(mine - box[key]!) < 1e-4, "\(n) \(key)")
                }
                let keypoints = e["keypoints_tensor_norm"] as! [[Double]]
                for (k, p) in zip(f.keypoints, keypoints) { #expect(abs(k.x - p[0]) < 1e-4 && abs(k.y - p[1]) < 1e-4) }
            }
        }
    }

    /// From the original photo with Loupe's own letterbox and resize: same faces within 0.02 of the side.
    @Test func detectsFacesEndToEnd() throws {
        let detector = try BlazeFace(path: Fixtures.modelPath("blazeface"))
        for c in try Self.cases() {
            let file = (c["image"] as! [String: Any])["file"] as! String
            let image = try ImageDecoder().decode(file: Fixtures.root.appendingPathComponent("vision/\(file)").path)
            let faces = try detector.detect(image)
            let expected = c["faces"] as! [[String: Any]]
            #expect(faces.count == expected.count, "\(file): \(faces.count) faces, expected \(expected.count)")
            let side = Double(max(image.width, image.height))
            for (f, e) in zip(faces, expected) {
                let box = e["box_image_px"] as! [String: Double]
                for (mine, key) in [(f.box.0, "xmin"), (f.box.1, "ymin"), (f.box.2, "xmax"), (f.box.3, "ymax")] {
                    #expect(abs(mine - box[key]!) / side < 0.02, "\(file) \(key): \(mine) vs \(box[key]!)")
                }
                #expect(abs(f.score - (e["score"] as! Double)) < 0.05)
            }
        }
    }
}
