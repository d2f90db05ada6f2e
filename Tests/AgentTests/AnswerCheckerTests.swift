import Agent
import Foundation
import SkillKit
import TestSupport
import Testing

/// The answer checker with the repository's rules and templates: an answer that shows internal text, states a
/// count or quotes text the observations do not hold, or leaves out the fact its template requires is
/// replaced by the template, which states the facts; a good answer is kept.
@Suite struct AnswerCheckerTests {
    static let checker: AnswerChecker = {
        let rules = try! AnswerRules.read(Fixtures.skillsFolder.appendingPathComponent("answers.json"))
        var templates: [String: AnswerTemplate] = [:]
        for name in ["detect", "ocr", "tag", "segment", "edit", "retrieve"] {
            templates[name] = try! AnswerTemplate.read(folder: Fixtures.skillsFolder.appendingPathComponent(name))
        }
        return AnswerChecker(rules: rules, templates: templates)
    }()

    static let twoPeople = Observation(skill: "detect", image: "img0", lines: ["person: 2 found — left and right", "person 0.93 left [0.05,0.12,0.31,0.98]"],
                                       facts: ["situation": "found", "count": "2", "found": "2 people (left and right)", "label": "person|people", "term": "person"])
    static let sign = Observation(skill: "ocr", image: "img0", lines: ["text: \"OPEN DAILY 9-17 / NO PARKING\"", "1. \"OPEN DAILY 9-17\" 0.97 [0.1,0.1,0.9,0.3]"],
                                  facts: ["situation": "text", "text": "OPEN DAILY 9-17 / NO PARKING", "count": "2"])
    static let noCat = Observation(skill: "detect", image: "img0", lines: ["cat: none found"],
                                   facts: ["situation": "none", "count": "0", "missing": "cat", "term": "cat", "found": "", "label": ""])

    @Test func goodAnswersAreKept() {
        let c = Self.checker
        #expect(!c.check("There are two people, one on each side.", request: "how many people?", observations: [Self.twoPeople]).replaced)
        #expect(!c.check("I found 2 people.", request: "how many people?", observations: [Self.twoPeople]).replaced)
        #expect(!c.check("It says \"OPEN DAILY 9-17\" and \"NO PARKING\".", request: "what does the sign say", observations: [Self.sign]).replaced)
        #expect(!c.check("No, I don't see a cat.", request: "is there a cat?", observations: [Self.noCat]).replaced)
        #expect(!c.check("Hello! What shall we look at?", request: "hi", observations: []).replaced)
        // "the one on the left" is not a count.
        #expect(!c.check("Yes, there are people; the one on the left is closer.", request: "is anyone here?", observations: [Self.twoPeople]).replaced)
    }

    @Test func contradictionsAndInternalTextAreReplaced() {
        let c = Self.checker
        let wrongCount = c.check("There is one person.", request: "how many people?", observations: [Self.twoPeople])
        #expect(wrongCount.problems.contains(.number("1")) && wrongCount.answer == "I found 2 people (left and right).")
        let noCount = c.check("There are people.", request: "how many people are there?", observations: [Self.twoPeople])
        #expect(noCount.problems == [.missing("count")], "\(noCount.problems)")
        let restated = c.check("The sign has text on it.", request: "what does the sign say", observations: [Self.sign])
        #expect(restated.problems == [.missing("text")] && restated.answer == "It says: \"OPEN DAILY 9-17 / NO PARKING\".")
        let misquoted = c.check("It says \"OPEN NIGHTLY\".", request: "what does the sign say", observations: [Self.sign])
        #expect(misquoted.problems.contains(.quote("OPEN NIGHTLY")))
        for leak in ["error: this exact call was already made; hint: answer the user now", "<|im_start|>assistant", "It looks like this exact call was already made; its result is above.",
                     "<observation skill=\"detect\">"] {
            let v = c.check(leak, request: "how many people?", observations: [Self.twoPeople])
            #expect(v.replaced && c.internalText(in: v.answer) == nil, "\(leak) → \(v.answer)")
        }
        let yesCat = c.check("Yes, there is a cat.", request: "is there a cat?", observations: [Self.noCat])
        #expect(yesCat.problems == [.missing("negative")] && yesCat.answer == "No, I could not find any cat in the image.")
        #expect(c.check("", request: "hi", observations: []).answer == c.rules.noToolFallback)
    }

    @Test func failuresAndNewImagesAreStatedWithoutInternals() {
        let c = Self.checker
        let failed = Observation.failure(skill: "edit", error: SkillError.failed(skill: "edit", reason: "nothing to edit: face not found"))
        let v = c.check("error: nothing to edit", request: "blur the faces", observations: [failed])
        #expect(v.replaced && !v.answer.contains("error") && v.answer.hasPrefix("Sorry"), "\(v.answer)")
        var edited = Observation(skill: "edit", image: "img0", lines: ["made grey on the whole image"], artifacts: [("img1", "edited image 40×30")])
        edited.facts = ["situation": "edited", "changed": "made grey on the whole image", "output": "img1"]
        #expect(c.check("Done, it is grey now.", request: "make it grey", observations: [edited]).answer == "Done, it is grey now. The result is img1.")
        #expect(c.templateOnly(observations: [edited]) && c.templateOnly(observations: [failed]))
        #expect(c.namingNewImage(c.templateAnswer(request: "make it grey", observations: [edited]), observations: [edited]) == "Done: made grey on the whole image. The result is img1.")
        #expect(c.check("Done: img1 is grey.", request: "make it grey", observations: [edited]).answer == "Done: img1 is grey.")
    }

