import Foundation
@testable import SalonAdmin
import SalonStore
import SalonTestSupport
import Testing

@Suite("Import of hostile or broken archives")
struct HostileImportTests {
    private let principals = Data(#"{"administrators":[],"groups":{},"policy":{"enabled":true,"overrides":{}},"serverAdministrators":[]}"#.utf8)

    /// Imports `path` into a fresh service and returns the error's text; the service is left empty.
    private func refusal(_ path: String, limits: ImportLimits = ImportLimits()) async throws -> String {
        let service = try TransferService.make()
        do {
            let report = try await service.importer(limits).importFile(at: path, dryRun: false)
            Issue.record("imported: \(report)")
            return ""
        } catch let error as ImportError {
            #expect(try await service.database.chat.loadDirectory().groups.isEmpty)
            return error.description
        }
    }

    @Test("A member named outside the format (path traversal) is refused by name")
    func pathTraversal() async throws {
        let members = [("principals.json", principals)]
        for name in ["../../etc/passwd", "/etc/passwd", "files/../../x", "files/a/b", "notes.txt"] {
            let path = try writeZIP([("manifest.json", try manifest(for: members))] + members + [(name, Data("x".utf8))])
            let text = try await refusal(path)
            #expect(text.contains("unexpected member '\(name)'"), "\(name): \(text)")
        }
    }

    @Test("A member that expands too much is refused before it is read (zip bomb)")
    func zipBomb() async throws {
        let bomb = Data(repeating: UInt8(ascii: " "), count: 8 << 20)
        let members = [("principals.json", bomb)]
        let path = try writeZIP([("manifest.json", try manifest(for: members))] + members, compressed: true)
        #expect(try await refusal(path).contains("expands more than 200 times"))
        var small = ImportLimits()
        small.maxDocumentBytes = 1 << 20
        #expect(try await refusal(path, limits: small).contains("more than the 1048576 allowed"))
    }

    @Test("A member whose bytes differ from the manifest's SHA-256 is refused")
    func wrongChecksum() async throws {
        var listed = try JSONDecoder().decode(ExportManifest.self, from: try manifest(for: [("principals.json", principals)]))
        listed.members[0].sha256 = String(repeating: "0", count: 64)
        let path = try writeZIP([("manifest.json", try JSONEncoder().encode(listed)), ("principals.json", principals)])
        #expect(try await refusal(path).contains("does not match its SHA-256"))
    }

    @Test("A member the manifest lists but the archive lacks, or the other way round, is named")
    func missingMembers() async throws {
        let members = [("principals.json", principals)]
        let missing = try writeZIP([("manifest.json", try manifest(for: members))])
        #expect(try await refusal(missing).contains("principals.json is in the manifest but missing"))
        let unlisted = try writeZIP([("manifest.json", try manifest(for: []))] + members)
        #expect(try await refusal(unlisted).contains("principals.json is in the archive but not in the manifest"))
        let noManifest = try writeZIP(members)
        #expect(try await refusal(noManifest).contains("no manifest.json"))
    }

    @Test("Malformed documents, lines and manifests are named, never a crash")
    func malformed() async throws {
        let broken = [("principals.json", Data("{\"groups\":".utf8))]
        #expect(try await refusal(try writeZIP([("manifest.json", try manifest(for: broken))] + broken)).contains("principals.json is malformed"))
        let line = [("messages.jsonl", Data("{\"room\":\"lobby\"}\n".utf8))]
        #expect(try await refusal(try writeZIP([("manifest.json", try manifest(for: line))] + line)).contains("line 1 of messages.jsonl is malformed"))
        let users = [("users.xml", Data("<server-data xmlns='urn:xmpp:pie:0'><host jid='example.com'><user name='a b@'/></host>".utf8))]
        #expect(try await refusal(try writeZIP([("manifest.json", try manifest(for: users))] + users)).contains("users.xml"))
        #expect(try await refusal(try writeZIP([("manifest.json", Data("[]".utf8))])).contains("manifest.json is malformed"))
        let notZIP = ScratchDirectory.path("not", suffix: ".zip")
        try Data([0x50, 0x4B, 0x03, 0x04, 0, 1, 2]).write(to: URL(fileURLWithPath: notZIP))
        #expect(try await refusal(notZIP).contains("is not a readable ZIP archive"))
        #expect(try await refusal("/dev/zero").contains("/dev/zero is not a regular file"))
    }

    @Test("A file record whose bytes are not in the archive is named before anything is written")
    func fileWithoutBytes() async throws {
        let record = Data(#"{"contentType":"text/plain","created":"2026-01-01T00:00:00.000Z","expires":"2026-01-02T00:00:00.000Z","id":"abc","name":"a.txt","room":"lobby","size":1,"stanzaId":"s1","uploader":"alice@example.com"}"#.utf8 + [0x0A])
        let members = [("files.jsonl", record)]
        #expect(try await refusal(try writeZIP([("manifest.json", try manifest(for: members))] + members)).contains("file abc is in files.jsonl but its bytes are not in the archive"))
    }
}
