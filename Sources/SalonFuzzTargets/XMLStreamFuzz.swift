import XMPPCore

/// The expat stream parser and tree builder. The first byte seeds the chunking and the
/// recycling threshold; the rest is a client's stream. The parser swaps expat for a fresh one
/// between stanzas (`XMLStreamParser.recycleThreshold`); here it does so after a few bytes, so
/// small inputs cross many swaps. The same bytes must give the same events and the same error
/// with or without swaps, and the same events and verdict however TCP splits them (a parser
/// reset in between must forget everything); every stanza must survive serialisation and
/// parsing unchanged.
enum XMLStreamFuzz {
    /// Small limits, so inputs the fuzzer can reach also cross them.
    static let limits = XMLStreamLimits(maxStanzaBytes: 2_048, maxDepth: 6, maxHeaderBytes: 512, maxAttributes: 12)

    struct Outcome {
        var events: [XMLStreamEvent] = []
        var error: StreamErrorCondition?
        var finishError: StreamErrorCondition?

        /// How the stream ended: the first error, while feeding or at the end.
        var verdict: StreamErrorCondition? { error ?? finishError }
    }

    static func run(_ data: [UInt8]) {
        var input = FuzzBytes(data)
        let seed = input.byte()
        let bytes = input.rest
        let threshold = recycleThreshold(seed: seed)
        let reference = parse(bytes, chunks: [bytes.count], with: XMLStreamParser(limits: limits, recycleThreshold: .max))
        let parser = XMLStreamParser(limits: limits, recycleThreshold: threshold)
        let whole = parse(bytes, chunks: [bytes.count], with: parser)
        // A swap is invisible: the same input in one piece gives the same events and the same
        // error (limits count the stream's bytes, not the current expat's).
        fuzzCheck(whole.events == reference.events, "events change when expat is swapped after \(threshold) bytes")
        fuzzCheck(whole.verdict == reference.verdict,
                  "the error changes when expat is swapped after \(threshold) bytes: \(describe(reference.verdict)) vs \(describe(whole.verdict))")
        parser.reset()
        let chunked = parse(bytes, chunks: chunkSizes(seed: seed, total: bytes.count), with: parser)
        fuzzCheck(whole.events == chunked.events, "events depend on chunking")
        // Whether the stream is refused must not depend on chunking. Not when, nor which
        // condition: expat may hold back a partial token until the end (finish), and where a
        // chunk cuts a run of text decides which of two overlapping faults is seen first
        // (text outside a stanza that is also not well-formed: bad-format or not-well-formed).
        fuzzCheck((whole.verdict == nil) == (chunked.verdict == nil),
                  "verdict depends on chunking: \(describe(whole.verdict)) vs \(describe(chunked.verdict))")
        checkRoundTrip(whole.events)
    }

    /// Swaps after 0…127 bytes: 0 swaps at every stanza's end.
    static func recycleThreshold(seed: UInt8) -> Int {
        Int(seed >> 1)
    }

    static func describe(_ verdict: StreamErrorCondition?) -> String {
        verdict.map { "\($0)" } ?? "accepted"
    }

    static func parse(_ bytes: [UInt8], chunks: [Int], with parser: XMLStreamParser) -> Outcome {
        var outcome = Outcome()
        var offset = 0
        for size in chunks where offset < bytes.count {
            let end = min(bytes.count, offset + size)
            var thrown: XMLStreamError?
            bytes[offset..<end].withUnsafeBytes { buffer in
                do throws(XMLStreamError) {
                    try parser.feed(buffer, into: &outcome.events)
                } catch {
                    thrown = error
                }
            }
            if let thrown {
                outcome.error = thrown.condition
                return outcome
            }
            offset = end
        }
        do throws(XMLStreamError) {
            try parser.finish()
        } catch {
            outcome.finishError = error.condition
        }
        return outcome
    }

    /// Chunk sizes covering `total`: all ones for seed 0, otherwise random sizes up to a
    /// seed-chosen bound.
    static func chunkSizes(seed: UInt8, total: Int) -> [Int] {
        guard seed != 0 else { return Array(repeating: 1, count: total) }
        var random = FuzzRandom(seed: seed)
        let bound = Int(seed % 64) + 1
        var sizes: [Int] = []
        var covered = 0
        while covered < total {
            let size = random.next(upTo: bound) + 1
            sizes.append(size)
            covered += size
        }
        return sizes
    }

    /// Each stanza serialised in its stream's namespace parses back to an equal element.
    static func checkRoundTrip(_ events: [XMLStreamEvent]) {
        var namespace = ""
        for event in events {
            switch event {
            case .streamOpened(let header):
                namespace = header.contentNamespace
            case .stanza(let element):
                let text = element.serialized(parentNamespace: namespace)
                let parsed: XMLElement
                do throws(XMLStreamError) {
                    parsed = try XMLStreamParser.parseStanza(text, namespace: namespace)
                } catch {
                    fatalError("a parsed stanza did not parse again (\(error.condition)): \(text)")
                }
                fuzzCheck(parsed == element, "stanza changed through serialisation: \(text)")
            case .streamClosed:
                break
            }
        }
    }
}
