import Tokenizers

/// The byte strings of a vocabulary's ordinary tokens as a trie, for walking a byte-level grammar over
/// all tokens at once. Built once per tokenizer.
public final class TokenTrie: @unchecked Sendable {
    /// Per node: first child, next sibling, edge byte, and the range of `ends` listing tokens ending here.
    var firstChild: [Int32] = [-1]
    var nextSibling: [Int32] = [-1]
    var byte: [UInt8] = [0]
    var endStart: [Int32] = [0]
    var endCount: [Int32] = [0]
    var ends: [Int32] = []

    /// Builds a trie of `ids` (each token's bytes from `piece`).
    init(ids: [Int32], piece: (Int32) -> [UInt8]) {
        var children: [[UInt8: Int32]] = [[:]]
        var endsPerNode: [[Int32]] = [[]]
        for id in ids {
            let bytes = piece(id)
            guard !bytes.isEmpty else { continue }
            var node: Int32 = 0
            for b in bytes {
                if let c = children[Int(node)][b] {
                    node = c
                } else {
                    let c = Int32(children.count)
                    children.append([:])
                    endsPerNode.append([])
                    byte.append(b)
                    children[Int(node)][b] = c
                    node = c
                }
            }
            endsPerNode[Int(node)].append(id)
        }
        let n = children.count
        firstChild = [Int32](repeating: -1, count: n)
        nextSibling = [Int32](repeating: -1, count: n)
        endStart = [Int32](repeating: 0, count: n)
        endCount = [Int32](repeating: 0, count: n)
        for node in 0..<n {
            var previous: Int32 = -1
            for (_, c) in children[node].sorted(by: { $0.key < $1.key }) {
                if previous < 0 { firstChild[node] = c } else { nextSibling[Int(previous)] = c }
                previous = c
            }
            endStart[node] = Int32(ends.count)
            endCount[node] = Int32(endsPerNode[node].count)
            ends += endsPerNode[node]
        }
    }

    var nodeCount: Int { firstChild.count }
}
