/// Small pieces of English for observations and answers: plurals of labels and lists joined with "and".
public enum EnglishWords {
    /// Nouns whose plural is not made by the regular rules.
    static let irregular: [String: String] = [
        "person": "people", "man": "men", "woman": "women", "child": "children", "mouse": "mice", "foot": "feet",
        "tooth": "teeth", "goose": "geese", "knife": "knives", "leaf": "leaves", "wolf": "wolves", "loaf": "loaves",
        "shelf": "shelves", "sheep": "sheep", "deer": "deer", "fish": "fish", "glasses": "glasses", "scissors": "scissors",
        "text": "text lines", "hand": "hands", "face": "faces",
    ]

    /// `count` and the noun phrase in the right number: "1 face", "2 people", "3 golden retrievers".
    public static func count(_ n: Int, _ noun: String) -> String { "\(n) \(n == 1 ? noun : plural(noun))" }

    /// The plural of a noun phrase (its last word).
    public static func plural(_ noun: String) -> String {
        let words = noun.split(separator: " ").map(String.init)
        guard let last = words.last else { return noun }
        let lower = last.lowercased()
        let made: String
        if let p = irregular[lower] { made = p }
        else if ["s", "x", "z", "ch", "sh"].contains(where: lower.hasSuffix) { made = last + "es" }
        else if lower.hasSuffix("y"), let before = lower.dropLast().last, !"aeiou".contains(before) { made = last.dropLast() + "ies" }
        else { made = last + "s" }
        return (words.dropLast() + [made]).joined(separator: " ")
    }

    /// The indefinite article for a noun phrase: "an" before a vowel letter, else "a" ("an animal", "a dog").
    public static func article(_ noun: String) -> String {
        guard let first = noun.lowercased().first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }

    /// "a", "a and b", "a, b and c" (or another word than "and" before the last).
    public static func list(_ items: [String], last: String = "and") -> String {
        switch items.count {
        case 0: return ""
        case 1: return items[0]
        default: return items.dropLast().joined(separator: ", ") + " \(last) " + items.last!
        }
    }
}
