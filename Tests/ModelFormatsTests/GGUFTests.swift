import Foundation
import ModelFormats
import Tensor
import TestSupport
import Testing

/// Builds small GGUF files in memory.
struct GGUFWriter {
    var bytes: [UInt8] = []
    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    mutating func u64(_ v: UInt64) { for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    mutating func string(_ s: String) { u64(UInt64(s.utf8.count)); bytes += Array(s.utf8) }
    mutating func pad(to alignment: Int) { while bytes.count % alignment != 0 { bytes.append(0) } }

    /// A v3 file with one value of every metadata type and two tensors (F32 [4], Q8_0 [32, 2]).
    static func sample(version: UInt32 = 3) -> [UInt8] {
        var w = GGUFWriter()
        w.u32(0x4655_4747); w.u32(version); w.u64(2); w.u64(14)
        w.string("u8"); w.u32(0); w.u8(200)
        w.string("i8"); w.u32(1); w.u8(0xFF)
        w.string("u16"); w.u32(2); w.u8(0x34); w.u8(0x12)
        w.string("i16"); w.u32(3); w.u8(0xFE); w.u8(0xFF)
        w.string("u32"); w.u32(4); w.u32(70000)
        w.string("i32"); w.u32(5); w.u32(UInt32(bitPattern: -5))
        w.string("f32"); w.u32(6); w.u32(Float(1.5).bitPattern)
        w.string("bool"); w.u32(7); w.u8(1)
        w.string("str"); w.u32(8); w.string("héllo")
        w.string("arr"); w.u32(9); w.u32(8); w.u64(2); w.string("a"); w.string("b")
        w.string("u64"); w.u32(10); w.u64(1 << 40)
        w.string("i64"); w.u32(11); w.u64(UInt64(bitPattern: -7))
        w.string("f64"); w.u32(12); w.u64(Double(2.25).bitPattern)
        w.string("general.alignment"); w.u32(4); w.u32(32)
        w.string("norm"); w.u32(1); w.u64(4); w.u32(0); w.u64(0)
        w.string("mat"); w.u32(2); w.u64(32); w.u64(2); w.u32(8); w.u64(32)
        w.pad(to: 32)
        for f in [Float(1), 2, 3, 4] { w.u32(f.bitPattern) }
        w.pad(to: 32)
        w.bytes += [UInt8](repeating: 0, count: 68)
        return w.bytes
    }
}

@Suite struct GGUFTests {
    @Test(arguments: [UInt32(2), 3])
    func readsEveryValueType(version: UInt32) throws {
        let file = try GGUFFile(source: ByteSource(copying: GGUFWriter.sample(version: version)))
        #expect(file.version == version)
        #expect(file["u8"] == .uint(200) && file["i8"] == .int(-1) && file["u16"] == .uint(0x1234) && file["i16"] == .int(-2))
        #expect(file["u32"] == .uint(70000) && file["i32"] == .int(-5) && file["f32"] == .float(1.5) && file["bool"] == .bool(true))
        #expect(file["str"] == .string("héllo") && file["arr"] == .array(elementType: 8, [.string("a"), .string("b")]))
        #expect(file["u64"] == .uint(1 << 40) && file["i64"] == .int(-7) && file["f64"] == .float(2.25))
        let norm = try #require(file.tensor("norm")), mat = try #require(file.tensor("mat"))
        #expect(norm.shape == [4] && norm.byteCount == 16 && GGMLType(rawValue: mat.typeID) == .q8_0 && mat.byteCount == 68)
        #expect(file.tensorData(norm).loadUnaligned(fromByteOffset: 4, as: Float.self) == 2)
    }

    @Test func rejectsWrongMagicAndVersion() {
        var bytes = GGUFWriter.sample()
        bytes[0] = 0x00
        #expect(throws: ModelFormatError.self) { try GGUFFile(source: ByteSource(copying: bytes)) }
        bytes = GGUFWriter.sample()
        bytes[4] = 1
        do {
            _ = try GGUFFile(source: ByteSource(copying: bytes))
            Issue.record("version 1 accepted")
        } catch {
            #expect("\(error)".contains("version 1"))
        }
    }

    @Test func absurdCountsAndUnknownTypesAreNamed() {
        var bytes = GGUFWriter.sample()
        // tensor_count at offset 8: absurd.
        for i in 0..<8 { bytes[8 + i] = 0xFF }
        do { _ = try GGUFFile(source: ByteSource(copying: bytes)); Issue.record("accepted") } catch {
            #expect("\(error)".contains("tensor_count"))
        }
        // A tensor of a type Loupe does not implement (Q2_K).
        var w = GGUFWriter()
        w.u32(0x4655_4747); w.u32(3); w.u64(1); w.u64(0)
        w.string("t"); w.u32(1); w.u64(256); w.u32(10); w.u64(0)
        w.pad(to: 32)
        w.bytes += [UInt8](repeating: 0, count: 84)
        do { _ = try GGUFFile(source: ByteSource(copying: w.bytes)); Issue.record("accepted Q2_K") } catch {
            #expect("\(error)".contains("Q2_K") && "\(error)".contains("t"))
        }
    }

    /// The real model header, truncated at every 4 KiB, and with random bytes flipped: always a typed
    /// error or a successful parse, never a crash.
    @Test func malformedRealHeaderNeverCrashes() throws {
        let path = try Fixtures.modelPath("smollm2-135m")
        let full = try GGUFFile(path: path)
        let headerSize = full.dataOffset
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        let header = [UInt8](try handle.read(upToCount: headerSize + 4096) ?? Data())
        try handle.close()
        var failures = 0
        for cut in stride(from: 0, to: headerSize, by: 4096) {
            do {
                _ = try GGUFFile(source: ByteSource(copying: Array(header[0..<cut])))
                Issue.record("truncation at \(cut) parsed")
            } catch is ModelFormatError {
                failures += 1
            }
        }
        #expect(failures == (headerSize + 4095) / 4096)
        var rng = SplitMix(seed: 11)
        for _ in 0..<150 {
            var bytes = header
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                let at = Int(rng.next() % UInt64(headerSize))
                bytes[at] ^= UInt8(truncatingIfNeeded: rng.next() | 1)
            }
            do { _ = try GGUFFile(source: ByteSource(copying: bytes)) } catch is ModelFormatError {}
        }
    }
}
