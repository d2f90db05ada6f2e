import Foundation
import Perception
import Vision

extension ObjectFinder {
    /// People: parts of the selfie-segmentation mask, each split into as many people as it holds faces (people
    /// who touch form one part); a face outside every part is a person too, boxed from the face. Parts cut by
    /// the image border count like any other. When some part holds a face, a part holding none counts only if
    /// it is person-sized beside them or surely a person (settings `facelessArea`, `facelessProbability`).
    func findPeople(_ image: RGBImage) throws -> [Found] {
        let s = settings.people
        let probabilities = try models.selfie().mask(image)
        let mask = try Mask(width: image.width, height: image.height, probabilities: probabilities)
        let minimum = max(16, Int(s.minimumPart * Double(image.pixelCount)))
        let faces = try findFaces(image)
        var used = Set<Int>()
        var people: [Found] = []
        var faceless: [(part: Mask, box: PixelBox, score: Double, pixels: Int)] = []
        var smallestWithFace = Int.max
        for part in mask.components(minimumPixels: minimum) {
            guard let b = part.boundingBox else { continue }
            // Faces whose centre is in this part (or whose box overlaps it by a third).
            let inside = faces.indices.filter { i in
                guard !used.contains(i) else { return false }
                let f = faces[i].box
                let cx = min(image.width - 1, max(0, Int((f.0 + f.2) / 2))), cy = min(image.height - 1, max(0, Int((f.1 + f.3) / 2)))
                if part.values[cy * image.width + cx] >= 128 { return true }
                return overlap(part, box: PixelBox(x0: Int(f.0), y0: Int(f.1), x1: Int(f.2), y1: Int(f.3))) >= 0.33
            }
            used.formUnion(inside)
            let (score, pixels) = meanProbability(part, probabilities)
            if inside.isEmpty {
                faceless.append((part, b, score, pixels))
                continue
            }
            smallestWithFace = min(smallestWithFace, pixels)
            if inside.count == 1 {
                people.append(Found(label: "person", box: b.normalized(width: image.width, height: image.height), score: score, mask: part))
                continue
            }
            let boxes = inside.map { i in PixelBox(x0: Int(faces[i].box.0), y0: Int(faces[i].box.1), x1: Int(faces[i].box.2), y1: Int(faces[i].box.3)) }
            for (k, piece, box) in try Self.split(part, byFaces: boxes) {
                // A person reaches at most `below` face heights under the top of their face.
                var b = box
                b.y1 = min(b.y1, boxes[k].y0 + Int(Double(boxes[k].y1 - boxes[k].y0) * s.below))
                people.append(Found(label: "person", box: b.normalized(width: image.width, height: image.height), score: score, mask: piece))
            }
        }
        for f in faceless where smallestWithFace == .max || f.score >= s.facelessProbability
            || Double(f.pixels) >= s.facelessArea * Double(smallestWithFace) {
            people.append(Found(label: "person", box: f.box.normalized(width: image.width, height: image.height), score: f.score, mask: f.part))
        }
        for (i, face) in faces.enumerated() where !used.contains(i) {
            let f = face.box, fw = f.2 - f.0, fh = f.3 - f.1, cx = (f.0 + f.2) / 2
            let box = PixelBox(x0: Int(cx - fw * s.width / 2), y0: Int(f.1 - fh * s.above), x1: Int(cx + fw * s.width / 2), y1: Int(f.1 + fh * s.below))
                .clipped(width: image.width, height: image.height)
            guard !box.isEmpty else { continue }
            people.append(Found(label: "person", box: box.normalized(width: image.width, height: image.height), score: face.score, mask: nil))
        }
        return people
    }

    /// One part of the people mask split among the faces in it: each pixel goes to the face nearest in x
    /// (people side by side), and each person's box reaches up to the top of its face. Returns the pieces that
    /// hold any pixel, with their face's index and their boxes, in the faces' order.
    public static func split(_ part: Mask, byFaces faces: [PixelBox]) throws -> [(face: Int, mask: Mask, box: PixelBox)] {
        guard let b = part.boundingBox, !faces.isEmpty else { return [] }
        let centres = faces.map { Double($0.x0 + $0.x1) / 2 }
        var pieces = [[UInt8]](repeating: [UInt8](repeating: 0, count: part.values.count), count: faces.count)
        for y in b.y0..<b.y1 {
            for x in b.x0..<b.x1 where part.values[y * part.width + x] >= 128 {
                var best = 0, bestD = Double.infinity
                for (k, c) in centres.enumerated() where abs(Double(x) - c) < bestD { (best, bestD) = (k, abs(Double(x) - c)) }
                pieces[best][y * part.width + x] = 255
            }
        }
        var out: [(face: Int, mask: Mask, box: PixelBox)] = []
        for (k, values) in pieces.enumerated() {
            let piece = try Mask(width: part.width, height: part.height, values: values)
            guard var box = piece.boundingBox else { continue }
            box.y0 = max(0, min(box.y0, faces[k].y0))
            out.append((k, piece, box))
        }
        return out
    }

    private func overlap(_ part: Mask, box: PixelBox) -> Double {
        let b = box.clipped(width: part.width, height: part.height)
        guard !b.isEmpty else { return 0 }
        var n = 0
        for y in b.y0..<b.y1 { for x in b.x0..<b.x1 where part.values[y * part.width + x] >= 128 { n += 1 } }
        return Double(n) / Double((b.x1 - b.x0) * (b.y1 - b.y0))
    }

    /// The network's mean probability over a part (0/255 from `components`), and the part's pixel count.
    private func meanProbability(_ part: Mask, _ probabilities: [Float]) -> (mean: Double, pixels: Int) {
        var total = 0.0, n = 0
        for i in part.values.indices where part.values[i] != 0 { total += Double(probabilities[i]); n += 1 }
        return (n > 0 ? total / Double(n) : 0, n)
    }

    /// Faces at several scales: the whole image, then overlapping square tiles of half and a quarter of the
    /// longer side (BlazeFace's short-range model misses faces under about a tenth of its input), merged by
    /// IoU ≥ 0.3 keeping the higher score; tile detections need score ≥ 0.75 (partial faces at tile edges fire
    /// weakly). Tiles smaller than 96 px are not used.
    func findFaces(_ image: RGBImage) throws -> [Detection] {
        let net = try models.faces()
        var all = try net.detect(image)
        let longer = max(image.width, image.height)
        for divisor in [2, 4] {
            let side = longer / divisor
            guard side >= 96, side < min(image.width, image.height) * 2 else { continue }
            let step = max(1, side * 3 / 4)
            var y = 0
            while true {
                var x = 0
                while true {
                    let tw = min(side, image.width - x), th = min(side, image.height - y)
                    if tw >= 48, th >= 48 {
                        let tile = try image.cropped(x: x, y: y, width: tw, height: th)
                        for var d in try net.detect(tile, minimumScore: 0.75) {
                            d.box = (d.box.0 + Double(x), d.box.1 + Double(y), d.box.2 + Double(x), d.box.3 + Double(y))
                            all.append(d)
                        }
                    }
                    if x + side >= image.width { break }
                    x += step
                }
                if y + side >= image.height { break }
                y += step
            }
        }
        func box(_ d: Detection) -> [Double] { [d.box.0, d.box.1, d.box.2, d.box.3] }
        var kept: [Detection] = []
        for d in all.sorted(by: { $0.score > $1.score }) where !kept.contains(where: { DetectionScore.iou(box($0), box(d)) >= 0.3 }) { kept.append(d) }
        return kept
    }
}
