import Foundation
import Vision

/// The images and masks of one session, addressed by handle: `img0` is the user's image, skills add
/// `img1`, `img2`, … and `mask1`, `mask2`, …. Safe to use from several tasks.
public final class Artifacts: @unchecked Sendable {
    public enum Item: Sendable {
        case image(RGBImage)
        case mask(Mask)

        /// The item as a picture: the image itself, or a mask drawn white on black.
        public var picture: RGBImage {
            switch self {
            case let .image(i): return i
            case let .mask(m): return m.image
            }
        }

        /// "image" or "mask".
        public var kind: String {
            if case .image = self { return "image" } else { return "mask" }
        }
    }

    private let lock = NSLock()
    private var items: [String: Item] = [:]
    private var order: [String] = []
    private var notes: [String: String] = [:]
    private var nextImage = 1, nextMask = 1

    public init() {}

    /// Sets the user's image as `img0` (replacing any earlier one).
    public func setUserImage(_ image: RGBImage) {
        lock.withLock {
            if items["img0"] == nil { order.insert("img0", at: 0) }
            items["img0"] = .image(image)
        }
    }

    /// Stores a new image and returns its handle.
    public func add(image: RGBImage) -> String { store(.image(image)) }

    /// Stores a new mask and returns its handle; `note` says in words what it covers ("the 2 faces found").
    public func add(mask: Mask, note: String? = nil) -> String { store(.mask(mask), note: note) }

    /// What a mask covers, in words, when the skill that made it said so.
    public func note(_ handle: String) -> String? { lock.withLock { notes[handle] } }

    private func store(_ item: Item, note: String? = nil) -> String {
        lock.withLock {
            let h: String
            if case .image = item { h = "img\(nextImage)"; nextImage += 1 } else { h = "mask\(nextMask)"; nextMask += 1 }
            items[h] = item
            order.append(h)
            if let note { notes[h] = note }
            return h
        }
    }

    /// Every handle, in the order made.
    public var handles: [String] { lock.withLock { order } }

    public func item(_ handle: String) -> Item? { lock.withLock { items[handle] } }

    /// The image behind `handle`, or a planner error naming the handles that exist.
    public func image(_ handle: String) throws -> RGBImage {
        switch item(handle) {
        case let .image(i)?: return i
        case .mask?: throw SkillError.wrongHandleKind(handle, expected: "an image handle (img…)")
        case nil: throw SkillError.unknownHandle(handle, known: handles)
        }
    }

    /// The mask behind `handle`, or a planner error.
    public func mask(_ handle: String) throws -> Mask {
        switch item(handle) {
        case let .mask(m)?: return m
        case .image?: throw SkillError.wrongHandleKind(handle, expected: "a mask handle (mask…)")
        case nil: throw SkillError.unknownHandle(handle, known: handles)
        }
    }
}
