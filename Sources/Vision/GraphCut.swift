/// Minimum s–t cut of a sparse graph by the Boykov–Kolmogorov max-flow algorithm (two search trees grown from
/// the terminals, augmentation along the path where they meet, adoption of orphaned nodes), which is fast on
/// the grid graphs of image segmentation. Capacities are non-negative `Float`s.
public struct GraphCut {
    // Arcs come in pairs (2k, 2k+1) that are each other's reverse.
    private var head: [Int32] = []       // node an arc points to
    private var next: [Int32] = []       // next arc out of the same node
    private var residual: [Float] = []   // residual capacity of each arc
    private var first: [Int32]           // first arc out of each node, -1 for none
    /// Residual terminal capacity: > 0 from the source, < 0 to the sink.
    private var terminal: [Float]
    public private(set) var flow: Double = 0

    private enum Tree: UInt8 { case free, source, sink }
    private static let none: Int32 = -1, viaTerminal: Int32 = -2, orphaned: Int32 = -3

    public init(nodes: Int, edgesHint: Int = 0) {
        first = [Int32](repeating: -1, count: nodes)
        terminal = [Float](repeating: 0, count: nodes)
        head.reserveCapacity(2 * edgesHint); next.reserveCapacity(2 * edgesHint); residual.reserveCapacity(2 * edgesHint)
    }

    public var nodeCount: Int { first.count }

    /// Adds capacity from the source to `node` and from `node` to the sink.
    public mutating func addTerminal(_ node: Int, source: Float, sink: Float) {
        precondition(source >= 0 && sink >= 0, "capacities are non-negative")
        let common = min(source, sink)
        flow += Double(common)
        terminal[node] += source - sink
    }

    /// Adds an edge `a → b` with capacity `forward` and `b → a` with capacity `backward`.
    public mutating func addEdge(_ a: Int, _ b: Int, forward: Float, backward: Float) {
        precondition(a != b && forward >= 0 && backward >= 0, "an edge joins two different nodes with non-negative capacities")
        let arc = Int32(head.count)
        head.append(Int32(b)); next.append(first[a]); residual.append(forward); first[a] = arc
        head.append(Int32(a)); next.append(first[b]); residual.append(backward); first[b] = arc + 1
    }

    /// Computes the maximum flow; afterwards `isSourceSide` gives the minimum cut.
    public mutating func solve() {
        let n = first.count
        tree = [Tree](repeating: .free, count: n)
        parent = [Int32](repeating: Self.none, count: n)
        stamp = [Int32](repeating: 0, count: n)
        distance = [Int32](repeating: 0, count: n)
        inQueue = [Bool](repeating: false, count: n)
        active = []; active.reserveCapacity(n); activeHead = 0
        for i in 0..<n where terminal[i] != 0 {
            tree[i] = terminal[i] > 0 ? .source : .sink
            parent[i] = Self.viaTerminal
            distance[i] = 1
            activate(i)
        }
        while let i = nextActive() {
            guard tree[i] != .free else { continue }
            guard let middle = grow(from: i) else { continue }
            time += 1
            augment(through: Int(middle))
            adoptOrphans()
            activate(i)   // it may have more to give
        }
    }

    /// Whether `node` ends on the source side of the minimum cut (free nodes go to the sink side).
    public func isSourceSide(_ node: Int) -> Bool { tree[node] == .source }

    // MARK: - Search state
    private var tree: [Tree] = []
    private var parent: [Int32] = []     // arc from the node to its parent, or a marker
    private var stamp: [Int32] = []      // time at which `distance` was last known to be exact
    private var distance: [Int32] = []   // distance to the terminal along parents
    private var time: Int32 = 0
    private var active: [Int32] = []
    private var activeHead = 0
    private var inQueue: [Bool] = []
    private var orphans: [Int32] = []

    private mutating func activate(_ i: Int) {
        guard !inQueue[i] else { return }
        inQueue[i] = true
        active.append(Int32(i))
    }

    private mutating func nextActive() -> Int? {
        guard activeHead < active.count else { return nil }
        let i = Int(active[activeHead])
        activeHead += 1
        inQueue[i] = false
        if activeHead > 4096, activeHead * 2 > active.count {
            active.removeFirst(activeHead)
            activeHead = 0
        }
        return i
    }

