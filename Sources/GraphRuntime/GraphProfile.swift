/// Wall time spent per operator kind during graph runs (for `loupe bench vision --profile`).
public struct GraphProfile: Sendable {
    /// Per operator kind: total nanoseconds, node executions and floating-point operations (convolutions).
    public private(set) var entries: [String: (nanoseconds: UInt64, count: Int, flops: Double)] = [:]

    /// Every node run, in order: name, kind, output shape, nanoseconds, floating-point operations.
    public private(set) var nodes: [(name: String, kind: String, shape: [Int], nanoseconds: UInt64, flops: Double)] = []

    public init() {}

    mutating func add(_ node: Graph.Node, shape: [Int], nanoseconds: UInt64, flops: Double) {
        nodes.append((node.name, Self.kind(node.op), shape, nanoseconds, flops))
        add(node.op, nanoseconds: nanoseconds, flops: flops)
    }

    mutating func add(_ op: Operator, nanoseconds: UInt64, flops: Double) {
        let key = Self.kind(op)
        let old = entries[key] ?? (0, 0, 0)
        entries[key] = (old.nanoseconds + nanoseconds, old.count + 1, old.flops + flops)
    }

    /// The operator's kind as a short label (`conv 3×3`, `binary add`, …).
    static func kind(_ op: Operator) -> String {
        switch op {
        case let .conv(a):
            let k = a.kernel.map(String.init).joined(separator: "×")
            return a.group > 1 ? "conv \(k) grouped" : "conv \(k)"
        case let .fusedConv(_, c):
            let k = "\(c.kernelHeight)×\(c.kernelWidth)"
            return c.isDepthwise ? "conv \(k) depthwise (fused)" : c.groups > 1 ? "conv \(k) grouped (fused)" : "conv \(k) (fused)"
        case let .fusedConvTranspose(_, c): return "convTranspose \(c.kernel)×\(c.kernel) (fused)"
        case let .binary(b): return "binary \(b)"
        case let .unary(u):
            let text = "\(u)"
            return "unary " + (text.split(separator: "(").first.map(String.init) ?? text)
        default:
            let text = "\(op)"
            return text.split(separator: "(").first.map(String.init) ?? text
        }
    }

    /// Rows sorted by time, longest first.
    public var rows: [(kind: String, milliseconds: Double, count: Int, gflops: Double)] {
        entries.map { ($0.key, Double($0.value.nanoseconds) / 1e6, $0.value.count, $0.value.flops / 1e9) }
            .sorted { $0.milliseconds > $1.milliseconds }
    }
}
