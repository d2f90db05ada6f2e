import Foundation
import TestSupport
import Testing
import Vision

/// The colour model with the prototypes Loupe ships (`skills/detect/finder.json`), on swatches.
@Suite struct ColourNamerTests {
    static let namer: ColourNamer = {
        let data = try! Data(contentsOf: Fixtures.skillsFolder.appendingPathComponent("detect/finder.json"))
        let json = try! JSONSerialization.jsonObject(with: data) as! [String: Any]
        let colours = (json["colours"] as! [String: [[Double]]])
        return try! ColourNamer(prototypes: colours)
    }()

    @Test func namesSwatches() {
        let swatches: [(String, [Double])] = [
            ("red", [220, 20, 20]), ("red", [120, 10, 15]), ("orange", [255, 140, 0]), ("yellow", [255, 230, 0]),
            ("green", [0, 160, 0]), ("green", [20, 70, 30]), ("blue", [0, 60, 230]), ("blue", [20, 30, 100]),
            ("blue", [100, 170, 230]), ("purple", [130, 40, 170]), ("pink", [255, 150, 200]), ("brown", [120, 70, 30]),
            ("black", [5, 5, 5]), ("white", [250, 250, 250]), ("grey", [130, 130, 130]), ("grey", [190, 190, 195]),
        ]
        for (name, rgb) in swatches {
            #expect(Self.namer.name(SIMD3(rgb[0], rgb[1], rgb[2])) == name, "\(rgb)")
        }
    }

    @Test func labMatchesTheStandardValues() {
        let white = ColourNamer.lab(SIMD3(255, 255, 255)), red = ColourNamer.lab(SIMD3(255, 0, 0))
        #expect(abs(white.x - 100) < 0.01 && abs(white.y) < 0.01 && abs(white.z) < 0.01)
        // sRGB red is L* 53.24, a* 80.09, b* 67.20.
        #expect(abs(red.x - 53.24) < 0.05 && abs(red.y - 80.09) < 0.05 && abs(red.z - 67.20) < 0.05)
    }

    @Test func regionFractionsAndBadPrototypes() throws {
        // Left half red, right half blue.
        var pixels = [UInt8](repeating: 0, count: 40 * 20 * 3)
        for y in 0..<20 { for x in 0..<40 { let p = 3 * (y * 40 + x); if x < 20 { pixels[p] = 210; pixels[p + 1] = 25; pixels[p + 2] = 30 } else { pixels[p + 2] = 200; pixels[p] = 30; pixels[p + 1] = 60 } } }
        let image = try RGBImage(width: 40, height: 20, pixels: pixels)
        let whole = Self.namer.fractions(image, box: PixelBox(x0: 0, y0: 0, x1: 40, y1: 20))
        #expect(abs((whole["red"] ?? 0) - 0.5) < 0.05 && abs((whole["blue"] ?? 0) - 0.5) < 0.05, "\(whole)")
        #expect(Self.namer.fractions(image, box: PixelBox(x0: 0, y0: 0, x1: 20, y1: 20))["red"] == 1)
        #expect(Self.namer.fractions(image, box: PixelBox(x0: 50, y0: 0, x1: 60, y1: 20)).isEmpty)
        #expect(throws: VisionError.self) { try ColourNamer(prototypes: ["red": [[300, 0, 0]]]) }
        #expect(throws: VisionError.self) { try ColourNamer(prototypes: ["red": [[1, 2]]]) }
    }
}
