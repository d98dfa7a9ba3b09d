import Foundation
import PersistentChat
@testable import SalonAdmin
import SalonSecurity
import SalonStore
import SalonTestSupport
import ZIPFoundation

/// A service in a temporary data directory, for export and import tests, on SQLite (its file in
/// the directory) or on a schema of its own in the test cluster. A PostgreSQL service's pool is
/// small and never closed: the cluster is the run's own, and idle connections are let go.
struct TransferService {
    static let domain = "example.com"
    let directory: String
    let database: any StoreBackend

    static func make() throws -> TransferService {
        let directory = try makeDirectory()
        return TransferService(directory: directory, database: try SalonDatabase(directory: directory))
    }

    static func make(_ backend: TestBackend) async throws -> TransferService {
        guard backend == .postgresql else { return try make() }
        var configuration = try await TestCluster.schema(TestCluster.scratchName())
        configuration.maximumConnections = 2
        return TransferService(directory: try makeDirectory(), database: try await PostgresBackend.open(configuration))
    }

    private static func makeDirectory() throws -> String {
        try ScratchDirectory.make("salon-transfer")
    }

    var accounts: AccountService { AccountService(database: database, domain: Self.domain) }
    var exporter: ServiceExporter { ServiceExporter(database: database, domain: Self.domain, dataDirectory: directory) }
    func importer(_ limits: ImportLimits = ImportLimits()) -> ServiceImporter {
        ServiceImporter(database: database, domain: Self.domain, dataDirectory: directory, limits: limits)
    }

    func export(_ options: ExportOptions = ExportOptions()) async throws -> String {
        let path = ScratchDirectory.path("export", suffix: ".zip")
        _ = try await exporter.export(to: path, options: options)
        return path
    }

