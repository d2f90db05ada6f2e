import Foundation

/// The lines of read text that a question is about ("how many notes fit on one disk" → the line that says
/// "…holds over 110,000 notes"), so an answer quotes them instead of the text's first lines.
///
/// A request asks about part of the text when it has no reading word ("say", "read", "written", …:
/// `answers.json` `passage.reading`), or has one together with a word that narrows it ("how", "which",
/// "about", …: `passage.narrowing`); "what does the warning sign say" asks for all of it. Its words that say
/// nothing about which line are left out: asking and reading words and the things text is read from
/// (`passage.ignore`), and the words of the turn's earlier calls (detect's or retrieve's `query`: the object's
/// own name is often printed on it). Each other word (lower case, a plural's final "s" dropped) is looked for
/// in each line — as a whole word, or inside the line with its spaces removed when it has 5 letters or more
/// (OCR often joins words) — weighted by how few lines hold it; a word that half the lines or more hold tells
/// nothing. The best lines (`passage.lines` at most, each scoring at least half the best; a line ending in ":"
/// brings the next) are the passage, in reading order. Otherwise there is none (the whole text is the answer).
public struct PassageFinder: Sendable {
    /// Words that do not point at a line (lower case).
    public var ignore: Set<String>
    /// Words that ask for the text itself.
    public var reading: Set<String>
    /// Words that, beside a reading word, still ask about part of the text.
    public var narrowing: Set<String>
    /// Lines in a passage at most.
    public var lines: Int
    /// Words shorter than this are not looked for.
    public var minimumWordLength: Int
    /// Words of the request looked for at most.
    public static let maximumCues = 30
    /// Cues this long or longer are also looked for inside words (OCR joins words).
    public static let joinedCueLength = 5

    /// A finder with these word lists (lower-cased) and limits.
    public init(ignore: Set<String>, reading: Set<String>, narrowing: Set<String>, lines: Int = 2, minimumWordLength: Int = 3) {
        (self.ignore, self.reading, self.narrowing) = (Set(ignore.map { $0.lowercased() }), Set(reading.map { $0.lowercased() }), Set(narrowing.map { $0.lowercased() }))
        (self.lines, self.minimumWordLength) = (max(1, lines), max(1, minimumWordLength))
    }

    /// `text` in lower-case words, apostrophes dropped ("can't" → "cant", "Mario's" → "marios").
    static func words(_ text: String) -> [String] {
        text.lowercased().split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "'" || $0 == "’") })
            .map { String($0.filter { $0 != "'" && $0 != "’" }) }.filter { !$0.isEmpty }
    }

    static func stem(_ word: String) -> String {
        word.count > 3 && word.hasSuffix("s") && !word.hasSuffix("ss") ? String(word.dropLast()) : word
    }

    /// Whether `request` asks about part of the text rather than for all of it.
    public func asksAboutPart(_ request: String) -> Bool {
        let words = Set(Self.words(request))
        return words.isDisjoint(with: reading) || !words.isDisjoint(with: narrowing)
    }

    /// The words of `request` looked for in the lines (none of `excluding`'s words).
    public func cues(_ request: String, excluding: [String] = []) -> [String] {
        let excluded = Set(excluding.flatMap { Self.words($0).map(Self.stem) })
        var seen = Set<String>(), out: [String] = []
        for raw in Self.words(request) where out.count < Self.maximumCues {
            var word = raw
            if word.hasSuffix("s"), ignore.contains(String(word.dropLast())) { word.removeLast() }
            guard word.count >= minimumWordLength, !ignore.contains(word) else { continue }
            word = Self.stem(word)
            guard !ignore.contains(word), !excluded.contains(word), seen.insert(word).inserted else { continue }
            out.append(word)
        }
        return out
    }

    /// The passage of `textLines` (in reading order) that `request` asks about, lines joined by " / ", or nil.
    /// `excluding`: texts whose words are not looked for (the turn's earlier queries).
    public func passage(request: String, textLines: [String], excluding: [String] = []) -> String? {
        guard textLines.count >= 2, asksAboutPart(request) else { return nil }
        let cues = cues(request, excluding: excluding)
        guard !cues.isEmpty else { return nil }
        let lineWords = textLines.map { Set(Self.words($0).map(Self.stem)) }
        let squashed = textLines.map { String($0.lowercased().filter { $0.isLetter || $0.isNumber }) }
        var scores = [Double](repeating: 0, count: textLines.count)
        for cue in cues {
            let holders = textLines.indices.filter { lineWords[$0].contains(cue) || (cue.count >= Self.joinedCueLength && squashed[$0].contains(cue)) }
            guard !holders.isEmpty, textLines.count < 4 || 2 * holders.count < textLines.count else { continue }
            let weight = log(1 + Double(textLines.count) / Double(holders.count)) * Double(min(cue.count, 8))
            for i in holders { scores[i] += weight }
        }
        guard let best = scores.max(), best > 0 else { return nil }
        var chosen = Set(scores.indices.filter { scores[$0] >= best / 2 }.sorted { scores[$0] > scores[$1] }.prefix(lines))
        for i in chosen where textLines[i].trimmingCharacters(in: .whitespaces).hasSuffix(":") && i + 1 < textLines.count { chosen.insert(i + 1) }
        return chosen.sorted().map { textLines[$0] }.joined(separator: " / ")
    }
}
