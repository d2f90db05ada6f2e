import Tensor
import Testing

@Suite struct TensorTests {
    @Test func shapesAndIndexing() throws {
        var t = try Tensor(shape: [2, 3, 4])
        #expect(t.count == 24 && t.rank == 3 && t.strides == [12, 4, 1])
        t[1, 2, 3] = 5
        #expect(t.storage[23] == 5)
        let r = try t.reshaped([6, 4])
        #expect(r[5, 3] == 5)
        #expect(throws: TensorError.countMismatch(shape: [5], count: 24)) { try t.reshaped([5]) }
        #expect(throws: TensorError.self) { try Tensor(shape: [-1, 2]) }
        #expect(throws: TensorError.self) { try Tensor(shape: [Int.max, 3]) }
    }

    @Test func matmulAgainstNaive() throws {
        let a = try Tensor(shape: [3, 4], data: (0..<12).map { Float($0) - 5 })
        let b = try Tensor(shape: [4, 2], data: (0..<8).map { Float($0) * 0.5 })
        let c = try a.matmul(b)
        #expect(c.shape == [3, 2])
        for i in 0..<3 {
            for j in 0..<2 {
                var acc: Float = 0
                for p in 0..<4 { acc += a[i, p] * b[p, j] }
                #expect(abs(c[i, j] - acc) < 1e-5)
            }
        }
        #expect(throws: TensorError.shapeMismatch(operation: "matmul", lhs: [3, 4], rhs: [3, 4])) { try a.matmul(a) }
        let empty = try Tensor(shape: [3, 0]).matmul(try Tensor(shape: [0, 2]))
        #expect(empty.storage == [0, 0, 0, 0, 0, 0])
    }
}
