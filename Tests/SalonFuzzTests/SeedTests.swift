@testable import SalonFuzzTargets
import Testing

/// The seeds reach what they are meant to: a corpus of inputs the targets refuse at once
/// would leave the fuzzer to find the valid paths alone.
struct SeedTests {
    @Test(arguments: ["seed-scram-sha1", "seed-scram-sha256", "seed-scram-sha256-plus"])
    func scramSeedsAuthenticate(seed: String) throws {
        let input = try #require(FuzzCorpus.inputs(of: "sasl", in: "corpus").first { $0.name == seed })
        #expect(SASLFuzz.scram(Array(input.bytes.dropFirst()), mode: input.bytes[0]))
    }

    @Test func aWrongProofDoesNotAuthenticate() throws {
        let input = try #require(FuzzCorpus.inputs(of: "sasl", in: "corpus").first { $0.name == "seed-scram-sha256" })
        var bytes = input.bytes
        // The proof ends the input (",p=<base64>"); change its first character.
        let proofStart = try #require(bytes.lastIndex(of: UInt8(ascii: ","))) + 3
        bytes[proofStart] = bytes[proofStart] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        #expect(!SASLFuzz.scram(Array(bytes.dropFirst()), mode: bytes[0]))
    }

    @Test func c2sSeedsHoldStanzas() {
        for input in FuzzCorpus.inputs(of: "c2s-stream", in: "corpus") {
            #expect(!C2SStreamFuzz.stanzas(in: input.bytes).isEmpty, "\(input.name) holds no complete stanza")
        }
    }
}
