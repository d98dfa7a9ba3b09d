import SalonSecurity
@testable import SalonStore
import SalonTestSupport
import Testing

/// Runs once per backend (`TestBackend`): the same assertions against SQLite and PostgreSQL.
@Suite struct AccountStoreTests {
    @Test(arguments: TestBackend.all) func createThenFindCredentialsByMechanism(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            let sha1 = sampleCredential(.sha1, seed: 7, iterations: 10_000)
            let sha256 = sampleCredential(.sha256, seed: 9)
            try await accounts.create(jid: "alice@example.com", credentials: [sha1, sha256])

            #expect(try await accounts.exists(jid: "alice@example.com"))
            #expect(try await accounts.exists(jid: "bob@example.com") == false)
            #expect(try await accounts.credential(jid: "alice@example.com", algorithm: .sha1) == sha1)
            #expect(try await accounts.credential(jid: "alice@example.com", algorithm: .sha256) == sha256)
            #expect(try await accounts.credential(jid: "bob@example.com", algorithm: .sha1) == nil)
            #expect(try await accounts.credentials(jid: "alice@example.com") == [sha1, sha256])
        }
    }

    @Test func aMechanismTheStoreNeverWritesIsNoCredential() async throws {
        let database = try SalonDatabase.inMemory()
        let sha256 = sampleCredential(.sha256)
        try await database.accounts.create(jid: "alice@example.com", credentials: [sha256])
        try await database.writer.write { db in
            try db.execute(sql: """
                INSERT INTO credentials (jid, mechanism, salt, iterations, stored_key, server_key)
                VALUES ('alice@example.com', 'PLAIN', x'01', 1, x'01', x'01')
                """)
        }
        #expect(try await database.accounts.credentials(jid: "alice@example.com") == [sha256])
        #expect(try await database.accounts.credential(jid: "alice@example.com", algorithm: .sha1) == nil)
        #expect(try await database.accounts.credential(jid: "alice@example.com", algorithm: .sha256) == sha256)
    }

    @Test(arguments: TestBackend.all) func creatingAnExistingAccountFailsWithUserExists(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            try await accounts.create(jid: "alice@example.com", credentials: [sampleCredential(seed: 1)])
            let kind = await storeErrorKind {
                try await accounts.create(jid: "alice@example.com", credentials: [sampleCredential(seed: 2)])
            }
            #expect(kind == .userExists)
            // The first account's credential is untouched by the failed attempt.
            let credential = try await accounts.credential(jid: "alice@example.com", algorithm: .sha256)
            #expect(credential == sampleCredential(seed: 1))
        }
    }

    @Test(arguments: TestBackend.all) func setCredentialsReplacesAllOfThem(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            try await accounts.create(jid: "alice@example.com",
                                      credentials: [sampleCredential(.sha1), sampleCredential(.sha256)])
            let replacement = sampleCredential(.sha256, seed: 42, iterations: 8192)
            try await accounts.setCredentials(jid: "alice@example.com", credentials: [replacement])
            #expect(try await accounts.credentials(jid: "alice@example.com") == [replacement])
            #expect(try await accounts.credential(jid: "alice@example.com", algorithm: .sha1) == nil)
        }
    }

    @Test(arguments: TestBackend.all) func setCredentialsOfAnUnknownAccountFailsWithUserNotFound(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            let kind = await storeErrorKind {
                try await accounts.setCredentials(jid: "ghost@example.com", credentials: [sampleCredential()])
            }
            #expect(kind == .userNotFound)
            #expect(try await accounts.exists(jid: "ghost@example.com") == false)
        }
    }

    @Test(arguments: TestBackend.all) func deleteRemovesTheAccountOnce(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            try await accounts.create(jid: "alice@example.com", credentials: [sampleCredential()])
            try await accounts.delete(jid: "alice@example.com")
            #expect(try await accounts.exists(jid: "alice@example.com") == false)
            #expect(try await accounts.credential(jid: "alice@example.com", algorithm: .sha256) == nil)
            let kind = await storeErrorKind { try await accounts.delete(jid: "alice@example.com") }
            #expect(kind == .userNotFound)
            // The JID is free again.
            try await accounts.create(jid: "alice@example.com", credentials: [])
            #expect(try await accounts.exists(jid: "alice@example.com"))
        }
    }

    @Test(arguments: TestBackend.all) func listAndCountFilterByExactDomainAndSort(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            for jid in ["zoe@example.com", "alice@example.com", "bob@sub.example.com", "carol@notexample.com",
                        "dave@example.org", "eve@ex_mple.com", "mallory@example.com"] {
                try await accounts.create(jid: jid, credentials: [])
            }
            #expect(try await accounts.list(domain: "example.com") == ["alice@example.com", "mallory@example.com", "zoe@example.com"])
            #expect(try await accounts.count(domain: "example.com") == 3)
            #expect(try await accounts.list(domain: "sub.example.com") == ["bob@sub.example.com"])
            // "_" is not a wildcard.
            #expect(try await accounts.list(domain: "ex_mple.com") == ["eve@ex_mple.com"])
            #expect(try await accounts.count(domain: "ex_mple.com") == 1)
            // Matching is exact, not case-folded: the caller normalises JIDs.
            #expect(try await accounts.count(domain: "EXAMPLE.COM") == 0)
            #expect(try await accounts.list(domain: "nowhere.test") == [])
            #expect(try await accounts.count(domain: nil) == 7)
            let all = try await accounts.list(domain: nil)
            #expect(all == all.sorted())
            #expect(all.count == 7)
        }
    }

    @Test(arguments: TestBackend.all) func metadataSetsReplacesAndRemoves(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            #expect(try await accounts.metadata("admin-created") == nil)
            try await accounts.setMetadata("admin-created", "2025-01-01")
            #expect(try await accounts.metadata("admin-created") == "2025-01-01")
            try await accounts.setMetadata("admin-created", "again")
            #expect(try await accounts.metadata("admin-created") == "again")
            try await accounts.setMetadata("admin-created", nil)
            #expect(try await accounts.metadata("admin-created") == nil)
            // Removing an absent key is not an error.
            try await accounts.setMetadata("never-set", nil)
        }
    }

    @Test(arguments: TestBackend.all) func metadataStoredIfAbsentKeepsTheFirstValue(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            #expect(try await accounts.metadata("secret", storingIfAbsent: "first") == "first")
            #expect(try await accounts.metadata("secret", storingIfAbsent: "second") == "first")
            #expect(try await accounts.metadata("secret") == "first")
        }
    }

    @Test(arguments: TestBackend.all, ["", "alice", "@example.com", "alice@", "al\u{0}ice@example.com",
                                           String(repeating: "a", count: 2048) + "@example.com"])
    func malformedAccountJIDsAreRejected(backend: TestBackend, jid: String) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            let kind = await storeErrorKind { try await accounts.create(jid: jid, credentials: []) }
            #expect(kind == .invalidArgument)
            #expect(try await accounts.count(domain: nil) == 0)
        }
    }

    @Test(arguments: TestBackend.all, [
        SCRAMCredentials(algorithm: .sha1, salt: [1], iterations: 0, storedKey: [1], serverKey: [1]),
        SCRAMCredentials(algorithm: .sha1, salt: [], iterations: 1, storedKey: [1], serverKey: [1]),
        SCRAMCredentials(algorithm: .sha1, salt: [1], iterations: 1,
                         storedKey: [UInt8](repeating: 0, count: 4096), serverKey: [1]),
    ])
    func malformedCredentialsAreRejected(backend: TestBackend, credential: SCRAMCredentials) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            let kind = await storeErrorKind { try await accounts.create(jid: "alice@example.com", credentials: [credential]) }
            #expect(kind == .invalidArgument)
            #expect(try await accounts.exists(jid: "alice@example.com") == false)
        }
    }

    @Test(arguments: TestBackend.all)
    func quotesAndOtherScriptsAreValuesNotSQL(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            let hostile = ["o'brien\"; DROP TABLE users; --@example.com", "zoë@example.com", "ålice@example.com",
                           "%_@example.com"]
            for jid in hostile {
                try await accounts.create(jid: jid, credentials: [sampleCredential()])
            }
            // Sorted by bytes on both backends, whatever the database's locale.
            #expect(try await accounts.list(domain: "example.com") == hostile.sorted { Array($0.utf8).lexicographicallyPrecedes($1.utf8) })
            #expect(try await accounts.credential(jid: hostile[0], algorithm: .sha256) == sampleCredential())
            #expect(try await accounts.exists(jid: "%_@example.com"))
            #expect(try await accounts.exists(jid: "ab@example.com") == false)
            // A NUL in a lookup finds nothing rather than failing.
            #expect(try await accounts.exists(jid: "o\u{0}@example.com") == false)
            #expect(try await accounts.metadata("k\u{0}") == nil)
            try await accounts.delete(jid: hostile[0])
            #expect(try await accounts.count(domain: nil) == 3)
        }
    }

    @Test(arguments: TestBackend.all)
    func theLoginLookupAnswersThroughItsCompletion(backend: TestBackend) async throws {
        try await withBackend(backend) { database async throws in
            let accounts = database.accounts
            try await accounts.create(jid: "alice@example.com", credentials: [sampleCredential(.sha1, seed: 3)])
            let found = try await withCheckedThrowingContinuation { continuation in
                accounts.credential(jid: "alice@example.com", algorithm: .sha1) { continuation.resume(with: $0) }
            }
            #expect(found == sampleCredential(.sha1, seed: 3))
            let absent = try await withCheckedThrowingContinuation { continuation in
                accounts.credential(jid: "alice@example.com", algorithm: .sha256) { continuation.resume(with: $0) }
            }
            #expect(absent == nil)
        }
    }

    @Test func storeErrorsMatchByKindAndDescribeThemselves() {
        let error = StoreError(.userNotFound, "no account bob@example.com")
        #expect(error == .userNotFound)
        #expect(error != .userExists)
        switch error {
        case .userExists: Issue.record("matched the wrong kind")
        case .userNotFound: break
        default: Issue.record("matched no kind")
        }
        #expect(error.description == "userNotFound: no account bob@example.com")
    }
}
