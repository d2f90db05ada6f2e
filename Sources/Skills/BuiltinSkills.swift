import SkillKit

/// The built-in skill implementations by the name a manifest gives in `{"builtin": NAME}`, sharing one set
/// of loaded networks.
public enum BuiltinSkills {
    /// `library` opens the retrieval index (on first use); `finder` holds detect's settings (`skills/detect/finder.json`).
    public static func factories(models: PerceptionModels, finder: ObjectFinder, library: @escaping @Sendable () throws -> LibraryIndex) -> [String: SkillRegistry.Factory] {
        return [
            "retrieve": { RetrieveSkill(manifest: $0, library: library) },
            "ocr": { OCRSkill(manifest: $0, models: models) },
            "tag": { TagSkill(manifest: $0, models: models, finder: finder) },
            "detect": { DetectSkill(manifest: $0, finder: finder) },
            "segment": { SegmentSkill(manifest: $0, finder: finder) },
            "edit": { EditSkill(manifest: $0, finder: finder, models: models) },
        ]
    }
}
