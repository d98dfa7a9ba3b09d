import PersistentChat
@testable import SalonAdmin
import SalonSecurity
import SalonStore
import Testing

@Suite("Account administration")
struct AccountServiceTests {
    @Test("Account input is validated and passwords never reach storage")
    func accountService() async throws {
        let database = try SalonDatabase.inMemory()
        let accounts = AccountService(database: database, domain: "example.com")
        let (jid, password) = try await accounts.add("Alice", password: nil)
        #expect(jid.description == "alice@example.com")
        #expect(password.count == 24)
        let stored = try #require(try await database.accounts.credential(jid: "alice@example.com", algorithm: .sha256))
        #expect(stored.iterations >= 4096)
        #expect(!stored.storedKey.isEmpty && stored.storedKey != Array(password.utf8))
        await #expect(throws: AccountService.Failure.self) { _ = try await accounts.add("alice@example.com", password: "x") }
        await #expect(throws: AccountService.Failure.self) { _ = try await accounts.add("bad@jid@x", password: "x") }
        await #expect(throws: AccountService.Failure.self) { _ = try await accounts.delete("nobody") }
        let admin = try await accounts.bootstrapAdministrator()
        #expect(admin?.jid.description == "admin@example.com")
        #expect(try await accounts.bootstrapAdministrator() == nil)
        // The first account is a server administrator, and the role survives a reload.
        #expect(try await database.chat.loadDirectory().administratorRole(of: "admin@example.com") == .server)
    }
}
