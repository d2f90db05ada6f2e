/// Where a box lies in the image, in words, so an answer can say it ("top left", "centre", "bottom"): the
/// box's centre in a 3 × 3 grid of the image. A box spanning most of the image is "the whole image".
public enum BoxPlace {
    static let grid = [["top left", "top", "top right"], ["left", "centre", "right"], ["bottom left", "bottom", "bottom right"]]

    /// The place of `box` `[x0, y0, x1, y1]` (normalised 0…1).
    public static func words(_ box: [Double]) -> String {
        guard box.count == 4 else { return "" }
        if box[2] - box[0] > 0.85, box[3] - box[1] > 0.85 { return "the whole image" }
        func third(_ v: Double) -> Int { v < 1.0 / 3 ? 0 : v > 2.0 / 3 ? 2 : 1 }
        return grid[third((box[1] + box[3]) / 2)][third((box[0] + box[2]) / 2)]
    }
}
