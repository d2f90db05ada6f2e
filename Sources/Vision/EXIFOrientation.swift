/// The EXIF orientation tag (0x0112): how the stored pixels must be turned to display upright.
public enum EXIFOrientation: Int, Sendable, Equatable, CaseIterable {
    case up = 1, upMirrored = 2, down = 3, downMirrored = 4
    case leftMirrored = 5, right = 6, rightMirrored = 7, left = 8

    /// True when the upright image has width and height swapped.
    public var swapsDimensions: Bool { rawValue >= 5 }

    /// Reads the orientation from a JPEG's APP1 "Exif" segment; `.up` when absent or unreadable.
    /// Every length and offset is bounds-checked: a damaged EXIF block is ignored, never trusted.
    public init(jpeg bytes: [UInt8]) {
        self = EXIFOrientation.parse(bytes) ?? .up
    }

    private static func parse(_ b: [UInt8]) -> EXIFOrientation? {
        guard b.count >= 4, b[0] == 0xFF, b[1] == 0xD8 else { return nil }
        var pos = 2
        while pos + 4 <= b.count {
            guard b[pos] == 0xFF else { return nil }
            let marker = b[pos + 1]
            if marker == 0xFF { pos += 1; continue }                     // fill byte
            if marker == 0xD9 || marker == 0xDA { return nil }           // EOI / start of scan
            if (0xD0...0xD7).contains(marker) || marker == 0x01 { pos += 2; continue }
            let length = Int(b[pos + 2]) << 8 | Int(b[pos + 3])
            guard length >= 2, pos + 2 + length <= b.count else { return nil }
            let start = pos + 4, end = pos + 2 + length
            if marker == 0xE1, end - start >= 6, Array(b[start..<(start + 6)]) == [0x45, 0x78, 0x69, 0x66, 0, 0] {
                return tiffOrientation(Array(b[(start + 6)..<end]))
            }
            pos = end
        }
        return nil
    }

    private static func tiffOrientation(_ t: [UInt8]) -> EXIFOrientation? {
        guard t.count >= 8 else { return nil }
        let little: Bool
        switch (t[0], t[1]) {
        case (0x49, 0x49): little = true
        case (0x4D, 0x4D): little = false
        default: return nil
        }
        func u16(_ o: Int) -> Int? {
            guard o >= 0, o + 2 <= t.count else { return nil }
            return little ? Int(t[o]) | Int(t[o + 1]) << 8 : Int(t[o]) << 8 | Int(t[o + 1])
        }
        func u32(_ o: Int) -> Int? {
            guard let a = u16(o), let b = u16(o + 2) else { return nil }
            return little ? a | b << 16 : a << 16 | b
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for i in 0..<count {
            let entry = ifd + 2 + 12 * i
            guard let tag = u16(entry) else { return nil }
            if tag == 0x0112 {
                guard let type = u16(entry + 2), type == 3, let value = u16(entry + 8) else { return nil }
                return EXIFOrientation(rawValue: value)
            }
        }
        return nil
    }
}
