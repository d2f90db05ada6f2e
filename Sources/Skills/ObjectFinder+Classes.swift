import Foundation
import Perception
import SkillKit
import Vision

extension ObjectFinder {
    /// The ImageNet classes a term covers.
    struct Classes {
        var indices: [Int]
        /// How they were found: "wordnet" (the word's senses and everything under them), "definition" (a noun of
        /// the word's definition: `ImageNetMeaning.defined`) or "minilm" (nearest names).
        var by: String
        /// WordNet knows the word but no class falls under it (count it as repeated objects if these find nothing).
        var noClass: Bool
    }

    /// The classes `term` may name, to be tried in order: through WordNet, else the nearest class names by
    /// MiniLM similarity. A word WordNet knows but files under no class ("pumpkin", "puppy", "coin") takes the
    /// nearest names only when they are close in meaning (`seen.nearMeaning`), then the classes of a noun of its
    /// definition ("puppy", "a young dog"), and is otherwise counted as repeated objects (also when those
    /// classes find nothing).
    func classChoices(for term: String) throws -> [Classes] {
        let meaning = try models.meaning()
        let match = try meaning.match(term)
        if let match, !match.classes.isEmpty { return [Classes(indices: match.classes, by: "wordnet", noClass: false)] }
        let q = try models.sentences().embed(match?.lemma.replacingOccurrences(of: "_", with: " ") ?? term)
        let table = try models.labelEmbeddings()
        let sims = table.map { e in Double(zip(e, q).reduce(Float(0)) { $0 + $1.0 * $1.1 }) }
        let near = Array(sims.indices.sorted { sims[$0] > sims[$1] }.prefix(max(1, settings.seen.nearestByMeaning)))
        guard let match else { return [Classes(indices: near, by: "minilm", noClass: false)] }
        var choices: [Classes] = []
        let close = near.filter { sims[$0] >= settings.seen.nearMeaning }
        if !close.isEmpty { choices.append(Classes(indices: close, by: "minilm", noClass: true)) }
        if let defined = try meaning.defined(match.lemma) {
            choices.append(Classes(indices: defined.classes, by: "definition", noClass: true))
        }
        return choices
    }

    func classify(_ term: String, original: String, _ image: RGBImage) throws -> TermResult {
        let choices = try classChoices(for: term)
        var first: TermResult?
        for wanted in choices {
            let result = try classifyInstances(term, original: original, wanted, image)
            guard result.found.isEmpty, wanted.noClass else { return result }
            first = first ?? result
        }
        // None of the near classes was seen: repeated things, else what the first classes' search said.
        let repeated = try countRepeated(term, original: original, image)
        if repeated.found.isEmpty, let first { return first }
        return repeated
    }

    func classifyInstances(_ term: String, original: String, _ wanted: Classes, _ image: RGBImage) throws -> TermResult {
        let net = try models.classifier(), names = try models.labels().names
        func short(_ i: Int) -> String { names[i].split(separator: ",")[0].trimmingCharacters(in: .whitespaces) }
        let set = Set(wanted.indices)
        func mass(_ logits: [Float]) -> (total: Double, best: Int) {
            let m = EfficientNetLite0.mass(of: set, in: logits)
            return (m.total, m.best ?? wanted.indices[0])
        }
        // The whole image, squashed to the network's input (so the map covers all of it).
        let side = EfficientNetLite0.inputSize
        let out = try net.forward(try EfficientNetLite0.input(resizing: image, width: side, height: side))
        let all = EfficientNetLite0.top(1000, of: out.logits)
        let rank = Dictionary(uniqueKeysWithValues: all.enumerated().map { ($0.element.index, $0.offset) })
        let probability = Dictionary(uniqueKeysWithValues: all.map { ($0.index, Double($0.probability)) })
        let seenList = all.prefix(5).map { "\(short($0.index)) \(rounded(Double($0.probability)))" }
        let whole = mass(out.logits)
        let s = settings.seen
        let seen = (rank[whole.best]! < s.rank && probability[whole.best]! >= s.probability) || whole.total >= s.total

        let found = try instances(in: image, mass: mass, verify: settings.instances.verifyCount, minimum: settings.instances.verifyMinimum)
        var kept: [(box: [Double], score: Double, best: Int)] = []
        for f in found.sorted(by: { $0.score > $1.score }) where !kept.contains(where: { overlaps($0.box, f.box) }) { kept.append(f) }
        if !kept.isEmpty {
            return TermResult(term: original, route: "efficientnet-proposals",
                              found: kept.map { Found(label: short($0.best), box: $0.box, score: $0.score, mask: nil) }, note: nil)
        }
        guard seen else {
            let known = wanted.by == "minilm" ? "; nearest known classes: " + wanted.indices.map(short).joined(separator: ", ") : ""
            let p = probability[whole.best]!
            return TermResult(term: original, route: "efficientnet-proposals", found: [],
                              note: "\"\(term)\" not found (best matching class \(short(whole.best)) at \(p < 0.001 ? "<0.001" : rounded(p, places: 3)))\(known); the image looks like: \(seenList.joined(separator: ", "))")
        }
        // Second opinion: the whole image sees the class but no crop confirmed it; boxes from its activation map.
        let cam = try net.classActivationMap(out, classIndex: whole.best)
        let n = out.mapSize
        let cells = try Mask(width: n, height: n, values: cam.map { Double($0) >= settings.instances.camThreshold ? 255 : 0 })
        let boxes = cells.components().compactMap { part -> Found? in
            guard let b = part.boundingBox else { return nil }
            return Found(label: short(whole.best), box: [Double(b.x0) / Double(n), Double(b.y0) / Double(n), Double(b.x1) / Double(n), Double(b.y1) / Double(n)],
                         score: min(1, whole.total), mask: nil)
        }
        return TermResult(term: original, route: "efficientnet-cam", found: Array(boxes.prefix(3)), note: nil)
    }

