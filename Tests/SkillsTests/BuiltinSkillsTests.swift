import Foundation
import ModelStore
import Perception
import SkillKit
import Skills
import TestSupport
import Testing
import ToolSchema
import Vision

/// The built-in skills end to end on real photos with the real networks: portraits and a group photo
/// (face_recognition and insightface test images, in the fixtures), scikit-image's sample photos (a cat,
/// an astronaut, printed text; catalogue entry `sample-images`), the Kodak card (Pillow's test images).
@Suite struct BuiltinSkillsTests {
    static let registry: SkillRegistry = {
        let store = try! ModelStore.standard()
        let models = PerceptionModels { model, file in try store.installedFile(model: model, file: file).path }
        models.cacheDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-skill-tests")
        let library = FileManager.default.temporaryDirectory.appendingPathComponent("loupe-skill-tests-\(UUID().uuidString).sqlite").path
        return SkillRegistry(directories: [Fixtures.skillsFolder],
                             builtins: BuiltinSkills.factories(models: models, finder: finder(models),
                                                               library: { try LibraryIndex(path: library, models: models) })) { _ in true }
    }()

    static func finder(_ models: PerceptionModels) -> ObjectFinder {
        try! ObjectFinder(models: models, settings: FinderSettings.read(FinderSettings.file(in: Fixtures.skillsFolder)))
    }

    static func photo(_ name: String) throws -> RGBImage {
        let path = name.hasPrefix("sample:") ? try Fixtures.modelPath("sample-images", file: String(name.dropFirst(7)))
            : Fixtures.root.appendingPathComponent("vision/images/\(name)").path
        return try ImageDecoder().decode(file: path)
    }

    func call(_ skill: String, _ photo: String, _ args: String) async throws -> (Observation, Artifacts) {
        let artifacts = Artifacts()
        artifacts.setUserImage(try Self.photo(photo))
        var json = try JSONParser.parse(args)
        if case var .object(m) = json, !m.contains(where: { $0.key == "image" }) { m.insert(("image", .string("img0")), at: 0); json = .object(m) }
        return (await Self.registry.call(skill, arguments: json, artifacts: artifacts), artifacts)
    }

    static func boxes(_ o: Observation, label: String) -> [[Double]] {
        (o.data["objects"]?.arrayValue ?? []).filter { $0["label"]?.stringValue?.contains(label) == true }
            .compactMap { $0["box"]?.arrayValue?.compactMap(\.doubleValue) }
    }

