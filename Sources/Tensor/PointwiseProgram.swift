import CKernels
import Foundation

/// A chain of per-value operations (affine maps, clamps, activations, gates) run in one pass over a tensor,
/// or fused into the end of a convolution. Parameters are scalars or one value per channel.
public struct PointwiseProgram: Sendable, Equatable {
    /// One operation. Per-channel parameter arrays have one value per channel; a single value applies to all.
    public enum Op: Sendable, Equatable {
        /// v = v·scale + shift
        case affine(scale: [Float], shift: [Float])
        /// v = min(max(v, low), high)
        case clip(low: Float, high: Float)
        /// v = clip(v·alpha + beta, 0, 1)
        case hardSigmoid(alpha: Float, beta: Float)
        /// v = v · clip(v/6 + 1/2, 0, 1)
        case hardSwish
        /// v = 1 / (1 + e^-v)
        case sigmoid
        /// Remembers v as g; the ops up to `gateEnd` compute a gate from v, then v = g · gate.
        case gateBegin
        case gateEnd
    }

    public private(set) var ops: [Op] = []

    public init(_ ops: [Op] = []) {
        for op in ops { append(op) }
    }

    public var isEmpty: Bool { ops.isEmpty }

    /// Whether the program is inside an open gate (a `gateBegin` without its `gateEnd`).
    public var gateIsOpen: Bool { ops.reduce(0) { $0 + ($1 == .gateBegin ? 1 : $1 == .gateEnd ? -1 : 0) } > 0 }

    /// Appends an op; consecutive affine maps are merged into one, and the gate `v · clip(v + 3, 0, 6)` (hard-swish
    /// as exporters decompose it) becomes `hardSwish` then `·6`, one pass instead of four.
    public mutating func append(_ op: Op) {
        if op == .gateEnd, ops.count >= 3, ops.suffix(3) == [.gateBegin, .affine(scale: [1], shift: [3]), .clip(low: 0, high: 6)] {
            ops.removeLast(3)
            ops.append(.hardSwish)
            ops.append(.affine(scale: [6], shift: [0]))
            return
        }
        if case let .affine(s2, b2) = op, case let .affine(s1, b1)? = ops.last {
            // s2·(s1·v + b1) + b2
            let n = max(s1.count, b1.count, s2.count, b2.count)
            func at(_ a: [Float], _ i: Int) -> Float { a.count == 1 ? a[0] : a[i] }
            if [s1, b1, s2, b2].allSatisfy({ $0.count == 1 || $0.count == n }) {
                let scale = (0..<n).map { at(s2, $0) * at(s1, $0) }, shift = (0..<n).map { at(s2, $0) * at(b1, $0) + at(b2, $0) }
                ops[ops.count - 1] = .affine(scale: scale, shift: shift)
                return
            }
        }
        ops.append(op)
    }

    /// The largest per-channel parameter count (1 when every parameter is a scalar).
    public var channelCount: Int {
        ops.reduce(1) { n, op in
            if case let .affine(s, b) = op { return max(n, s.count, b.count) }
            return n
        }
    }

    /// Calls `body` with the program as C operations (valid only inside `body`).
    public func withCOps<R>(_ body: (UnsafePointer<lk_pw_op>?, Int32) throws -> R) rethrows -> R {
        if ops.isEmpty { return try body(nil, 0) }
        // Parameters copied into one buffer so the C structs can point into it.
        var params: [Float] = []
        var cops: [lk_pw_op] = []
        var offsets: [(Int?, Int?)] = []
        for op in ops {
            var c = lk_pw_op()
            var off: (Int?, Int?) = (nil, nil)
            switch op {
            case let .affine(scale, shift):
                c.kind = Int32(LK_PW_AFFINE.rawValue)
                if scale.count == 1 { c.a = scale[0] } else { off.0 = params.count; params += scale }
                if shift.count == 1 { c.b = shift[0] } else { off.1 = params.count; params += shift }
            case let .clip(low, high): c.kind = Int32(LK_PW_CLIP.rawValue); c.a = low; c.b = high
            case let .hardSigmoid(alpha, beta): c.kind = Int32(LK_PW_HARDSIGMOID.rawValue); c.a = alpha; c.b = beta
            case .hardSwish: c.kind = Int32(LK_PW_HARDSWISH.rawValue)
            case .sigmoid: c.kind = Int32(LK_PW_SIGMOID.rawValue)
            case .gateBegin: c.kind = Int32(LK_PW_GATE_BEGIN.rawValue)
            case .gateEnd: c.kind = Int32(LK_PW_GATE_END.rawValue)
            }
            cops.append(c)
            offsets.append(off)
        }
        return try params.withUnsafeBufferPointer { pp in
            for i in cops.indices {
                if let o = offsets[i].0 { cops[i].va = pp.baseAddress! + o }
                if let o = offsets[i].1 { cops[i].vb = pp.baseAddress! + o }
            }
            return try cops.withUnsafeBufferPointer { try body($0.baseAddress, Int32($0.count)) }
        }
    }

    /// Runs the program in place on `values` laid out `[batch, channels, inner]`, on `pool`.
    public func apply(to values: UnsafeMutablePointer<Float>, batch: Int, channels: Int, inner: Int, pool: KernelPool = .shared) {
        withCOps { ops, count in lk_pointwise(pool.raw, ops, count, Int64(batch), Int64(channels), Int64(inner), values) }
    }

    /// The program applied to one value of `channel` (the reference the kernels are tested against).
    public func reference(_ value: Float, channel: Int) -> Float {
        var v = value, saved: Float = 0
        func at(_ a: [Float]) -> Float { a.count == 1 ? a[0] : a[channel] }
        for op in ops {
            switch op {
            case let .affine(s, b): v = v * at(s) + at(b)
            case let .clip(lo, hi): v = min(max(v, lo), hi)
            case let .hardSigmoid(a, b): v = min(max(v * a + b, 0), 1)
            case .hardSwish: v *= min(max(v / 6 + 0.5, 0), 1)
            case .sigmoid: v = 1 / (1 + expf(-v))
            case .gateBegin: saved = v
            case .gateEnd: v *= saved
            }
        }
        return v
    }
}
