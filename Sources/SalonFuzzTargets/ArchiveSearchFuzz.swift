import Foundation
import SalonServer
import SalonStore
import XMPPCore

/// Archive filters and full-text search against a real SQLite archive (a temporary database
/// holding bodies full of FTS5 syntax). The first byte picks the mode: bit 0 set, the rest is
/// a MAM `<query/>` read as the server reads it; clear, the rest is the search text itself,
/// with the match mode and case sensitivity from the other bits. A refusal must be an
/// `ArchiveError` (a bad-request for the client); an SQL error means client text reached
/// SQLite as syntax. A page obeys its size, its rooms and a case-sensitive filter.
enum ArchiveSearchFuzz {
    static let rooms = ["lobby", "design"]
    static let bodies = [
        "Café au lait", "hello world", "NEAR(hello world, 2)", "\"quoted\" text", "prefix* star", "^caret start",
        "body: column filter", "lobby OR design AND NOT this", "日本語のテキスト", "emoji 🎉 party", "a - b + c",
        "{body sender}: set filter", "x", "HELLO WORLD", "naïve façade", "1234 5678", "hello", "world hello",
    ]

    static let database: SalonDatabase = {
        let result = blocking { () async throws -> SalonDatabase in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("salon-fuzz-archive-\(getpid())").path
            try? FileManager.default.removeItem(atPath: directory)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let database = try SalonDatabase(directory: directory)
            let writer = SQLiteArchiveWriter(database: database)
            for (index, body) in bodies.enumerated() {
                let room = rooms[index % rooms.count]
                var message = XMLElement("message", namespace: "jabber:client", attributes: ["type": "groupchat"])
                message.append(XMLElement("body", namespace: "jabber:client", children: [.text(body)]))
                _ = try await writer.append(StoredMessage(
                    room: room, stanzaID: "id-\(index)", senderJID: index % 3 == 0 ? "alice@fuzz.test" : "bob@fuzz.test",
                    nick: "n\(index)", occupantID: "o\(index)", timestamp: Date(timeIntervalSince1970: 1_700_000_000 + Double(index)),
                    body: body, stanza: message.serialized(parentNamespace: "jabber:client")))
            }
            await writer.close()
            return database
        }
        switch result {
        case .success(let database): return database
        case .failure(let error): fatalError("the fuzz archive could not be made: \(error)")
        }
    }()

    static func run(_ data: [UInt8]) {
        var input = FuzzBytes(data)
        let mode = input.byte()
        let query: ArchiveQuery
        if mode & 0x01 != 0 {
            let text = String(decoding: input.rest, as: UTF8.self)
            guard let element = try? XMLStreamParser.parseStanza(text, namespace: "jabber:client"),
                  let read = try? MAMQueryReader.archiveQuery(element, rooms: rooms, searchFields: true) else { return }
            query = read
        } else {
            var direct = ArchiveQuery(rooms: rooms)
            direct.text = TextFilter(String(decoding: input.rest, as: UTF8.self),
                                     match: TextMatch.allCases[Int(mode >> 1) % TextMatch.allCases.count],
                                     caseSensitive: mode & 0x08 != 0)
            direct.max = Int(mode >> 4)
            direct.flip = mode & 0x40 != 0
            query = direct
        }
        let outcome = blocking { try await database.archive.query(query) }
        switch outcome {
        case .failure(let error):
            fuzzCheck(error is ArchiveError, "the archive failed with \(type(of: error)): \(error)")
        case .success(let page):
            fuzzCheck(page.messages.count <= max(query.max, 0), "a page longer than asked")
            fuzzCheck(page.messages.allSatisfy { query.rooms.contains($0.room) }, "a message from another room")
            if let filter = query.text, filter.caseSensitive, filter.match == .all, !page.messages.isEmpty {
                let terms = filter.text.split(whereSeparator: \.isWhitespace).map(String.init)
                    .filter { $0.unicodeScalars.contains { $0.properties.isAlphabetic || $0.properties.numericType != nil } }
                for message in page.messages {
                    fuzzCheck(terms.allSatisfy { containsBytes(message.body, $0) }, "case-sensitive match without the text: \(message.body)")
                }
            }
        }
    }

    /// Bytewise containment, as SQLite's `instr` sees it (String.contains compares graphemes).
    static func containsBytes(_ text: String, _ part: String) -> Bool {
        let haystack = Array(text.utf8), needle = Array(part.utf8)
        guard needle.count <= haystack.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
