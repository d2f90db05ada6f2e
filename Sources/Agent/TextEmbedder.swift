/// Turns a sentence into a vector whose dot products measure similarity of meaning (unit length). The CLI
/// provides one on MiniLM; the agent only knows this protocol.
public protocol TextEmbedder: Sendable {
    func embed(_ text: String) throws -> [Float]
}
