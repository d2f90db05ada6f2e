import TestSupport
import Testing
import Vision

@Suite struct ImageOpsTests {
    static func random(width: Int, height: Int, seed: UInt64) throws -> RGBImage {
        var rng = SplitMix(seed: seed)
        var image = try RGBImage(width: width, height: height)
        for i in 0..<image.pixels.count { image.pixels[i] = UInt8(rng.next() % 256) }
        return image
    }

    /// Naive half-pixel bilinear sample of one channel, as a reference.
    static func bilinear(_ image: RGBImage, _ w: Int, _ h: Int, x: Int, y: Int, c: Int) -> Double {
        func coord(_ d: Int, _ src: Int, _ dst: Int) -> (Int, Int, Double) {
            let centre = max(0, (Double(d) + 0.5) * Double(src) / Double(dst) - 0.5)
            let i0 = min(Int(centre), src - 1)
            return (i0, min(i0 + 1, src - 1), centre - Double(i0))
        }
        let (x0, x1, fx) = coord(x, image.width, w), (y0, y1, fy) = coord(y, image.height, h)
        func p(_ x: Int, _ y: Int) -> Double { Double(image.pixels[3 * (y * image.width + x) + c]) }
        return (p(x0, y0) * (1 - fx) + p(x1, y0) * fx) * (1 - fy) + (p(x0, y1) * (1 - fx) + p(x1, y1) * fx) * fy
    }

    @Test(arguments: [(17, 11, 40, 23), (40, 30, 13, 7), (5, 5, 5, 9), (64, 48, 64, 12)])
    func bilinearMatchesNaiveReference(_ sizes: (Int, Int, Int, Int)) throws {
        let (sw, sh, dw, dh) = sizes
        let image = try Self.random(width: sw, height: sh, seed: UInt64(sw * 1000 + dw))
        let out = try image.resized(width: dw, height: dh, filter: .bilinear)
        for y in 0..<dh {
            for x in 0..<dw {
                for c in 0..<3 {
                    let expected = Self.bilinear(image, dw, dh, x: x, y: y, c: c)
                    #expect(abs(Double(out.pixels[3 * (y * dw + x) + c]) - expected) <= 0.51)
                }
            }
        }
    }

    @Test func areaHalvingIsBoxAverage() throws {
        let image = try Self.random(width: 16, height: 10, seed: 3)
        let out = try image.resized(width: 8, height: 5, filter: .area)
        for y in 0..<5 {
            for x in 0..<8 {
                for c in 0..<3 {
                    var sum = 0
                    for dy in 0..<2 { for dx in 0..<2 { sum += Int(image.pixels[3 * ((2 * y + dy) * 16 + 2 * x + dx) + c]) } }
                    #expect(abs(Int(out.pixels[3 * (y * 8 + x) + c]) * 4 - sum) <= 2)
                }
            }
        }
    }

    @Test func constantImageStaysConstant() throws {
        let image = try RGBImage(width: 37, height: 21, fill: (12, 200, 99))
        for filter in [ResizeFilter.bilinear, .area] {
            for (w, h) in [(10, 5), (80, 41), (37, 3)] {
                let out = try image.resized(width: w, height: h, filter: filter)
                #expect(out == (try RGBImage(width: w, height: h, fill: (12, 200, 99))))
            }
        }
    }

    @Test func fittedKeepsAspect() throws {
        let image = try RGBImage(width: 4000, height: 3000)
        let fitted = try image.fitted(within: 1000)
        #expect(fitted.width == 1000 && fitted.height == 750)
        #expect(try RGBImage(width: 10, height: 10).fitted(within: 1000).width == 10)
        #expect(throws: VisionError.self) { try image.resized(width: 0, height: 5) }
    }

    @Test func cropAndPad() throws {
        let image = try Self.random(width: 10, height: 8, seed: 5)
        let crop = try image.cropped(x: 2, y: 3, width: 4, height: 2)
        #expect(crop.width == 4 && crop.height == 2)
        #expect(crop[0, 0] == image[2, 3] && crop[3, 1] == image[5, 4])
        let clipped = try image.cropped(x: 8, y: -2, width: 10, height: 4)
        #expect(clipped.width == 2 && clipped.height == 2)
        #expect(throws: VisionError.self) { try image.cropped(x: 20, y: 0, width: 3, height: 3) }
        let padded = try image.padded(top: 1, left: 2, bottom: 3, right: 4, fill: (9, 9, 9))
        #expect(padded.width == 16 && padded.height == 12)
        #expect(padded[2, 1] == image[0, 0] && padded[0, 0] == (9, 9, 9) && padded[15, 11] == (9, 9, 9))
        #expect(try image.padded(toWidth: 32, height: 32).width == 32)
        #expect(throws: VisionError.self) { try image.padded(toWidth: 5, height: 32) }
    }

    @Test func rotationsCompose() throws {
        let image = try Self.random(width: 7, height: 3, seed: 9)
        #expect(image.rotated(quarterTurnsClockwise: 1).rotated(quarterTurnsClockwise: 3) == image)
        #expect(image.rotated(quarterTurnsClockwise: 2) == image.flippedHorizontally().flippedVertically())
        #expect(image.rotated(quarterTurnsClockwise: -1) == image.rotated(quarterTurnsClockwise: 3))
    }

    @Test func tensorLayoutsAndNormalisation() throws {
        var image = try RGBImage(width: 2, height: 1)
        image[0, 0] = (0, 255, 51)
        image[1, 0] = (255, 0, 102)
        let nchw = try image.tensor(layout: .nchw, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5])
        #expect(nchw.shape == [1, 3, 1, 2])
        #expect(zip(nchw.storage, [-1, 1, 1, -1, -0.6, -0.2]).allSatisfy { abs($0 - Float($1)) < 1e-6 })
        let nhwc = try image.tensor(layout: .nhwc)
        #expect(nhwc.shape == [1, 1, 2, 3])
        #expect(zip(nhwc.storage, [0, 1, 0.2, 1, 0, 0.4]).allSatisfy { abs($0 - Float($1)) < 1e-6 })
        #expect(throws: VisionError.self) { try image.tensor(layout: .nchw, mean: [0, 0], std: [1, 1, 1]) }
        #expect(throws: VisionError.self) { try image.tensor(layout: .nchw, std: [1, 0, 1]) }
    }
}
