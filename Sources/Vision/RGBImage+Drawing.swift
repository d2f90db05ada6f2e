/// Drawing: rectangle outlines and mask tints, for overlays.
extension RGBImage {
    /// The image with a rectangle outline `thickness` pixels wide drawn inside `box` (clipped).
    public func drawingRectangle(_ box: PixelBox, color: (UInt8, UInt8, UInt8), thickness: Int = 2) -> RGBImage {
        var out = self
        let b = box.clipped(width: width, height: height)
        guard !b.isEmpty else { return out }
        let t = max(1, thickness)
        for y in b.y0..<b.y1 {
            for x in b.x0..<b.x1 where x < b.x0 + t || x >= b.x1 - t || y < b.y0 + t || y >= b.y1 - t {
                out[x, y] = color
            }
        }
        return out
    }

    /// The image with `mask` tinted in `color` at `opacity` (0…1).
    public func tinting(_ mask: Mask, color: (UInt8, UInt8, UInt8), opacity: Double = 0.45) throws -> RGBImage {
        var m = mask
        m.values = mask.values.map { UInt8(Double($0) * opacity) }
        return try blended(with: try RGBImage(width: width, height: height, fill: color), mask: m)
    }
}
