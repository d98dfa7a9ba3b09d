/// One fuzz target: a name for `Scripts/fuzz`, what it checks, and the function libFuzzer
/// (the Fuzz/ package) and the corpus replay test (SalonFuzzTests) feed bytes to. A target
/// returns normally for every input; a broken invariant stops the process (`fuzzCheck`), which
/// libFuzzer reports as a crash.
public struct FuzzTarget: Sendable {
    public let name: String
    public let checks: String
    public let run: @Sendable ([UInt8]) -> Void

    public init(name: String, checks: String, run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.checks = checks
        self.run = run
    }

    public static let all: [FuzzTarget] = [
        FuzzTarget(name: "xml-stream",
                   checks: "expat parser and tree builder, expat swapped after a few bytes: the same events and error as without swaps, the same events and verdict whatever the chunking; every stanza serialises and parses back equal",
                   run: XMLStreamFuzz.run),
        FuzzTarget(name: "jid",
                   checks: "JID parse and normalise: normal form is a fixed point, parts rebuild the same JID, bare/with(resource:) agree",
                   run: JIDFuzz.run),
        FuzzTarget(name: "sasl",
                   checks: "server-side PLAIN and SCRAM client-first/client-final: no crash, only the right password authenticates, PLAIN round-trips",
                   run: SASLFuzz.run),
        FuzzTarget(name: "forms-rsm",
                   checks: "XEP-0004 forms and XEP-0059 sets read from XML, and a MAM query read from both: normalised forms are a fixed point, bounds hold",
                   run: FormsFuzz.run),
        FuzzTarget(name: "archive-search",
                   checks: "MAM/search filters and FTS5 text against a real SQLite archive: only ArchiveError refusals, never an SQL error; results obey the filter",
                   run: ArchiveSearchFuzz.run),
        FuzzTarget(name: "c2s-stream",
                   checks: "stanzas from an authenticated client to an in-process server (rooms, ad-hoc, MAM): no crash, the server answers a ping after them",
                   run: C2SStreamFuzz.run),
    ]

    public static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}
