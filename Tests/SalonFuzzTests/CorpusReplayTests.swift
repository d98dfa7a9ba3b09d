import Foundation
import SalonFuzzTargets
import Testing

/// Every seed-corpus file and every regression input under Fuzz/, through the same entry
/// functions libFuzzer calls, so the corpora keep being exercised by the normal suite. A
/// broken invariant stops the test process (a `preconditionFailure`), which fails the run.
@Suite(.serialized)
struct CorpusReplayTests {
    @Test(arguments: FuzzTarget.all.map(\.name))
    func replaysCorpus(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        let inputs = FuzzCorpus.inputs(of: name, in: "corpus")
        #expect(!inputs.isEmpty, "Fuzz/corpus/\(name) has no seeds")
        await FuzzCorpus.replay(inputs, through: target)
    }

    @Test(arguments: FuzzTarget.all.map(\.name))
    func replaysRegressions(target name: String) async throws {
        let target = try #require(FuzzTarget.named(name))
        await FuzzCorpus.replay(FuzzCorpus.inputs(of: name, in: "regressions"), through: target)
    }

    /// Findings, each replayed by name (their fix: ArchiveSearchTests.fuzzQuoteFollowedByACombiningMark).
    @Test(arguments: ["quote-in-a-grapheme-926907a8", "quote-in-a-grapheme-3b7c6aa6"])
    func fuzzArchiveSearchQuoteInAGrapheme(input: String) async throws {
        try await FuzzCorpus.replay(regression: input, of: "archive-search")
    }

    /// Its fix: XMLStreamParserRecyclingTests.fuzzStreamPrefixBoundTwice.
    @Test func fuzzXMLStreamStreamPrefixBoundTwice() async throws {
        try await FuzzCorpus.replay(regression: "stream-prefix-bound-twice", of: "xml-stream")
    }

    @Test func everyTargetHasADictionary() {
        for target in FuzzTarget.all {
            #expect(FileManager.default.fileExists(atPath: FuzzCorpus.root + "/dict/\(target.name).dict"), "no dictionary for \(target.name)")
        }
    }
}

enum FuzzCorpus {
    /// The repository's Fuzz/ directory.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path

    /// The files of Fuzz/<kind>/<target>/, sorted by name.
    static func inputs(of target: String, in kind: String) -> [(name: String, bytes: [UInt8])] {
        let directory = root + "/\(kind)/\(target)"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).map { (name, Array($0)) }
        }
    }

    /// Runs the inputs on a thread of their own: targets wait for async work with a semaphore,
    /// which must not hold one of the few threads of Swift's cooperative pool.
    static func replay(_ inputs: [(name: String, bytes: [UInt8])], through target: FuzzTarget) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread {
                for input in inputs { target.run(input.bytes) }
                done.resume()
            }.start()
        }
    }

    /// One regression input, by file name, through its target.
    static func replay(regression name: String, of target: String) async throws {
        let fuzzTarget = try #require(FuzzTarget.named(target))
        let input = try #require(inputs(of: target, in: "regressions").first { $0.name == name }, "Fuzz/regressions/\(target)/\(name) is missing")
        await replay([input], through: fuzzTarget)
    }
}