    /// Instances of the classes `mass` sums in `image` (boxes normalised to it): the class mass of every cell of
    /// one convolutional pass; instances grown from strong cells; each box snapped to the region proposal that
    /// fits it best and kept when its own crop (with some context) is classified as the term.
    func instances(in image: RGBImage, mass: ([Float]) -> (total: Double, best: Int), verify: Int, minimum: Double) throws -> [(box: [Double], score: Double, best: Int)] {
        let net = try models.classifier(), side = EfficientNetLite0.inputSize
        let i = settings.instances
        // One map per input size, each sampled on the finest grid (at cell centres) and averaged: small inputs
        // see large objects whole, large inputs place them more finely.
        var maps: [(mass: [Double], w: Int, h: Int)] = []
        for denseSide in i.denseSides {
            let scale = Double(denseSide) / Double(max(image.width, image.height))
            let dw = max(64, Int((Double(image.width) * scale / 32).rounded()) * 32), dh = max(64, Int((Double(image.height) * scale / 32).rounded()) * 32)
            let dense = try net.forward(try EfficientNetLite0.input(resizing: image, width: dw, height: dh), height: dh, width: dw)
            let w = dense.mapWidth, h = dense.mapHeight
            let cellBoxes = (0..<(w * h)).map { c -> [Double] in
                let x = Double(c % w), y = Double(c / w)
                return [x / Double(w), y / Double(h), (x + 1) / Double(w), (y + 1) / Double(h)]
            }
            maps.append((try net.regionLogits(dense, boxes: cellBoxes).map { mass($0).total }, w, h))
        }
        guard let finest = maps.max(by: { $0.w * $0.h < $1.w * $1.h }) else { return [] }
        let mw = finest.w, mh = finest.h
        var cellMass = [Double](repeating: 0, count: mw * mh)
        for m in maps {
            for y in 0..<mh {
                for x in 0..<mw {
                    let sx = min(m.w - 1, Int((Double(x) + 0.5) / Double(mw) * Double(m.w))), sy = min(m.h - 1, Int((Double(y) + 0.5) / Double(mh) * Double(m.h)))
                    cellMass[y * mw + x] += m.mass[sy * m.w + sx] / Double(maps.count)
                }
            }
        }
        let regions = instanceCells(cellMass, width: mw, height: mh)
        let proposals = regions.isEmpty ? [] : try RegionProposals.boxes(image, settings: settings.proposals)
        var found: [(box: [Double], score: Double, best: Int)] = []
        func classifyCrop(_ b: [Double]) throws -> (total: Double, best: Int)? {
            let cw = b[2] - b[0], ch = b[3] - b[1]
            let grown = [max(0, b[0] - cw * i.context), max(0, b[1] - ch * i.context), min(1, b[2] + cw * i.context), min(1, b[3] + ch * i.context)]
            let px = PixelBox(normalized: grown, width: image.width, height: image.height).clipped(width: image.width, height: image.height)
            guard px.x1 - px.x0 >= 8, px.y1 - px.y0 >= 8 else { return nil }
            let crop = try image.cropped(x: px.x0, y: px.y0, width: px.x1 - px.x0, height: px.y1 - px.y0)
            return mass(try net.forward(try EfficientNetLite0.input(resizing: crop, width: side, height: side)).logits)
        }
        for r in regions.prefix(verify) {
            let b = fit(r.cells, width: mw, height: mh, proposals: proposals)
            guard let m = try classifyCrop(b) else { continue }
            // The evidence lies on the parts that tell the class apart, so boxes come out a little small: grow them.
            let gw = (b[2] - b[0]) * i.grow, gh = (b[3] - b[1]) * i.grow
            let grown = [max(0, b[0] - gw), max(0, b[1] - gh), min(1, b[2] + gw), min(1, b[3] + gh)]
            if m.total >= minimum { found.append((grown, m.total, m.best)) }
        }
        return found
    }

