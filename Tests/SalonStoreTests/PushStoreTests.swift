import Foundation
import GRDB
import SalonTestSupport
import Testing
@testable import SalonStore

/// Once per backend (`TestBackend`), but for the upgrade of an older file, which is SQLite's.
@Suite struct PushStoreTests {
    let alice = "alice@example.com"

    @Test(arguments: TestBackend.all) func registrationsAreAddedReplacedBoundedAndRemoved(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.accounts.create(jid: alice, credentials: [])
            let push = database.push
            try await push.enable(owner: alice, PushRegistration(service: "p.example", node: "a"), limit: 2)
            try await push.enable(owner: alice, PushRegistration(service: "p.example", node: "b", options: "<x/>"), limit: 2)
            #expect(await storeErrorKind { try await push.enable(owner: alice, PushRegistration(service: "q.example", node: "c"), limit: 2) } == .limitReached)
            // The same (service, node) again replaces its options, within the limit.
            try await push.enable(owner: alice, PushRegistration(service: "p.example", node: "a", options: "<y/>"), limit: 2)
            #expect(try await push.registrations(owner: alice) == [
                PushRegistration(service: "p.example", node: "a", options: "<y/>"),
                PushRegistration(service: "p.example", node: "b", options: "<x/>"),
            ])
            #expect(try await push.disable(owner: alice, service: "p.example", node: "b") == 1)
            #expect(try await push.disable(owner: alice, service: "p.example", node: "zz") == 0)
            try await push.enable(owner: alice, PushRegistration(service: "p.example", node: "c"), limit: 2)
            #expect(try await push.disable(owner: alice, service: "p.example") == 2)
            #expect(await storeErrorKind { try await push.enable(owner: "ghost@example.com", PushRegistration(service: "p", node: "n"), limit: 2) } == .userNotFound)
            #expect(await storeErrorKind {
                try await push.enable(owner: alice, PushRegistration(service: "p.example", node: "a", options: "<x>\u{0}</x>"), limit: 5)
            } == .invalidArgument)
            #expect(try await push.disable(owner: alice, service: "p\u{0}") == 0)
            #expect(try await push.registrations(owner: "al\u{0}ice@example.com") == [])
        }
    }

    @Test(arguments: TestBackend.all) func registrationsGoWithTheAccount(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            try await database.accounts.create(jid: alice, credentials: [])
            try await database.push.enable(owner: alice, PushRegistration(service: "p.example", node: "a"), limit: 5)
            try await database.accounts.delete(jid: alice)
            #expect(try await database.push.registrations(owner: alice) == [])
        }
    }

    @Test func upgradeFromV10AddsTheTable() async throws {
        let queue = try DatabaseQueue()
        try SalonSchema.migrator.migrate(queue, upTo: "v10-pep-items-by-item-id")
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO users (jid, created_at) VALUES ('alice@example.com', 0)")
        }
        try SalonSchema.migrate(queue)
        try await queue.write { db in
            try db.execute(sql: "INSERT INTO push_registrations (owner, service, node, enabled_at) VALUES ('alice@example.com', 'p', 'n', 0)")
        }
        #expect(try await queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM push_registrations") } == 1)
    }
}
