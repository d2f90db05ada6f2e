import Foundation
import Tensor

/// Runs a `Graph` node by node. Intermediate values are dropped after their last use, so peak memory is
/// the live set, not every activation.
public final class GraphExecutor: @unchecked Sendable {
    public let graph: Graph
    let blas: BLAS
    /// For each node, the values whose last use it is.
    private let releases: [[String]]

    /// `optimize`: run `GraphOptimizer` first (fused convolutions and pointwise chains); off only to compare.
    public init(graph: Graph, optimize: Bool = true) throws {
        let graph = optimize ? GraphOptimizer.optimize(graph) : graph
        self.graph = graph
        AllocatorTuning.keepLargeBlocks()
        blas = try BLAS.shared()
        var last: [String: Int] = [:]
        for (i, n) in graph.nodes.enumerated() { for v in n.inputs where !v.isEmpty { last[v] = i } }
        var releases = [[String]](repeating: [], count: graph.nodes.count)
        let keep = Set(graph.outputs).union(graph.constants.keys)
        for (v, i) in last where !keep.contains(v) { releases[i].append(v) }
        self.releases = releases
    }

    /// Runs the graph on `inputs` (by name) and returns the graph outputs.
    public func run(_ inputs: [String: GraphTensor]) throws -> [String: GraphTensor] {
        var none: GraphProfile? = nil
        return try run(inputs, profile: &none)
    }

    /// `run`, adding each node's wall time to `profile` (by operator kind) when it is non-nil.
    public func run(_ inputs: [String: GraphTensor], profile: inout GraphProfile?) throws -> [String: GraphTensor] {
        var values = inputs
        for name in graph.inputs where values[name] == nil {
            throw GraphRuntimeError.missingValue(name: name, node: "graph input")
        }
        for (i, node) in graph.nodes.enumerated() {
            var args = try node.inputs.map { name -> GraphTensor? in
                if name.isEmpty { return nil }
                guard let v = values[name] ?? graph.constants[name] else { throw GraphRuntimeError.missingValue(name: name, node: node.name) }
                return v
            }
            // Values read for the last time leave the table first, so in-place operators own their storage.
            for v in releases[i] { values[v] = nil }
            let start = profile == nil ? 0 : DispatchTime.now().uptimeNanoseconds
            let results = try execute(node, &args)
            if profile != nil {
                var flops = 0.0
                if case .conv = node.op, args.count > 1, let w = args[1], let y = results.first, w.shape.count == 4 {
                    flops = 2 * Double(y.count) * Double(w.shape[1] * w.shape[2] * w.shape[3])
                } else if case let .fusedConv(_, c) = node.op, let y = results.first {
                    flops = 2 * Double(y.count) * Double(c.inChannels / c.groups * c.kernelHeight * c.kernelWidth)
                }
                profile!.add(node, shape: results.first?.shape ?? [], nanoseconds: DispatchTime.now().uptimeNanoseconds - start, flops: flops)
            }
            for (name, value) in zip(node.outputs, results) { values[name] = value }
        }
        var out: [String: GraphTensor] = [:]
        for name in graph.outputs {
            guard let v = values[name] ?? graph.constants[name] else { throw GraphRuntimeError.missingValue(name: name, node: "graph output") }
            out[name] = v
        }
        return out
    }

