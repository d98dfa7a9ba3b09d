import SalonStore

/// What a session keeps of its account while it is online, read once at bind.
struct AccountState: Sendable {
    var roster: [RosterItem]
    var blocklist: [String]
    var photoHash: String?
}

extension SalonDatabase {
    /// The roster, blocklist (XEP-0191) and vCard photo hash (XEP-0153) of an account, each
    /// one lookup on a GRDB reader, one after the other.
    func accountState(owner: String, completion: @escaping @Sendable (Result<AccountState, any Error>) -> Void) {
        rosters.items(owner: owner) { [self] roster in
            guard case .success(let roster) = roster else { return completion(roster.map { AccountState(roster: $0, blocklist: []) }) }
            blocklists.items(owner: owner) { [self] blocklist in
                guard case .success(let blocklist) = blocklist else {
                    return completion(blocklist.map { AccountState(roster: roster, blocklist: $0) })
                }
                vCards.photoHash(owner: owner) { hash in
                    completion(hash.map { AccountState(roster: roster, blocklist: blocklist, photoHash: $0) })
                }
            }
        }
    }
}