    /// Grows the tree of `i` by one layer; returns the arc (source tree → sink tree) where the trees met.
    private mutating func grow(from i: Int) -> Int32? {
        var a = first[i]
        let side = tree[i]
        while a >= 0 {
            let arc = Int(a), j = Int(head[arc])
            // Source tree grows along arcs i → j; sink tree along arcs j → i.
            let open = side == .source ? residual[arc] > 0 : residual[arc ^ 1] > 0
            if open {
                if tree[j] == .free {
                    tree[j] = side
                    parent[j] = Int32(arc ^ 1)
                    stamp[j] = stamp[i]
                    distance[j] = distance[i] + 1
                    activate(j)
                } else if tree[j] != side {
                    return side == .source ? Int32(arc) : Int32(arc ^ 1)
                } else if stamp[j] <= stamp[i], distance[j] > distance[i] {
                    // A shorter way to the terminal: re-hang j under i.
                    parent[j] = Int32(arc ^ 1)
                    stamp[j] = stamp[i]
                    distance[j] = distance[i] + 1
                }
            }
            a = next[arc]
        }
        return nil
    }

    /// Pushes the bottleneck along source → … → tail(middle) → head(middle) → … → sink.
    private mutating func augment(through middle: Int) {
        var bottleneck = residual[middle]
        var i = Int(head[middle ^ 1])
        while true {
            let p = parent[i]
            if p == Self.viaTerminal { bottleneck = min(bottleneck, terminal[i]); break }
            bottleneck = min(bottleneck, residual[Int(p) ^ 1])
            i = Int(head[Int(p)])
        }
        i = Int(head[middle])
        while true {
            let p = parent[i]
            if p == Self.viaTerminal { bottleneck = min(bottleneck, -terminal[i]); break }
            bottleneck = min(bottleneck, residual[Int(p)])
            i = Int(head[Int(p)])
        }
        residual[middle] -= bottleneck
        residual[middle ^ 1] += bottleneck
        i = Int(head[middle ^ 1])
        while true {
            let p = parent[i]
            if p == Self.viaTerminal {
                terminal[i] -= bottleneck
                if terminal[i] <= 0 { terminal[i] = 0; makeOrphan(i) }
                break
            }
            let down = Int(p) ^ 1   // parent → i
            residual[down] -= bottleneck
            residual[Int(p)] += bottleneck
            let up = Int(head[Int(p)])
            if residual[down] <= 0 { residual[down] = 0; makeOrphan(i) }
            i = up
        }
        i = Int(head[middle])
        while true {
            let p = parent[i]
            if p == Self.viaTerminal {
                terminal[i] += bottleneck
                if terminal[i] >= 0 { terminal[i] = 0; makeOrphan(i) }
                break
            }
            residual[Int(p)] -= bottleneck
            residual[Int(p) ^ 1] += bottleneck
            let up = Int(head[Int(p)])
            if residual[Int(p)] <= 0 { residual[Int(p)] = 0; makeOrphan(i) }
            i = up
        }
        flow += Double(bottleneck)
    }

    private mutating func makeOrphan(_ i: Int) {
        parent[i] = Self.orphaned
        orphans.append(Int32(i))
    }

    /// Finds each orphan a new parent in its tree whose path reaches the terminal, or frees it.
    private mutating func adoptOrphans() {
        while let o = orphans.popLast() {
            let i = Int(o), side = tree[i]
            var best: Int32 = Self.none, bestDistance = Int32.max
            var a = first[i]
            while a >= 0 {
                let arc = Int(a), j = Int(head[arc])
                // Candidate parent j: same tree, and the tree direction has capacity (source: j → i, sink: i → j).
                let open = side == .source ? residual[arc ^ 1] > 0 : residual[arc] > 0
                if open, tree[j] == side, let d = originDistance(j) {
                    if d < bestDistance { (best, bestDistance) = (Int32(arc), d) }
                }
                a = next[arc]
            }
            if best != Self.none {
                parent[i] = best
                stamp[i] = time
                distance[i] = bestDistance + 1
                continue
            }
            // No parent: free i; its children become orphans, neighbours that could regrow it become active.
            a = first[i]
            while a >= 0 {
                let arc = Int(a), j = Int(head[arc])
                if tree[j] == side {
                    let open = side == .source ? residual[arc ^ 1] > 0 : residual[arc] > 0
                    if open { activate(j) }
                    let pj = parent[j]
                    if pj >= 0, Int(head[Int(pj)]) == i { makeOrphan(j) }
                }
                a = next[arc]
            }
            tree[i] = .free
        }
    }

    /// The distance from `j` to its terminal along parents, or nil when the path ends at an orphan; marks the
    /// nodes on the way with the current time so later checks stop early.
    private mutating func originDistance(_ j: Int) -> Int32? {
        var k = j, d: Int32 = 0
        while true {
            if stamp[k] == time { d += distance[k]; break }
            let p = parent[k]
            d += 1
            if p == Self.viaTerminal { stamp[k] = time; distance[k] = 1; break }
            if p < 0 { return nil }
            k = Int(head[Int(p)])
        }
        // Record exact distances along the path.
        var m = j, dm = d
        while stamp[m] != time {
            stamp[m] = time
            distance[m] = dm
            dm -= 1
            m = Int(head[Int(parent[m])])
        }
        return d
    }
}
