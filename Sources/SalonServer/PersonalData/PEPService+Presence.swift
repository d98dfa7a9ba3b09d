import Foundation
import SalonStore
import XMPPCore

/// Last published items for a resource that comes online or newly shows interest, and for a
/// contact newly allowed to see the owner's presence (XEP-0163 §4.3.4), once its entity
/// capabilities are known.
extension PEPService {
    /// Called for each available presence a resource broadcasts; `previous` is the one before.
    func available(_ session: ClientSession, presence: XMLElement, previous: XMLElement?) {
        guard let capabilities = CapsCache.capabilities(in: presence) else { return }
        guard previous == nil || CapsCache.capabilities(in: previous) != capabilities else { return }
        caps.resolve(capabilities, of: session.jid) { [self] features in
            guard let features, session.isBound else { return }
            Task { await sendLastItems(to: session, features: features) }
        }
    }

    /// The newest item of every node the session is interested in, of its own account and of
    /// each local account it is subscribed to, where the node sends it on presence.
    private func sendLastItems(to session: ClientSession, features: Set<String>) async {
        let own = session.jid.bare
        let interest = features.filter { $0.hasSuffix("+notify") }
        guard !interest.isEmpty else { return }
        var accounts = [own]
        for item in (sessions.roster(of: own) ?? [:]).values where item.subscription == "to" || item.subscription == "both" {
            if let jid = try? JID(item.jid), jid.domainpart == domain, jid.localpart != nil { accounts.append(jid) }
        }
        for account in accounts {
            guard let last = try? await database.pep.lastItems(owner: account.description) else { continue }
            let barred = account == own ? [] : Set(((try? await database.pep.affiliations(owner: account.description, of: own.description)) ?? [])
                .filter { $0.affiliation == "outcast" }.map(\.node))
            for (node, item) in last where interest.contains(node.name + "+notify") && !barred.contains(node.name)
                && node.config.sendLastPublishedItem == "on_sub_and_presence"
                && (account == own || node.config.accessModel != "whitelist") {
                sendLast(item, of: node, from: account, to: session)
            }
        }
    }

    /// `owner` approved `contact`'s presence subscription: the contact's interested resources
    /// get the newest item of each presence-access node that sends one on subscription.
    func subscriptionApproved(owner: JID, contact: JID) async {
        guard contact.domainpart == domain, contact.localpart != nil else { return }
        let item = try? await database.rosters.item(owner: owner.description, jid: contact.bare.description)
        guard let item, item.subscription == "from" || item.subscription == "both" else { return }
        let resources = sessions.resources(of: contact).filter(\.available)
        guard !resources.isEmpty, let last = try? await database.pep.lastItems(owner: owner.description) else { return }
        let barred = Set(((try? await database.pep.affiliations(owner: owner.description, of: contact.bare.description)) ?? [])
            .filter { $0.affiliation == "outcast" }.map(\.node))
        for resource in resources {
            for (node, item) in last where node.config.accessModel == "presence" && node.config.sendLastPublishedItem != "never"
                && !barred.contains(node.name)
                && notifier.interested(resource, in: node.name) {
                sendLast(item, of: node, from: owner, to: resource.session)
            }
        }
    }

    private func sendLast(_ item: PEPItem, of node: PEPNode, from owner: JID, to session: ClientSession) {
        notifier.deliver(PEPNotifier.items(node.name, [(item.id, Self.parse(item.payload))]), from: owner, to: [session],
                         delay: Timestamp.format(item.publishedAt))
    }
}
