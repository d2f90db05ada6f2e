import Testing
import Vision

/// Inpainting fills a hole from its surroundings; masks give components, boxes and dilation.
@Suite struct InpaintAndMaskTests {
    @Test func inpaintingRestoresASmoothGradient() throws {
        let (w, h) = (64, 48)
        var px = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w { px[3 * (y * w + x)] = UInt8(x * 3); px[3 * (y * w + x) + 1] = UInt8(y * 4); px[3 * (y * w + x) + 2] = 100 } }
        let clean = try RGBImage(width: w, height: h, pixels: px)
        var damaged = clean
        let hole = PixelBox(x0: 20, y0: 15, x1: 36, y1: 30)
        for y in hole.y0..<hole.y1 { for x in hole.x0..<hole.x1 { damaged[x, y] = (255, 0, 255) } }
        let filled = try damaged.inpainted(mask: try Mask(width: w, height: h, box: hole))
        var worst = 0
        for y in hole.y0..<hole.y1 {
            for x in hole.x0..<hole.x1 {
                let a = filled[x, y], b = clean[x, y]
                worst = max(worst, abs(Int(a.0) - Int(b.0)), abs(Int(a.1) - Int(b.1)), abs(Int(a.2) - Int(b.2)))
            }
        }
        #expect(worst <= 24, "largest error inside the hole \(worst)")
        #expect(filled[0, 0] == clean[0, 0] && filled[63, 47] == clean[63, 47], "outside untouched")
        #expect(throws: VisionError.self) { try damaged.inpainted(mask: try Mask(width: w, height: h, values: [UInt8](repeating: 255, count: w * h))) }
    }

    @Test func maskComponentsBoxesAndDilation() throws {
        var v = [UInt8](repeating: 0, count: 20 * 10)
        for y in 1..<4 { for x in 1..<5 { v[y * 20 + x] = 255 } }
        v[8 * 20 + 15] = 255
        let m = try Mask(width: 20, height: 10, values: v)
        let parts = m.components()
        #expect(parts.count == 2 && parts[0].boundingBox == PixelBox(x0: 1, y0: 1, x1: 5, y1: 4) && parts[1].boundingBox == PixelBox(x0: 15, y0: 8, x1: 16, y1: 9))
        #expect(m.components(minimumPixels: 2).count == 1)
        #expect(m.dilated(by: 1).boundingBox == PixelBox(x0: 0, y0: 0, x1: 17, y1: 10))
        #expect(abs(m.areaFraction - 13.0 / 200) < 1e-9)
    }
}
