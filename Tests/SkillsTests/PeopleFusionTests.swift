import Foundation
import Perception
import Skills
import Testing
import Vision

/// People who touch are one part of the selfie mask; the faces in it split it into people.
@Suite struct PeopleFusionTests {
    @Test func splitsAPartByItsFaces() throws {
        // Three people side by side whose bodies touch: one mask part, 300×200.
        var values = [UInt8](repeating: 0, count: 300 * 200)
        for y in 40..<200 { for x in 20..<280 { values[y * 300 + x] = 255 } }
        let part = try Mask(width: 300, height: 200, values: values)
        let faces = [PixelBox(x0: 40, y0: 20, x1: 80, y1: 60), PixelBox(x0: 130, y0: 30, x1: 170, y1: 70), PixelBox(x0: 220, y0: 25, x1: 260, y1: 65)]
        let people = try ObjectFinder.split(part, byFaces: faces)
        #expect(people.count == 3)
        let boxes = people.map(\.box)
        #expect(people.map(\.face) == [0, 1, 2])
        // Each person's box holds its face, reaches from the face's top to the bottom, and they do not overlap.
        for (box, face) in zip(boxes, faces) {
            #expect(box.x0 <= face.x0 && box.x1 >= face.x1 && box.y0 == face.y0 && box.y1 == 200, "\(box) for \(face)")
        }
        #expect(boxes[0].x1 <= boxes[1].x0 && boxes[1].x1 <= boxes[2].x0)
        #expect(people.map { $0.mask.values.filter { $0 == 255 }.count }.reduce(0, +) == values.filter { $0 == 255 }.count)
        #expect(try ObjectFinder.split(part, byFaces: []).isEmpty)
    }
}

/// A box or point given with segment's query picks one of the things the query found.
@Suite struct SegmentPickTests {
    @Test func aPointOrBoxPicksOneOfTheMasks() throws {
        let image = try RGBImage(width: 300, height: 100)
        let masks = try [PixelBox(x0: 10, y0: 10, x1: 90, y1: 90), PixelBox(x0: 110, y0: 10, x1: 190, y1: 90), PixelBox(x0: 210, y0: 10, x1: 290, y1: 90)]
            .map { try Mask(width: 300, height: 100, box: $0) }
        #expect(SegmentSkill.pick(masks, box: nil, point: [0.5, 0.5], image: image) == 1, "the one holding the point")
        #expect(SegmentSkill.pick(masks, box: nil, point: [0.99, 0.05], image: image) == 2, "else the nearest")
        #expect(SegmentSkill.pick(masks, box: [0.0, 0.0, 0.35, 1.0], point: nil, image: image) == 0, "the box overlaps the first most")
        #expect(SegmentSkill.pick(masks, box: nil, point: nil, image: image) == nil)
    }
}
