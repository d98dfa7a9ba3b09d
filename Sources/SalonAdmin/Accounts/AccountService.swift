import Foundation
import PersistentChat
import SalonSecurity
import SalonStore
import XMPPCore

/// Account administration shared by the CLI and (later) XEP-0133 commands: one
/// implementation, several front ends. Passwords become salted SCRAM credentials here
/// and are never stored.
public struct AccountService: Sendable {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let database: any StoreBackend
    let domain: String
    let iterations: Int

    public init(database: any StoreBackend, domain: String, iterations: Int = 4096) {
        self.database = database
        self.domain = domain
        self.iterations = max(4096, iterations)
    }

    /// A bare account JID from user input: `name` or `name@domain`.
    public func accountJID(_ input: String) throws -> JID {
        let text = input.contains("@") ? input : "\(input)@\(domain)"
        guard let jid = try? JID(text), jid.localpart != nil, jid.resourcepart == nil else {
            throw Failure(description: "'\(input)' is not a valid account JID (user@domain).")
        }
        return jid
    }

    /// Creates an account; returns its JID and the password (generated when none is given).
    public func add(_ input: String, password: String?) async throws -> (jid: JID, password: String) {
        let jid = try accountJID(input)
        let secret = try password.map(Self.checked) ?? Self.generatePassword()
        do {
            try await database.accounts.create(jid: jid.description, credentials: credentials(for: secret))
        } catch let error as StoreError where error == .userExists {
            throw Failure(description: "\(jid) already exists.")
        }
        return (jid, secret)
    }

    public func setPassword(_ input: String, password: String?) async throws -> (jid: JID, password: String) {
        let jid = try accountJID(input)
        let secret = try password.map(Self.checked) ?? Self.generatePassword()
        do {
            try await database.accounts.setCredentials(jid: jid.description, credentials: credentials(for: secret))
        } catch let error as StoreError where error == .userNotFound {
            throw Failure(description: "\(jid) does not exist.")
        }
        return (jid, secret)
    }

    public func delete(_ input: String) async throws -> JID {
        let jid = try accountJID(input)
        do {
            try await database.accounts.delete(jid: jid.description)
        } catch let error as StoreError where error == .userNotFound {
            throw Failure(description: "\(jid) does not exist.")
        }
        return jid
    }

    public func list() async throws -> [String] {
        try await database.accounts.list(domain: nil)
    }

    /// On a server's first start: creates `admin@domain` with a generated password, makes it a
    /// server administrator and returns it, once. Later starts return nil.
    public func bootstrapAdministrator() async throws -> (jid: JID, password: String)? {
        guard try await database.accounts.metadata("bootstrap-admin") == nil else { return nil }
        let jid = try accountJID("admin")
        let created: (jid: JID, password: String)?
        if try await database.accounts.exists(jid: jid.description) {
            created = nil
        } else {
            created = try await add(jid.description, password: nil)
        }
        _ = try await ChatAdministration(database: database).perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
            try directory.addAdministrator(jid.description, role: .server, by: .system)
        }
        try await database.accounts.setMetadata("bootstrap-admin", jid.description)
        return created
    }

    /// SCRAM-SHA-1 and SCRAM-SHA-256 credentials, each with its own salt.
    func credentials(for password: String) -> [SCRAMCredentials] {
        HashAlgorithm.allCases.map { SCRAMCredentials.derive(password: password, algorithm: $0, iterations: iterations) }
    }

    static func checked(_ password: String) throws -> String {
        guard !password.isEmpty, password.utf8.count <= 1024 else {
            throw Failure(description: "A password must be 1 to 1024 bytes.")
        }
        return password
    }

    /// 18 random bytes, base64url: 24 characters, 144 bits.
    public static func generatePassword() -> String {
        Base64.encode(Crypto.randomBytes(18)).replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
    }
}
