import Foundation
import SalonClient
@testable import SalonServer

/// A scrape of `/metrics`, parsed from the Prometheus text format: each sample by its series,
/// written `name{label="value",…}` with the labels sorted (or the bare name).
struct Scrape {
    let samples: [String: Double]
    /// `# TYPE` of each metric family.
    let types: [String: String]

    init(_ text: String) throws {
        var samples: [String: Double] = [:]
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4 else { throw ClientError("bad TYPE line: \(line)") }
                types[String(parts[2])] = String(parts[3])
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw ClientError("bad sample line: \(line)")
            }
            let series = try Self.series(String(line[..<space]))
            guard samples[series] == nil else { throw ClientError("series twice: \(series)") }
            samples[series] = value
        }
        self.samples = samples
        self.types = types
    }

    /// `name{b="2",a="1"}` → `name{a="1",b="2"}`. Label values here hold no commas or quotes.
    static func series(_ text: String) throws -> String {
        guard let open = text.firstIndex(of: "{") else { return text }
        guard text.hasSuffix("}") else { throw ClientError("bad series: \(text)") }
        let labels = text[text.index(after: open)..<text.index(before: text.endIndex)].split(separator: ",").sorted()
        for label in labels where !label.contains("=\"") { throw ClientError("bad label: \(label)") }
        return "\(text[..<open]){\(labels.joined(separator: ","))}"
    }

    /// The sample of `name` with `labels`, or nil when the scrape has none.
    subscript(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        guard !labels.isEmpty else { return samples[name] }
        let rendered = labels.map { "\($0.key)=\"\($0.value)\"" }.sorted().joined(separator: ",")
        return samples["\(name){\(rendered)}"]
    }

    /// The sum of every series of `name` whose labels include `labels`.
    func sum(_ name: String, where labels: [String: String] = [:]) -> Double {
        samples.filter { series, _ in
            (series == name || series.hasPrefix(name + "{"))
                && labels.allSatisfy { series.contains("\($0.key)=\"\($0.value)\"") }
        }.values.reduce(0, +)
    }
}

extension TestServer {
    func scrape() async throws -> Scrape {
        let answer = try await HTTPTestClient.request(port: ports.http!, "GET", "/metrics")
        guard answer.status == 200 else { throw ClientError("/metrics answered \(answer.status): \(answer.text)") }
        return try Scrape(answer.text)
    }

    /// Scrapes until `condition` holds (an effect the server completes in the background, such
    /// as a closed connection leaving the gauges); fails after `attempts`.
    func scrape(until condition: (Scrape) -> Bool, attempts: Int = 200) async throws -> Scrape {
        for _ in 0..<attempts {
            let scrape = try await scrape()
            if condition(scrape) { return scrape }
            await Task.yield()
        }
        throw ClientError("the metrics never showed what was waited for")
    }
}