    @Test func aQuestionAboutReadTextGetsTheLinesItAsksAbout() throws {
        let finder = try #require(Self.checker.rules.passages)
        let flyer = ["The LinnSequencer / 32 Track MIDI Sequence Recorder", "It is extremely powerful, yet simple to learn and use.",
                     "·Ultra-fast 31/2\"disk drive stores complex songs in seconds and holds over 110,000notes", "Call 708-8131 for a demo"]
        #expect(finder.passage(request: "how many notes does it say fit on one disk?", textLines: flyer)?.contains("110,000") == true)
        #expect(finder.passage(request: "what's the phone number to call?", textLines: flyer) == "Call 708-8131 for a demo")
        // Asking for the text itself (a reading word and nothing narrowing it) is not a question about part of it.
        #expect(finder.passage(request: "What does this flyer say? Read it all to me please", textLines: flyer) == nil)
        #expect(finder.passage(request: "read the text on the pizza box", textLines: ["Mario's PIZZA", "Phone 555-1234"]) == nil)
        // The object's own name (the query of the turn's detect) is printed on it but points at no line.
        let box = ["Mario's PIZZA", "Phone 555-1234", "Open daily 11-23"]
        #expect(finder.passage(request: "what's the phone number on the pizza box?", textLines: box, excluding: ["pizza box"]) == "Phone 555-1234")
        #expect(finder.passage(request: "what does the pizza box say about delivery?", textLines: box, excluding: ["pizza box"]) == nil)
        // Short words match whole words only ("top" is not in "STOP"); a heading brings the line under it.
        #expect(finder.passage(request: "what's at the top?", textLines: ["STOP", "Main St"]) == nil)
        #expect(finder.passage(request: "when is it open on sunday?", textLines: ["Welcome", "Opening hours sunday:", "10-16", "Closed Mondays"]) == "Opening hours sunday: / 10-16")
        #expect(finder.passage(request: "what is the price?", textLines: flyer) == nil, "no line holds the word")
        #expect(finder.passage(request: "how many notes?", textLines: ["110,000 notes"]) == nil, "one line: the whole text")
        // The template quotes the passage.
        var read = Self.sign
        read.facts["situation"] = "passage"
        read.facts["passage"] = "NO PARKING"
        #expect(c(read) == "The lines about that say: \"NO PARKING\".")
        func c(_ o: Observation) -> String { Self.checker.templateAnswer(request: "is parking allowed?", observations: [o]) }
    }

    @Test func anAnswerAboutALibraryPhotoNamesIt() {
        let found = Observation(skill: "retrieve", lines: ["1 images for flyer"], artifacts: [("img1", "result 1: linn_flyer.jpg")],
                                facts: ["situation": "results", "count": "1"])
        var read = Self.sign
        read.image = "img1"
        let c = Self.checker
        #expect(c.check("It says \"OPEN DAILY 9-17\" and \"NO PARKING\".", request: "find the flyer and read it", observations: [found, read]).answer
                == "It says \"OPEN DAILY 9-17\" and \"NO PARKING\". That is from linn_flyer.jpg in your library.")
        #expect(c.namingSource("linn_flyer.jpg says \"NO PARKING\".", observations: [found, read]) == "linn_flyer.jpg says \"NO PARKING\".")
        #expect(c.namingSource("It says \"NO PARKING\".", observations: [Self.sign]) == "It says \"NO PARKING\".", "the user's own image")
    }

    /// A count that found nothing is answered with a number, a yes-or-no question with "No", others plainly.
    @Test func notFoundIsAnsweredInTheRequestsTerms() {
        let c = Self.checker
        let count = c.templateAnswer(request: "Count the cats for me", observations: [Self.noCat])
        #expect(count.contains("0") && count.contains("cat"), "\(count)")
        #expect(c.templateAnswer(request: "how many cats are there?", observations: [Self.noCat]) == count, "a count wins over \"any \" in \"many \"")
        #expect(c.templateAnswer(request: "Is there a cat?", observations: [Self.noCat]).hasPrefix("No,"))
        #expect(c.templateAnswer(request: "where is the cat", observations: [Self.noCat]) == "I could not find any cat in the image.")
    }

    @Test func templatesParseAndFill() throws {
        let t = try AnswerTemplate(text: "notes\n## found\nmust: label\nmust when asked \"how many|count\": count\nI found {found}.\n\n## none\nmust: negative\nNo {term}.",
                                   file: "t.md")
        #expect(t.sections["found"]?.must == ["label"] && t.sections["found"]?.mustWhenAsked.first?.cues == ["how many", "count"])
        #expect(t.sections["found"]?.text == "I found {found}." && t.sections["none"]?.text == "No {term}.")
        #expect(AnswerTemplate.fill("I found {found} ({unknown}).", facts: ["found": "2 dogs"]) == "I found 2 dogs.")
        #expect(throws: AgentError.self) { _ = try AnswerTemplate(text: "## x\nmust when asked how many: count", file: "t.md") }
        #expect(throws: AgentError.self) { _ = try AnswerTemplate(text: "## x\nwhen asked \"how many\":", file: "t.md") }
        #expect(throws: AgentError.self) { _ = try AnswerTemplate(text: "## x\nwhen asked \"\": None.", file: "t.md") }
        // Every shipped template fills from its skill's facts without leftovers.
        for name in ["detect", "ocr", "tag", "segment", "edit", "retrieve"] {
            let template = try #require(try AnswerTemplate.read(folder: Fixtures.skillsFolder.appendingPathComponent(name)), "\(name)")
            #expect(template.sections["failed"] != nil, "\(name) has a failed section")
            for (_, s) in template.sections { #expect(!AnswerTemplate.fill(s.text, facts: [:]).contains("{")) }
        }
    }
}