    /// Instances on the cell map of class mass, strongest first: regions of strong cells (above the map's
    /// median by `cellRelative` of the way to its peak) as seeds, grown together over weak cells (`cellGrow`
    /// of the way) so that each cell joins the seed that reaches it first.
    func instanceCells(_ mass: [Double], width mw: Int, height mh: Int) -> [(cells: [Int], peak: Double)] {
        let i = settings.instances
        guard let peak = mass.max(), peak >= i.cellMinimum else { return [] }
        let median = mass.sorted()[mass.count / 2]
        let strong = max(i.cellMinimum, median + i.cellRelative * (peak - median)), weak = median + i.cellGrow * (peak - median)
        var label = [Int](repeating: -1, count: mass.count)
        var seeds: [(cells: [Int], peak: Double)] = []
        for start in mass.indices where mass[start] >= strong && label[start] < 0 {
            var members = [start], k = 0
            label[start] = seeds.count
            while k < members.count {
                let c = members[k]; k += 1
                for n in neighbours(c, mw, mh) where mass[n] >= strong && label[n] < 0 { label[n] = seeds.count; members.append(n) }
            }
            seeds.append((members, members.map { mass[$0] }.max() ?? 0))
        }
        // Grow all seeds at once, breadth first, over weak cells.
        var frontier = seeds.indices.flatMap { s in seeds[s].cells }
        while !frontier.isEmpty {
            var next: [Int] = []
            for c in frontier {
                for n in neighbours(c, mw, mh) where mass[n] >= weak && label[n] < 0 {
                    label[n] = label[c]
                    seeds[label[c]].cells.append(n)
                    next.append(n)
                }
            }
            frontier = next
        }
        return seeds.sorted { $0.peak > $1.peak }
    }

    private func neighbours(_ c: Int, _ w: Int, _ h: Int) -> [Int] {
        let x = c % w, y = c / w
        var out: [Int] = []
        for dy in -1...1 { for dx in -1...1 where dx != 0 || dy != 0 {
            let nx = x + dx, ny = y + dy
            if nx >= 0, nx < w, ny >= 0, ny < h { out.append(ny * w + nx) }
        } }
        return out
    }

    /// The box of an instance's cells: the region proposal that fits the cells best (cells inside the box over
    /// cells in the box or the instance, by cell centres) when it fits at least `snapMinimum`, else the cells' box.
    func fit(_ cells: [Int], width mw: Int, height mh: Int, proposals: [[Double]]) -> [Double] {
        let set = Set(cells)
        let xs = cells.map { $0 % mw }, ys = cells.map { $0 / mw }
        let own = [Double(xs.min()!) / Double(mw), Double(ys.min()!) / Double(mh), Double(xs.max()! + 1) / Double(mw), Double(ys.max()! + 1) / Double(mh)]
        var best = own, bestFit = settings.instances.snapMinimum
        for p in proposals {
            let x0 = Int((p[0] * Double(mw) - 0.5).rounded(.up)), x1 = Int((p[2] * Double(mw) - 0.5).rounded(.down))
            let y0 = Int((p[1] * Double(mh) - 0.5).rounded(.up)), y1 = Int((p[3] * Double(mh) - 0.5).rounded(.down))
            guard x1 >= x0, y1 >= y0 else { continue }
            var inside = 0
            for y in max(0, y0)...min(mh - 1, y1) { for x in max(0, x0)...min(mw - 1, x1) where set.contains(y * mw + x) { inside += 1 } }
            let boxCells = (min(mw - 1, x1) - max(0, x0) + 1) * (min(mh - 1, y1) - max(0, y0) + 1)
            let fit = Double(inside) / Double(boxCells + set.count - inside)
            if fit > bestFit { (best, bestFit) = (p, fit) }
        }
        return best
    }

    /// Whether two instance boxes are one: they overlap by IoU, or one lies mostly inside the other.
    func overlaps(_ a: [Double], _ b: [Double]) -> Bool {
        func area(_ b: [Double]) -> Double { max(0, b[2] - b[0]) * max(0, b[3] - b[1]) }
        let inter = max(0, min(a[2], b[2]) - max(a[0], b[0])) * max(0, min(a[3], b[3]) - max(a[1], b[1]))
        return DetectionScore.iou(a, b) >= settings.instances.overlap || inter / max(1e-9, min(area(a), area(b))) >= settings.instances.containment
    }

    /// Repeated objects counted without a class (a word like "coin" that no ImageNet class covers).
    func countRepeated(_ term: String, original: String, _ image: RGBImage) throws -> TermResult {
        let objects = try RepeatedObjects.find(image, settings: settings.repeated)
        let found = objects.map { Found(label: term, box: $0.box.normalized(width: image.width, height: image.height), score: 0.5, mask: nil) }
        return TermResult(term: original, route: "repeated-objects", found: found,
                          note: found.isEmpty ? "\"\(term)\" names no class the classifier knows, and the image holds no set of similar separate objects to count" : nil)
    }
}
