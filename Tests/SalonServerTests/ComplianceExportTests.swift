import Foundation
import PersistentChat
import SalonAdmin
import SalonClient
@testable import SalonServer
import SalonStore
import SalonTestSupport
import Testing
import XMPPCore

/// The exporter's output: persistent chat's compliance XML, valid against the schema in the
/// repository (xmllint), with the three time forms agreeing; JSON Lines; one file per room.
@Suite("Compliance export")
struct ComplianceExportTests {
    static let schema = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schemas/salon-compliance.xsd").path

    /// The document's elements carry this namespace once parsed (it has none).
    static let ns = "urn:test:compliance"

    static func parse(_ path: String) throws -> XMLElement {
        var text = try String(contentsOfFile: path, encoding: .utf8)
        if text.hasPrefix("<?xml"), let end = text.firstIndex(of: "\n") { text = String(text[text.index(after: end)...]) }
        return try XMLStreamParser.parseStanza(text, namespace: ns, limits: XMLStreamLimits(maxStanzaBytes: 1 << 24, maxDepth: 16))
    }

    /// Fails unless `path` is valid against the schema.
    static func validate(_ path: String) throws {
        let outcome = try Spawn.run("xmllint", ["--noout", "--schema", schema, path])
        #expect(outcome.succeeded, "\(path): \(outcome.output)")
    }

    /// A recorded conversation: alice joins and posts twice (one with markup to escape), bob joins.
    func record(_ server: TestServer) async throws {
        try await ComplianceRecordingTests().setUp(server)
        let alice = try await server.online("alice")
        try await alice.join("design", as: "Alice")
        for body in ["hello", "a <b> & \"c\""] { alice.say("design", body) }
        for _ in 0..<2 { _ = try await alice.heard(in: "design") }
        let bob = try await server.online("bob")
        try await bob.join("design", as: "Bob", history: ["maxstanzas": "0"])
    }

    @Test("XML valid against the schema; times as since1970, ISO 8601 with 7 digits and .NET ticks; exported once")
    func xml() async throws {
        try await withServer(configure: {
            ComplianceRecordingTests.on(&$0)
            $0.administration.compliance.addUserDetails = true
            $0.administration.compliance.addChatRoomDetails = true
        }) { server async throws in
            try await record(server)
            let root = try await server.online("root")
            let export = try await root.runCommand("compliance-export")
            #expect(export.note?.text == "Exported 7 events in 1 files.")
            let directory = server.directory + "/data/compliance"
            let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            #expect(files == ["salon-compliance-00000001.xml"])
            let path = directory + "/" + files[0]
            try Self.validate(path)
            let document = try Self.parse(path)
            let conversation = try #require(document.child("Conversation", namespace: Self.ns))
            // The setup's directory changes come first (the room's creation in its conversation).
            let messages = Array((conversation.child("Messages", namespace: Self.ns)?.elements ?? []).dropFirst())
            #expect(messages.map { $0[attribute: "type"] ?? "" } == ["JOIN", "CHAT", "CHAT", "JOIN"])
            #expect(messages[2][attribute: "content"] == "a <b> & \"c\"")
            #expect(conversation.child("FirstMessage", namespace: Self.ns)?[attribute: "type"] == "ROOM_CHANGED")
            #expect(document.elements.count == 2, "the room's conversation and the service's")
            let channel = try #require(conversation.child("Channel", namespace: Self.ns))
            #expect(channel[attribute: "uri"] == "xmpp:design@\(chatDomain)")
            #expect(channel[attribute: "name"] == "Design")
            #expect(channel[attribute: "category"] == "Eng")
            let times = messages.compactMap { $0.child("DateTimeUTC", namespace: Self.ns) }
                + ["StartTimeUTC", "EndTimeUTC"].compactMap { conversation.child($0, namespace: Self.ns) }
            #expect(times.count == 6, "four messages, start and end")
            for time in times {
                let millis = try #require(Int64(time[attribute: "since1970"] ?? ""))
                #expect(Int64(time[attribute: "long"] ?? "") == 621_355_968_000_000_000 + millis * 10_000)
                let string = try #require(time[attribute: "string"])
                #expect(string.hasSuffix("0000Z"))
                let parsed = try #require(ISO8601DateFormatter.withFractions.date(from: string.replacingOccurrences(of: "0000Z", with: "Z")))
                #expect(Int64((parsed.timeIntervalSince1970 * 1000).rounded()) == millis)
            }
            let sender = try #require(messages[1].child("Sender", namespace: Self.ns))
            #expect(sender[attribute: "UserName"] == "alice@salon.test")
            #expect(sender[attribute: "internal"] == "true")
            // Exported once: the next run finds nothing.
            #expect(try await root.runCommand("compliance-export").note?.text == "Exported 0 events in 0 files.")
            #expect(try await server.database.compliance.counts().pending == 0)
        }
    }

    @Test("The tick arithmetic at known instants")
    func ticks() {
        #expect(ComplianceTime(milliseconds: 0).ticks == 621_355_968_000_000_000)
        #expect(ComplianceTime(milliseconds: 0).iso8601 == "1970-01-01T00:00:00.0000000Z")
        let time = ComplianceTime(milliseconds: 1_764_935_696_789)
        #expect(time.iso8601 == "2025-12-05T11:54:56.7890000Z")
        #expect(time.ticks == 639_005_324_967_890_000)
    }

    @Test("JSON Lines, and XML one file per room, each valid")
    func adapters() async throws {
        try await withServer(configure: ComplianceRecordingTests.on) { server async throws in
            try await record(server)
            let root = try await server.online("root")
            // A search journals an event of no one room.
            _ = try await root.archive(chatDomain, fields: ["{urn:xmpp:fulltext:0}fulltext": ["hello"]])
            #expect(try await root.runCommand("compliance-set", [["key": ["adapter"], "value": ["jsonl"]]]).succeeded)
            #expect(try await root.runCommand("compliance-export").succeeded)
            let directory = server.directory + "/data/compliance"
            let jsonl = try String(contentsOfFile: directory + "/salon-compliance-00000001.jsonl", encoding: .utf8)
            let lines = jsonl.split(separator: "\n").map { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(lines.map { $0?["type"] as? String } == ["ROOM_CHANGED", "CATEGORY_CHANGED", "ROLE_CHANGED",
                                                             "JOIN", "CHAT", "CHAT", "JOIN", "BACKCHAT", "COMPLIANCE_CHANGED"])
            #expect(lines[4]?["ticks"] as? Int64 == 621_355_968_000_000_000 + (lines[4]?["time"] as? Int64 ?? 0) * 10_000)
            #expect((lines[7]?["payload"] as? [String: Any])?["source"] as? String == "search")

            #expect(try await root.runCommand("compliance-set", [["key": ["adapter"], "value": ["xml"]]]).succeeded)
            #expect(try await root.runCommand("compliance-set", [["key": ["one_chat_room_per_output_file"], "value": ["true"]]]).succeeded)
            let alice = try await server.online("alice", resource: "again")
            try await alice.join("design", as: "Alice")
            #expect(try await root.runCommand("compliance-export").succeeded)
            let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".xml") }.sorted()
            #expect(files == ["salon-compliance-00000002-room-design.xml", "salon-compliance-00000002-service.xml"])
            for file in files { try Self.validate(directory + "/" + file) }
        }
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
