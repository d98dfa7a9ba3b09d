import SalonSecurity
import SalonStore

/// A chat account's password checked over HTTP against its stored SCRAM keys (never stored):
/// the one check behind members-mode downloads and the room pages' sign-in.
struct AccountPasswords: Sendable {
    let store: any AccountStore
    let domain: String

    /// The bare JID a name and password prove, or nil. A bare user name means this domain;
    /// an account of another domain is never one of ours.
    func verify(name: String, password: String) async -> String? {
        guard let account = account(name), !password.isEmpty, password.utf8.count <= 1024 else { return nil }
        guard let credentials = try? await store.credentials(jid: account), let best = credentials.first,
              best.verify(password: password) else { return nil }
        return account
    }

    /// The account a typed name means (lowercased, this domain), or nil when it cannot be one.
    func account(_ name: String) -> String? {
        var account = name.lowercased()
        guard !account.isEmpty, account.utf8.count <= 1023,
              !account.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control || $0 == "/" })
        else { return nil }
        if !account.contains("@") { account += "@" + domain }
        guard account.hasSuffix("@" + domain), account.split(separator: "@", omittingEmptySubsequences: false).count == 2,
              !account.hasPrefix("@") else { return nil }
        return account
    }
}
