import Foundation
import ToolSchema

/// What the answer checker looks for, read from `skills/answers.json`: the markers of internal text, words of
/// refusal, number words, how much of a long fact an answer must hold, and the fallback sentences.
public struct AnswerRules: Sendable {
    /// Lower-case markers of text meant for the planner or the logs (markup, chat tokens, errors, hints).
    public var internalMarkers: [String]
    /// Words that make an answer negative ("no", "not", "n't").
    public var negative: [String]
    /// Number words and their values ("two" → 2).
    public var numberWords: [String: Int]
    /// Words after which, or before which, "one" is a pronoun ("the one", "one of"), not a count.
    public var oneAfter: Set<String> = [], oneBefore: Set<String> = []
    /// A fact longer than this many characters is matched by its words, not as a whole.
    public var longFactCharacters: Int
    /// Share of a long fact's distinct words an answer must contain.
    public var longFactShare: Double
    /// The answer when a no-tool answer is unusable.
    public var noToolFallback: String
    /// The answer when the plan needs an image and none is attached.
    public var noImage: String
    /// The answer when a skill failed and its answer.md has no `failed` section.
    public var failed: String
    /// Added to an answer that does not name the image the turn made (`{handle}`).
    public var newImage: String
    /// The template for a skill with no answer.md (`{skill}`, `{lines}`).
    public var defaultTemplate: String
    /// Names the library photo an answer came from (`{source}`).
    public var fromSource: String
    /// Finds the lines of read text a question is about (`passage`); nil when answers.json has none.
    public var passages: PassageFinder?

    public init(internalMarkers: [String], negative: [String], numberWords: [String: Int], longFactCharacters: Int = 40, longFactShare: Double = 0.5,
                noToolFallback: String, noImage: String, failed: String, newImage: String, defaultTemplate: String, fromSource: String) {
        self.fromSource = fromSource
        (self.internalMarkers, self.negative, self.numberWords, self.longFactCharacters, self.longFactShare) =
            (internalMarkers.map { $0.lowercased() }, negative.map { $0.lowercased() }, numberWords, longFactCharacters, longFactShare)
        (self.noToolFallback, self.noImage, self.failed, self.newImage, self.defaultTemplate) = (noToolFallback, noImage, failed, newImage, defaultTemplate)
    }

    /// Reads `skills/answers.json`.
    public static func read(_ file: URL) throws -> AnswerRules {
        func fail(_ reason: String) -> AgentError { .prompt(file: file.path, reason: reason) }
        guard let data = FileManager.default.contents(atPath: file.path), data.count <= 1 << 20, let text = String(data: data, encoding: .utf8) else {
            throw fail("missing, unreadable or over 1 MiB (it holds the answer checker's rules; it ships in the repository's skills/)")
        }
        let json: JSONValue
        do { json = try JSONParser.parse(text) } catch { throw fail("not JSON: \(error)") }
        func strings(_ key: String) throws -> [String] {
            guard let list = json[key]?.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else { throw fail("\"\(key)\" must be an array of strings") }
            return list.compactMap(\.stringValue)
        }
        func string(_ key: String) throws -> String {
            guard let s = json[key]?.stringValue, !s.isEmpty else { throw fail("\"\(key)\" must be a non-empty string") }
            return s
        }
        guard let words = json["number_words"]?.objectValue, words.allSatisfy({ $0.value.intValue != nil }) else {
            throw fail("\"number_words\" must map words to integers")
        }
        let long = json["long_fact_characters"]?.intValue ?? 40, share = json["long_fact_share"]?.doubleValue ?? 0.5
        guard long >= 1, share > 0, share <= 1 else { throw fail("long_fact_characters must be ≥ 1 and long_fact_share in (0, 1]") }
        var rules = AnswerRules(internalMarkers: try strings("internal"), negative: try strings("negative"),
                           numberWords: Dictionary(words.map { ($0.key.lowercased(), $0.value.intValue!) }, uniquingKeysWith: { a, _ in a }),
                           longFactCharacters: long, longFactShare: share, noToolFallback: try string("no_tool_fallback"), noImage: try string("no_image"),
                           failed: try string("failed"), newImage: try string("new_image"), defaultTemplate: try string("default_template"),
                           fromSource: try string("from_source"))
        rules.oneAfter = Set(try strings("one_is_a_pronoun_after").map { $0.lowercased() })
        rules.oneBefore = Set(try strings("one_is_a_pronoun_before").map { $0.lowercased() })
        if let passage = json["passage"] {
            func words(_ key: String) throws -> Set<String> {
                guard let list = passage[key]?.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw fail("\"passage\".\"\(key)\" must be an array of strings")
                }
                return Set(list.compactMap(\.stringValue))
            }
            guard let lines = passage["lines"]?.intValue, (1...20).contains(lines),
                  let shortest = passage["minimum_word_length"]?.intValue, (1...20).contains(shortest) else {
                throw fail("\"passage\" needs \"lines\" and \"minimum_word_length\", each 1–20")
            }
            rules.passages = PassageFinder(ignore: try words("ignore"), reading: try words("reading"), narrowing: try words("narrowing"),
                                           lines: lines, minimumWordLength: shortest)
        }
        return rules
    }
}