    /// Two categories (one with files), a group, an administrator, a policy override, changed
    /// settings, an add-in, three rooms with roles, two accounts with a roster, messages in two
    /// rooms, a 1:1 message in both accounts' archives, and one posted file with its bytes.
    func populate() async throws {
        _ = try await accounts.add("alice", password: "alice-pw")
        _ = try await accounts.add("bob", password: "bob-pw")
        _ = try await database.rosters.upsert(owner: "alice@example.com",
                                              item: RosterItem(jid: "bob@example.com", name: "Bob", subscription: "both", groups: ["Friends"]))
        _ = try await ChatAdministration(database: database).perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
            try directory.createGroup("staff", by: .system)
            try directory.addToGroup("staff", users: ["alice@example.com"], by: .system)
            try directory.createCategory(Category(name: "General", allowed: [.domain("example.com")], fileUpload: true), by: .system)
            try directory.createCategory(Category(name: "Secret", description: "need to know", allowed: [.group("staff")]), by: .system)
            try directory.addAdministrator("alice@example.com", by: .system)
            try directory.setPolicy(user: "bob@example.com", enabled: false, by: .system)
            try directory.updateSettings(by: .system) { $0.defaultChatHistory = 12 }
            try directory.createAddIn(AddIn(name: "Wiki", url: "https://wiki.example.com"), by: .system)
            _ = try directory.createRoom(Room(localpart: "lobby", name: "Lobby", category: "General", privacy: .open,
                                              managers: [.user("alice@example.com")], subject: "Welcome"), by: .system)
            _ = try directory.createRoom(Room(localpart: "plans", name: "Plans", category: "Secret", addIn: "Wiki",
                                              members: [.group("staff")], managers: [.user("alice@example.com")]), by: .system)
            _ = try directory.createRoom(Room(localpart: "quiet", name: "Quiet", category: "General"), by: .system)
        }
        let writer = database.archiveWriter(commitObserver: nil)
        for (room, count) in [("lobby", 3), ("plans", 2)] {
            for index in 0..<count {
                let body = "\(room) message \(index) <&>"
                _ = try await writer.append(StoredMessage(
                    room: room, stanzaID: "\(room)-\(index)", senderJID: "alice@example.com", nick: "Alice", occupantID: "occ-a",
                    timestamp: Date(timeIntervalSince1970: 1_780_000_000 + Double(index) * 60), body: body,
                    stanza: "<message type='groupchat'><body>\(body.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;"))</body></message>"))
            }
        }
        let sent = Date(timeIntervalSince1970: 1_780_000_200)
        let chat = "<message type='chat' to='bob@example.com' from='alice@example.com/phone'><body>hi Bob</body></message>"
        _ = try await writer.append(personal: [
            PersonalMessage(owner: "alice@example.com", stanzaID: "pm-alice-1", with: "bob@example.com", outgoing: true,
                            timestamp: sent, body: "hi Bob", stanza: chat),
            PersonalMessage(owner: "bob@example.com", stanzaID: "pm-bob-1", with: "alice@example.com/phone", outgoing: false,
                            timestamp: sent, body: "hi Bob", stanza: chat),
        ])
        await writer.close()
        try await addFile(id: "f1le0000000000000000000000000001", bytes: Array("a picture".utf8), room: "lobby", stanzaID: "lobby-2")
    }

    func messageCount(room: String) async throws -> Int {
        try await database.transfer.export { snapshot in
            var count = 0
            try await snapshot.forEachRoomMessage(rooms: [room], since: nil) { _ in count += 1 }
            return count
        }
    }

    func addFile(id: String, bytes: [UInt8], room: String, stanzaID: String) async throws {
        let created = Date(timeIntervalSince1970: 1_780_000_100)
        _ = try await database.files.reserve(FileRecord(id: id, uploader: "alice@example.com", name: "cat.png", size: Int64(bytes.count),
                                                        contentType: "image/png", created: created, expires: created.addingTimeInterval(3600)),
                                             dailyQuota: 1 << 30, storageCap: 1 << 40)
        try FileManager.default.createDirectory(atPath: directory + "/files", withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: directory + "/files/" + id))
        _ = try await database.files.complete(id: id, sha256: Hex.encode(Crypto.hash(.sha256, bytes)), at: created)
        try await database.files.claim([id], room: room, stanzaID: stanzaID, at: created)
    }

    /// Everything an export says, in comparable form: documents decoded, lines as sets, and
    /// the manifest without its time.
    static func contents(of path: String) throws -> [String: AnyHashable] {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        var result: [String: AnyHashable] = [:]
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry) { data.append($0) }
            switch entry.path {
            case ExportFormat.manifest:
                var manifest = try JSONDecoder().decode(ExportManifest.self, from: data)
                manifest.created = ""
                result[entry.path] = manifest
            case ExportFormat.principals: result[entry.path] = try JSONDecoder().decode(PrincipalsDocument.self, from: data)
            case ExportFormat.categories: result[entry.path] = try JSONDecoder().decode(CategoriesDocument.self, from: data)
            case ExportFormat.rooms: result[entry.path] = try JSONDecoder().decode(RoomsDocument.self, from: data)
            case ExportFormat.users:
                result[entry.path] = Set(try XEP0227.accounts(in: String(decoding: data, as: UTF8.self), maxBytes: 1 << 20) { _ in [] })
            default:
                result[entry.path] = Set(String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init))
            }
        }
        return result
    }
}

/// Writes a ZIP with the given members (path, bytes), for hostile-input tests.
func writeZIP(_ members: [(String, Data)], compressed: Bool = false) throws -> String {
    let path = ScratchDirectory.path("hostile", suffix: ".zip")
    let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
    for (name, data) in members {
        try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count),
                             compressionMethod: compressed ? .deflate : .none) { position, size in
            data.subdata(in: Int(position)..<Int(position) + size)
        }
    }
    return path
}

/// A manifest naming `members` with their true sizes and hashes.
func manifest(for members: [(String, Data)]) throws -> Data {
    try JSONEncoder().encode(ExportManifest(
        format: ExportFormat.name, version: ExportFormat.version, server: TransferService.domain, created: "2026-01-01T00:00:00.000Z",
        levels: [.principals], categories: [], since: nil,
        members: members.map { .init(path: $0.0, bytes: Int64($0.1.count), sha256: Hex.encode(Crypto.hash(.sha256, Array($0.1))), records: nil) }))
}
