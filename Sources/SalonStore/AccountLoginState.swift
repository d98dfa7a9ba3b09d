import GRDB

/// What a session keeps of its account while it is online, read once at bind: the roster
/// (RFC 6121), the blocklist (XEP-0191) and the vCard photo hash (XEP-0153).
public struct AccountLoginState: Sendable {
    public var roster: [RosterItem]
    public var blocklist: [String]
    /// "" for a vCard without photo, nil without a vCard.
    public var photoHash: String?
}

extension StoreBackend {
    /// The account's login state from its three stores, one lookup after the other (what
    /// PostgreSQL does: each is a prepared statement).
    public func loginState(owner: String, completion: @escaping @Sendable (Result<AccountLoginState, any Error>) -> Void) {
        let (blocklists, vCards) = (self.blocklists, self.vCards)
        rosters.items(owner: owner) { roster in
            guard case .success(let roster) = roster else {
                return completion(roster.map { AccountLoginState(roster: $0, blocklist: []) })
            }
            blocklists.items(owner: owner) { blocklist in
                guard case .success(let blocklist) = blocklist else {
                    return completion(blocklist.map { AccountLoginState(roster: roster, blocklist: $0) })
                }
                vCards.photoHash(owner: owner) { hash in
                    completion(hash.map { AccountLoginState(roster: roster, blocklist: blocklist, photoHash: $0) })
                }
            }
        }
    }
}

extension SalonDatabase {
    /// The account's login state in one lookup on a GRDB reader: one hop to a reader thread and
    /// back instead of one per part, each statement prepared once per connection.
    public func loginState(owner: String, completion: @escaping @Sendable (Result<AccountLoginState, any Error>) -> Void) {
        StoreAccess(writer: writer).lookUp({ db in
            AccountLoginState(roster: try SQLiteRosterStore.items(owner: owner, db),
                              blocklist: try SQLiteBlocklistStore.items(owner: owner, db),
                              photoHash: try SQLiteVCardStore.photoHash(owner: owner, db))
        }, completion: completion)
    }
}
