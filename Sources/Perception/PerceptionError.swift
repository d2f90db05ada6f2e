/// Errors of the perception networks: a weight file that does not fit the architecture, or bad input.
public enum PerceptionError: Error, CustomStringConvertible, Equatable {
    /// A tensor is missing or has the wrong shape (names the tensor and what was expected).
    case badWeights(network: String, tensor: String, reason: String)
    /// Input the network cannot take.
    case invalidInput(network: String, reason: String)

    public var description: String {
        switch self {
        case let .badWeights(network, tensor, reason):
            return "\(network): weight \(tensor) \(reason) (wrong or corrupt model file?)"
        case let .invalidInput(network, reason):
            return "\(network): \(reason)"
        }
    }
}
