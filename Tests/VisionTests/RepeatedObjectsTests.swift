import Foundation
import TestSupport
import Testing
import Vision

/// Counting repeated objects without a class, on synthetic discs.
@Suite struct RepeatedObjectsTests {
    static let settings = RepeatedObjects.Settings(workingSide: 320, minimumArea: 0.0005, smallRatio: 0.35, splitRatio: 1.6, maximumSpread: 0.6,
                                                   minimumCount: 2, maximumCount: 40, peakSeparation: 1.9, discFill: [0.75, 1.15], minimumContrast: 12)

    /// Discs of radius `r` at `centres` on a light, slightly noisy background.
    static func discs(_ centres: [(Int, Int)], r: Int, width: Int = 300, height: Int = 200) throws -> RGBImage {
        var random = SplitMix(seed: 3)
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let p = 3 * (y * width + x)
                let inside = centres.contains { (x - $0.0) * (x - $0.0) + (y - $0.1) * (y - $0.1) <= r * r }
                let noise = Int(random.next() % 9)
                if inside { pixels[p] = UInt8(170 + noise); pixels[p + 1] = UInt8(120 + noise); pixels[p + 2] = UInt8(40 + noise) }
                else { pixels[p] = UInt8(225 + noise); pixels[p + 1] = UInt8(225 + noise); pixels[p + 2] = UInt8(230 + noise) }
            }
        }
        return try RGBImage(width: width, height: height, pixels: pixels)
    }

    @Test func countsSeparateDiscs() throws {
        let centres = [(40, 40), (120, 50), (200, 45), (60, 140), (150, 150), (250, 140)]
        let found = try RepeatedObjects.find(try Self.discs(centres, r: 18), settings: Self.settings)
        #expect(found.count == 6)
        for (cx, cy) in centres {
            #expect(found.contains { $0.box.x0 <= cx && cx < $0.box.x1 && $0.box.y0 <= cy && cy < $0.box.y1 }, "disc at \(cx),\(cy)")
        }
    }

    @Test func splitsTouchingDiscsByArea() throws {
        // Two pairs of touching discs and two single ones: six objects.
        let centres = [(40, 50), (74, 50), (180, 60), (180, 94), (80, 150), (240, 150)]
        let found = try RepeatedObjects.find(try Self.discs(centres, r: 17), settings: Self.settings)
        #expect(found.count == 6, "\(found.map(\.box))")
    }

    @Test func countsAPileOfTouchingDiscs() throws {
        // A 4 × 3 grid of discs whose neighbours touch: one blob, twelve objects, one box around each disc.
        let centres = (0..<12).map { (50 + ($0 % 4) * 36, 50 + ($0 / 4) * 36) }
        let found = try RepeatedObjects.find(try Self.discs(centres, r: 18), settings: Self.settings)
        #expect(found.count == 12, "\(found.count) found")
        for (cx, cy) in centres {
            #expect(found.contains { abs(($0.box.x0 + $0.box.x1) / 2 - cx) <= 3 && abs(($0.box.y0 + $0.box.y1) / 2 - cy) <= 3 }, "disc at \(cx),\(cy)")
        }
    }

    @Test func refusesWhatIsNotASetOfSimilarThings() throws {
        // One disc alone, and shapes of very different sizes.
        #expect(try RepeatedObjects.find(try Self.discs([(150, 100)], r: 30), settings: Self.settings).isEmpty)
        var blank = [UInt8](repeating: 200, count: 100 * 80 * 3)
        blank[0] = 0
        #expect(try RepeatedObjects.find(try RGBImage(width: 100, height: 80, pixels: blank), settings: Self.settings).isEmpty)
    }
}