    @Test func findsFacesOnPortraitsAndInAGroup() async throws {
        let (portrait, _) = try await call("detect", "portrait_obama.png", #"{"query": "face"}"#)
        let face = try #require(Self.boxes(portrait, label: "face").first, "\(portrait.text())")
        #expect(Self.boxes(portrait, label: "face").count == 1)
        #expect(face[0] < 0.53 && face[2] > 0.53 && face[1] < 0.25 && face[3] > 0.25, "face box \(face)")
        let (group, _) = try await call("detect", "group_t1.png", #"{"query": "face"}"#)
        #expect(Self.boxes(group, label: "face").count >= 5, "\(group.text())")
    }

    @Test func tagsAndDetectsTheCat() async throws {
        let (tags, _) = try await call("tag", "sample:chelsea.png", #"{"top_k": 3}"#)
        #expect(tags.lines.first?.contains("cat") == true, "\(tags.text())")
        let (cat, artifacts) = try await call("detect", "sample:chelsea.png", #"{"query": "cat . dog"}"#)
        #expect(!Self.boxes(cat, label: "cat").isEmpty, "\(cat.text())")
        #expect(Self.boxes(cat, label: "retriever").isEmpty && cat.text().contains("\"dog\" not found"), "\(cat.text())")
        // The overlay is a new image of the same size.
        let overlay = try artifacts.image(try #require(cat.artifacts.first?.handle))
        #expect(overlay.width == 451 && overlay.height == 300)
    }

    @Test func readsWordsThroughWordNet() async throws {
        // A general word finds the cat, tag names the group, and a word no class covers is counted or refused honestly.
        let (animal, _) = try await call("detect", "sample:chelsea.png", #"{"query": "animal"}"#)
        let box = try #require(Self.boxes(animal, label: "cat").first, "\(animal.text())")
        #expect(box[2] - box[0] > 0.2 && box[3] - box[1] > 0.3, "box \(box)")
        #expect(animal.lines.first?.contains("(method: efficientnet-") == true, "\(animal.text())")
        let (tags, _) = try await call("tag", "sample:chelsea.png", "{}")
        #expect(tags.text().contains("(a cat)") && tags.facts["labels"]?.contains("a cat") == true, "\(tags.text())")
        let (coins, _) = try await call("detect", "sample:chelsea.png", #"{"query": "coins"}"#)
        #expect(coins.lines.first?.contains("coins") == true && Self.boxes(coins, label: "coin").isEmpty, "\(coins.text())")
    }

    @Test func readsText() async throws {
        let (card, _) = try await call("ocr", "ocr_kodak_card.png", "{}")
        #expect(card.data["text"]?.stringValue?.contains("Kodak") == true, "\(card.text())")
        let (page, _) = try await call("ocr", "sample:page.png", #"{"region": [0, 0, 1, 0.2]}"#)
        #expect(page.data["text"]?.stringValue?.contains("segmentation") == true, "\(page.text())")
    }

    @Test func blursOnlyTheFace() async throws {
        let (o, artifacts) = try await call("edit", "portrait_obama.png", #"{"operation": "blur", "target": "face"}"#)
        #expect(o.error == nil, "\(o.text())")
        let before = try artifacts.image("img0"), after = try artifacts.image(try #require(o.artifacts.first?.handle))
        #expect(after[10, 440] == before[10, 440], "outside the face unchanged")
        var changed = 0
        for y in 80..<140 { for x in 160..<220 where after[x, y] != before[x, y] { changed += 1 } }
        #expect(changed > 1000, "inside the face \(changed) pixels changed")
    }

    @Test func cutsOutAndReplacesTheBackground() async throws {
        let (seg, segArtifacts) = try await call("segment", "sample:astronaut.png", #"{"query": "person"}"#)
        let mask = try segArtifacts.mask(try #require(seg.artifacts.first { $0.handle.hasPrefix("mask") }?.handle, "\(seg.text())"))
        #expect((0.3...0.8).contains(mask.areaFraction), "\(seg.text())")
        let (o, artifacts) = try await call("edit", "portrait_obama.png", #"{"operation": "replace_background", "value": "blue"}"#)
        let after = try artifacts.image(try #require(o.artifacts.first?.handle, "\(o.text())")), before = try artifacts.image("img0")
        #expect(after[5, 5] == (30, 80, 220), "corner is background")
        #expect(after[182, 110] == before[182, 110], "face kept")
        let (cut, cutArtifacts) = try await call("edit", "portrait_obama.png", #"{"operation": "remove_background"}"#)
        let cutHandle = try #require(cut.artifacts.first?.handle)
        let alpha = try #require(try cutArtifacts.image(cutHandle).alpha)
        #expect(alpha[5] == 0 && alpha[110 * 364 + 182] == 255)
        // "a transparent background" as the new background is no background; a phrase naming one colour is that colour.
        let (clear, clearArtifacts) = try await call("edit", "portrait_obama.png", #"{"operation": "replace_background", "value": "transparent background"}"#)
        let clearHandle = try #require(clear.artifacts.first?.handle, "\(clear.text())")
        let clearAlpha = try #require(try clearArtifacts.image(clearHandle).alpha)
        #expect(clearAlpha[5] == 0 && clear.text().contains("transparent"), "\(clear.text())")
        let (light, lightArtifacts) = try await call("edit", "portrait_obama.png", #"{"operation": "replace_background", "value": "a light blue backdrop"}"#)
        let lightHandle = try #require(light.artifacts.first?.handle, "\(light.text())")
        #expect(try lightArtifacts.image(lightHandle)[5, 5] == (30, 80, 220))
        #expect(light.text().contains("replaced with blue"), "\(light.text())")
        let (two, _) = try await call("edit", "portrait_obama.png", #"{"operation": "replace_background", "value": "red or blue"}"#)
        #expect(two.error?.contains("unknown colour") == true, "two colours are not one")
    }

    @Test func grabCutSegmentsFromABoxAPointAndADetection() async throws {
        // The rocket on its launch pad (scikit-image's rocket.jpg, 640×427): a loose box around it.
        let (box, boxArtifacts) = try await call("segment", "sample:rocket.jpg", #"{"box": [0.42, 0.2, 0.58, 1.0]}"#)
        let rocket = try boxArtifacts.mask(try #require(box.artifacts.first?.handle, "\(box.text())"))
        #expect(box.artifacts.first?.what.contains("GrabCut") == true, "\(box.text())")
        #expect(rocket.areaFraction > 0.01 && rocket.areaFraction < 0.6 * 0.16 * 0.8, "\(box.text())")
        #expect(rocket.values[230 * 640 + 320] == 255, "the rocket's body is in the mask")
        #expect(rocket.values[100 * 640 + 280] == 0, "the sky beside it is not")
        // A point on the cup of espresso.
        let (point, pointArtifacts) = try await call("segment", "sample:coffee.png", #"{"point": [0.5, 0.3]}"#)
        let cup = try pointArtifacts.mask(try #require(point.artifacts.first?.handle, "\(point.text())"))
        #expect(cup.values[Int(0.3 * 400) * 600 + 300] == 255 && cup.areaFraction < 0.5, "\(point.text())")
        // A query for something that is not a person: detected, then cut out inside its box.
        let (cat, catArtifacts) = try await call("segment", "sample:chelsea.png", #"{"query": "cat"}"#)
        let catMask = try catArtifacts.mask(try #require(cat.artifacts.first?.handle, "\(cat.text())"))
        #expect(cat.lines.first?.contains("cat") == true && catMask.areaFraction > 0.1, "\(cat.text())")
    }

    @Test func planningMistakesAreErrorObservations() async throws {
        let (recolor, _) = try await call("edit", "portrait_obama.png", #"{"operation": "recolor", "value": "red"}"#)
        #expect(recolor.error?.contains("needs a target") == true)
        let (colour, _) = try await call("edit", "portrait_obama.png", #"{"operation": "recolor", "target": "face", "value": "blurple"}"#)
        #expect(colour.error?.contains("unknown colour") == true)
        let (nothing, _) = try await call("edit", "sample:coffee.png", #"{"operation": "blur", "target": "face"}"#)
        #expect(nothing.error?.contains("unchanged") == true, "\(nothing.text())")
        let (tiny, _) = try await call("ocr", "portrait_obama.png", #"{"region": [0.5, 0.5, 0.51, 0.51]}"#)
        #expect(tiny.error?.contains("8×8") == true)
        let (inpaint, inpaintArtifacts) = try await call("edit", "portrait_obama.png", #"{"operation": "inpaint", "target_box": [0, 0, 0.15, 0.6]}"#)
        #expect(inpaint.error == nil, "\(inpaint.text())")
        let filledHandle = try #require(inpaint.artifacts.first?.handle)
        let filled = try inpaintArtifacts.image(filledHandle), original = try inpaintArtifacts.image("img0")
        #expect(filled[20, 100] != original[20, 100] && filled[300, 300] == original[300, 300])
        let (crop, cropArtifacts) = try await call("edit", "portrait_obama.png", #"{"operation": "crop", "target_box": [0, 0, 0.5, 0.5]}"#)
        let cropped = try cropArtifacts.image(try #require(crop.artifacts.first?.handle, "\(crop.text())"))
        #expect(cropped.width == 182 && cropped.height == 228)
    }
}
