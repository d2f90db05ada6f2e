import Tensor

/// The graph IR: operators with attributes already parsed, connected by value names; constants held
/// separately. Nodes are in execution order.
public struct Graph: Sendable {
    public struct Node: Sendable {
        public let name: String
        public let op: Operator
        /// Input value names; "" marks an omitted optional input.
        public let inputs: [String]
        public let outputs: [String]

        public init(name: String, op: Operator, inputs: [String], outputs: [String]) {
            (self.name, self.op, self.inputs, self.outputs) = (name, op, inputs, outputs)
        }
    }

    public var nodes: [Node] = []
    public var constants: [String: GraphTensor] = [:]
    public var inputs: [String] = []
    public var outputs: [String] = []

    public init() {}
}

/// Operators and their attributes.
public enum Operator: Sendable {
    public struct ConvAttributes: Sendable {
        public var kernel: [Int] = []
        public var strides = [1, 1]
        /// top, left, bottom, right
        public var pads = [0, 0, 0, 0]
        public var group = 1
        public var autoPad = "NOTSET"
        public var outputPadding = [0, 0]
        public init() {}
    }

    public enum BinaryKind: Sendable { case add, sub, mul, div, pow, prelu }
    public enum UnaryKind: Sendable { case relu, sigmoid, sqrt, hardSigmoid(alpha: Float, beta: Float), hardSwish, identity }

    case conv(ConvAttributes)
    case convTranspose(ConvAttributes)
    case batchNormalization(epsilon: Float)
    case binary(BinaryKind)
    case unary(UnaryKind)
    /// Bounds from attributes (older opsets) or inputs 1 and 2.
    case clip(min: Float, max: Float)
    case globalAveragePool
    /// mode "nearest" or "linear"; coordinate transformation; nearest rounding mode.
    case resize(mode: String, coordinates: String, nearestMode: String)
    case concat(axis: Int)
    case averagePool(kernel: [Int], strides: [Int], pads: [Int], countIncludePad: Bool)
    case maxPool(kernel: [Int], strides: [Int], pads: [Int])
    case matMul
    case softmax(axis: Int)
    case reduceMean(axes: [Int]?, keepDims: Bool)
    case shape
    /// Cast to an ONNX data type (integer types truncate toward zero; values stay floats).
    case cast(to: Int)
    case slice
    case reshape(allowZero: Bool)
    case transpose(perm: [Int]?)
    case squeeze(axes: [Int]?)
    case unsqueeze(axes: [Int]?)
    /// Zero padding: `pads` holds the begin counts of every dimension, then the end counts.
    case pad(pads: [Int])
    /// A convolution with constant weights packed for the blocked kernel, with the elementwise operations
    /// that followed it fused in (made by `GraphOptimizer`; input 0 only).
    case fusedConv(ConvAttributes, PackedConvolution)
    /// A transposed convolution with constant weights and its fused pointwise program (made by `GraphOptimizer`).
    case fusedConvTranspose(ConvAttributes, FusedConvTranspose)
    /// A chain of elementwise operations with scalar (or, after a convolution, per-channel) constants, run in
    /// one pass (made by `GraphOptimizer`).
    case pointwise(PointwiseProgram)
}
