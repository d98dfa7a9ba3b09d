import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SalonSecurity
import SalonStore
import Synchronization

/// Who is signed in to the room pages: one request's account, its session's token hash and
/// the CSRF token its forms carry.
struct WebUser: Sendable {
    let account: String
    let tokenHash: String
    let csrf: String
    /// A chat administrator (the pages show the administration link); set per request.
    var administrator = false
}

/// Sign-in and sessions of the room-management pages. The token lives only in the browser's
/// cookie (HttpOnly, Secure, SameSite=Strict); the store keeps its SHA-256, so a copy of the
/// database signs nobody in. Each sign-in makes a new token (no fixation); signing out,
/// expiry and deleting the account end it. Failed sign-ins go through the XMPP login throttle.
final class WebSessions: Sendable {
    static let cookieName = "salon_session"
    /// The sign-in form's own CSRF pair (a cookie and a field that must match): no session yet.
    static let signInCookieName = "salon_signin"

    let store: any WebSessionStore
    let passwords: AccountPasswords
    let throttle: LoginThrottle
    let configuration: WebConfiguration
    let logger: Logger
    /// Addresses with a sign-in being checked: one at a time each, so the throttle's delay
    /// cannot be sidestepped by sending many guesses at once.
    private let checking = Mutex<Set<String>>([])

    init(store: any WebSessionStore, passwords: AccountPasswords, throttle: LoginThrottle, configuration: WebConfiguration, logger: Logger) {
        self.store = store
        self.passwords = passwords
        self.throttle = throttle
        self.configuration = configuration
        self.logger = logger
    }

    enum SignIn: Sendable {
        case signedIn(account: String, token: String)
        case refused
        /// Another sign-in from the same address is still being checked.
        case busy
        /// The password was right but the session could not be stored.
        case failed
    }

    /// Checks the password (a failure is answered after the throttle's delay) and opens a session.
    func signIn(name: String, password: String, address: String) async -> SignIn {
        guard checking.withLock({ $0.insert(address).inserted }) else { return .busy }
        defer { _ = checking.withLock { $0.remove(address) } }
        guard let account = await passwords.verify(name: name, password: password) else {
            let verdict = throttle.failure(account: passwords.account(name), address: address)
            logger.info("web sign-in failed", metadata: ["account": "\(passwords.account(name) ?? "-")", "address": "\(address)",
                                                         "cause": "not-authorized"])
            if verdict.reachedMaximum {
                logger.notice("throttled: failures keep coming, each is now answered after the longest delay",
                              metadata: ["account": "\(passwords.account(name) ?? "-")", "address": "\(address)"])
            }
            try? await Task.sleep(for: verdict.delay)
            return .refused
        }
        throttle.succeeded(account: account)
        let token = Self.newToken()
        do {
            try await store.create(tokenHash: Self.hash(token), account: account,
                                   expires: Date().addingTimeInterval(configuration.sessionLifetime),
                                   maxPerAccount: configuration.maxSessionsPerAccount)
        } catch {
            logger.error("web session could not be stored", metadata: ["account": "\(account)", "cause": "\(error)"])
            return .failed
        }
        logger.info("web sign-in", metadata: ["account": "\(account)", "address": "\(address)"])
        return .signedIn(account: account, token: token)
    }

    /// The signed-in user of a request (its session cookie), or nil.
    func user(_ request: Request) async -> WebUser? {
        guard let token = Self.cookie(Self.cookieName, in: request), Self.isToken(token) else { return nil }
        let tokenHash = Self.hash(token)
        guard let session = try? await store.session(tokenHash: tokenHash) else { return nil }
        return WebUser(account: session.account, tokenHash: tokenHash, csrf: Self.csrf(for: token))
    }

    func signOut(_ user: WebUser) async {
        _ = try? await store.end(tokenHash: user.tokenHash)
        logger.info("web sign-out", metadata: ["account": "\(user.account)"])
    }

    // MARK: Tokens and cookies

    /// 32 random bytes, hex.
    static func newToken() -> String { Hex.encode(Crypto.randomBytes(32)) }

    static func isToken(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    static func hash(_ token: String) -> String { Hex.encode(Crypto.hash(.sha256, Array(token.utf8))) }

    /// The session's CSRF token: derived from the secret token, so it needs no storage, and
    /// unlike the stored hash nobody can compute it without the cookie.
    static func csrf(for token: String) -> String { Hex.encode(Crypto.hash(.sha256, Array("salon-web-csrf\0\(token)".utf8))) }

    /// Whether a submitted CSRF field is the expected one (constant time).
    static func matches(_ submitted: String?, _ expected: String) -> Bool {
        guard let submitted, submitted.utf8.count == expected.utf8.count else { return false }
        return Crypto.constantTimeEqual(Array(submitted.utf8), Array(expected.utf8))
    }

    func sessionCookie(_ token: String) -> String {
        "\(Self.cookieName)=\(token); Path=/; Max-Age=\(Int(configuration.sessionLifetime)); HttpOnly; Secure; SameSite=Strict"
    }

    static let clearedSessionCookie = "\(cookieName)=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Strict"

    static func signInCookie(_ value: String) -> String {
        "\(signInCookieName)=\(value); Path=/rooms; Max-Age=3600; HttpOnly; Secure; SameSite=Strict"
    }

    /// A cookie's value in the request's `Cookie` headers (Hummingbird's parser); none when
    /// those headers hold more than 8 KB.
    static func cookie(_ name: String, in request: Request) -> String? {
        let headers = request.headers[values: .cookie]
        guard headers.reduce(0, { $0 + $1.utf8.count }) <= 8192 else { return nil }
        return Cookies(from: headers)[name]?.value
    }
}
