import Foundation
import GRDB
import SalonTestSupport
import Testing
@testable import SalonStore

/// Sessions of the room pages: found by token hash until they expire, bounded per account,
/// ended one by one or all at once, and gone with their account or its password; once per
/// backend (`TestBackend`), but for the upgrade of an older file, which is SQLite's.
@Suite struct WebSessionStoreTests {
    let alice = "alice@example.com"

    @Test(arguments: TestBackend.all) func sessionsExpireAndAreBoundedPerAccount(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.accounts.create(jid: alice, credentials: [])
            let sessions = database.webSessions
            let now = Date()
            try await sessions.create(tokenHash: "h1", account: alice, expires: now.addingTimeInterval(60), maxPerAccount: 2, now: now)
            #expect(try await sessions.session(tokenHash: "h1", now: now)?.account == alice)
            #expect(try await sessions.session(tokenHash: "h1", now: now.addingTimeInterval(61)) == nil)
            try await sessions.create(tokenHash: "h2", account: alice, expires: now.addingTimeInterval(60), maxPerAccount: 2,
                                      now: now.addingTimeInterval(1))
            try await sessions.create(tokenHash: "h3", account: alice, expires: now.addingTimeInterval(60), maxPerAccount: 2,
                                      now: now.addingTimeInterval(2))
            // The oldest went past the bound.
            #expect(try await sessions.session(tokenHash: "h1", now: now) == nil)
            #expect(try await sessions.count(account: alice) == 2)
            #expect(try await sessions.end(tokenHash: "h2"))
            #expect(!(try await sessions.end(tokenHash: "h2")))
            #expect(try await sessions.endAll(account: alice) == 1)
            #expect(await storeErrorKind {
                try await sessions.create(tokenHash: "h4", account: "ghost@example.com", expires: now.addingTimeInterval(60), maxPerAccount: 2)
            } == .userNotFound)
        }
    }

    @Test(arguments: TestBackend.all) func sessionsGoWithTheAccount(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.accounts.create(jid: alice, credentials: [])
            try await database.webSessions.create(tokenHash: "h1", account: alice, expires: Date().addingTimeInterval(60), maxPerAccount: 5)
            try await database.accounts.delete(jid: alice)
            #expect(try await database.webSessions.session(tokenHash: "h1") == nil)
            #expect(try await database.webSessions.count(account: alice) == 0)
        }
    }

    @Test(arguments: TestBackend.all) func aNewPasswordEndsTheSessions(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.accounts.create(jid: alice, credentials: [sampleCredential(seed: 1)])
            try await database.webSessions.create(tokenHash: "h1", account: alice, expires: Date().addingTimeInterval(60), maxPerAccount: 5)
            try await database.accounts.setCredentials(jid: alice, credentials: [sampleCredential(seed: 2)])
            #expect(try await database.webSessions.session(tokenHash: "h1") == nil)
        }
    }

    @Test func anAccountOfAnOlderFileSignsInAfterTheUpgrade() async throws {
        try await withTemporaryDirectory { path in
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            let old = try DatabaseQueue(path: path + "/" + SalonDatabase.fileName)
            try SalonSchema.migrator.migrate(old, upTo: "v11-files-sweep-indexes")
            try await old.write { db in
                try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES (?, 0)", arguments: [alice])
            }
            try old.close()
            let database = try SalonDatabase(directory: path)
            defer { try? database.close() }
            try await database.webSessions.create(tokenHash: "h1", account: alice, expires: Date().addingTimeInterval(60), maxPerAccount: 5)
            #expect(try await database.webSessions.session(tokenHash: "h1")?.account == alice)
        }
    }
}