    func execute(_ node: Graph.Node, _ args: inout [GraphTensor?]) throws -> [GraphTensor] {
        func input(_ i: Int) throws -> GraphTensor {
            guard i < args.count, let t = args[i] else {
                throw GraphRuntimeError.shapeMismatch(op: "\(node.op)", node: node.name, reason: "input \(i) is missing")
            }
            return t
        }
        switch node.op {
        case let .conv(a):
            return [try ConvolutionOps.conv(try input(0), weight: try input(1), bias: args.count > 2 ? args[2] : nil, a, node: node.name, blas: blas)]
        case let .convTranspose(a):
            return [try ConvolutionOps.convTranspose(try input(0), weight: try input(1), bias: args.count > 2 ? args[2] : nil, a, node: node.name, blas: blas)]
        case let .batchNormalization(epsilon):
            return [try NormalizationOps.batchNorm(try input(0), scale: try input(1), bias: try input(2), mean: try input(3),
                                                   variance: try input(4), epsilon: epsilon, node: node.name)]
        case let .binary(kind):
            let a = try input(0), b = try input(1)
            args[0] = nil
            return [try ElementwiseOps.binary(kind, consume a, b, node: node.name)]
        case let .unary(kind):
            let x = try input(0)
            args[0] = nil
            return [ElementwiseOps.unary(kind, consume x)]
        case let .fusedConv(a, conv):
            return [try ConvolutionOps.fusedConv(try input(0), a, conv, node: node.name)]
        case let .fusedConvTranspose(a, conv):
            return [try conv.run(try input(0), stride: a.strides[0], pads: a.pads, outputPadding: a.outputPadding, node: node.name)]
        case let .pointwise(program):
            var x = try input(0)
            args[0] = nil
            let channels = program.channelCount
            guard channels == 1 || (x.shape.count >= 2 && x.shape[1] == channels) else {
                throw GraphRuntimeError.shapeMismatch(op: "pointwise", node: node.name, reason: "input \(x.shape) has not \(channels) channels")
            }
            let batch = channels == 1 ? 1 : x.shape[0], inner = channels == 1 ? x.count : x.count / max(1, batch * channels)
            x.data.withUnsafeMutableBufferPointer { program.apply(to: $0.baseAddress!, batch: batch, channels: channels, inner: inner) }
            return [x]
        case let .clip(lo, hi):
            let low = args.count > 1 ? args[1]?.data.first ?? lo : lo
            let high = args.count > 2 ? args[2]?.data.first ?? hi : hi
            var x = try input(0)
            args[0] = nil
            for i in x.data.indices { x.data[i] = min(max(x.data[i], low), high) }
            return [x]
        case .globalAveragePool:
            return [try PoolingOps.globalAverage(try input(0), node: node.name)]
        case let .resize(mode, coordinates, nearestMode):
            return [try ResizeOps.resize(try input(0), scales: args.count > 2 ? args[2] : nil, sizes: args.count > 3 ? args[3] : nil,
                                         mode: mode, coordinates: coordinates, nearestMode: nearestMode, node: node.name)]
        case let .concat(axis):
            return [try ShapeOps.concat(args.compactMap { $0 }, axis: axis, node: node.name)]
        case let .averagePool(kernel, strides, pads, countIncludePad):
            return [try PoolingOps.pool(try input(0), kernel: kernel, strides: strides, pads: pads, max: false,
                                        countIncludePad: countIncludePad, node: node.name)]
        case let .maxPool(kernel, strides, pads):
            return [try PoolingOps.pool(try input(0), kernel: kernel, strides: strides, pads: pads, max: true, countIncludePad: false, node: node.name)]
        case .matMul:
            return [try MatMulOps.matMul(try input(0), try input(1), node: node.name)]
        case let .softmax(axis):
            let x = try input(0)
            args[0] = nil
            return [try ReductionOps.softmax(consume x, axis: axis, node: node.name)]
        case let .reduceMean(axes, keepDims):
            return [try ReductionOps.reduceMean(try input(0), axes: axes ?? (args.count > 1 ? args[1]?.data.map { Int($0) } : nil),
                                                keepDims: keepDims, node: node.name)]
        case .shape:
            let x = try input(0)
            return [GraphTensor(shape: [x.shape.count], data: x.shape.map { Float($0) })]
        case let .cast(to):
            var x = try input(0)
            if to != 1, to != 10, to != 11, to != 16 { for i in x.data.indices { x.data[i] = x.data[i].rounded(.towardZero) } }
            return [x]
        case .slice:
            return [try ShapeOps.slice(try input(0), starts: try input(1), ends: try input(2), axes: args.count > 3 ? args[3] : nil,
                                       steps: args.count > 4 ? args[4] : nil, node: node.name)]
        case let .reshape(allowZero):
            return [try ShapeOps.reshape(try input(0), shape: try input(1), allowZero: allowZero, node: node.name)]
        case let .transpose(perm):
            return [try ShapeOps.transpose(try input(0), perm: perm, node: node.name)]
        case let .squeeze(axes):
            return [try ShapeOps.squeeze(try input(0), axes: axes ?? (args.count > 1 ? args[1]?.data.map { Int($0) } : nil), node: node.name)]
        case let .pad(pads):
            return [try ShapeOps.pad(try input(0), pads: pads, node: node.name)]
        case let .unsqueeze(axes):
            guard let list = axes ?? (args.count > 1 ? args[1]?.data.map({ Int($0) }) : nil) else {
                throw GraphRuntimeError.invalidAttribute(op: "Unsqueeze", node: node.name, reason: "no axes")
            }
            return [try ShapeOps.unsqueeze(try input(0), axes: list, node: node.name)]
        }
    }
}
