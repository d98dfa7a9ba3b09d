import Foundation
import Hummingbird
import SalonSecurity
import Synchronization

/// Who is downloading, where downloads follow room membership (`members` mode): HTTP Basic
/// with the chat account's password, checked against its stored SCRAM keys, or a session of
/// the room pages (a browser signed in there follows links to files). A password checked
/// once is remembered for a few minutes (by a hash, never in clear), so seeking in a video does
/// not cost a key derivation per range request.
final class FileDownloaders: Sendable {
    private let passwords: AccountPasswords
    private let sessions: WebSessions?
    private let remembered = Mutex<[String: Date]>([:])
    static let rememberFor: TimeInterval = 300
    static let maxRemembered = 10_000

    init(passwords: AccountPasswords, sessions: WebSessions?) {
        self.passwords = passwords
        self.sessions = sessions
    }

    /// The bare JID the request proves: its `Authorization: Basic …`, else its session cookie.
    func user(_ request: Request) async -> String? {
        if let user = await user(authorization: request.headers[.authorization]) { return user }
        return await sessions?.user(request)?.account
    }

    /// The bare JID `Authorization: Basic …` proves, or nil. A bare user name means this domain.
    func user(authorization: String?) async -> String? {
        guard let authorization, authorization.utf8.count <= 2048 else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "basic", let decoded = Base64.decode(String(parts[1])),
              let text = String(validating: decoded, as: UTF8.self), let colon = text.firstIndex(of: ":") else { return nil }
        let password = String(text[text.index(after: colon)...])
        guard let name = passwords.account(String(text[..<colon])), !password.isEmpty else { return nil }
        let key = Hex.encode(Crypto.hash(.sha256, Array("\(name)\0\(password)".utf8)))
        let now = Date()
        if remembered.withLock({ $0[key].map { $0 > now } ?? false }) { return name }
        guard await passwords.verify(name: name, password: password) != nil else { return nil }
        remembered.withLock { table in
            if table.count >= Self.maxRemembered { table = table.filter { $0.value > now } }
            if table.count < Self.maxRemembered { table[key] = now.addingTimeInterval(Self.rememberFor) }
        }
        return name
    }
}
