import PersistentChat

/// What one append queued on an archive writer adds to the compliance journal when its group
/// commits. Both writers journal a batch the same way: after its posts, in queue order, the
/// CHAT events of the posts that were stored (not of those refused) and the events queued alone.
enum ArchiveJournalEntry {
    /// A room post and its CHAT event, if compliance recorded one.
    case post(ComplianceEvent?)
    /// Events queued alone (`ArchiveWriter.journal`).
    case events([ComplianceEvent])
    /// Nothing for the journal (an account's archive).
    case none

    /// The events of a batch, given each post's result in order.
    static func events(_ entries: some Sequence<ArchiveJournalEntry>, postResults: [Result<Int64, StoreError>]) -> [ComplianceEvent] {
        var events: [ComplianceEvent] = []
        var nextPost = 0
        for entry in entries {
            switch entry {
            case .post(let event):
                if let event, case .success = postResults[nextPost] { events.append(event) }
                nextPost += 1
            case .events(let queued):
                events.append(contentsOf: queued)
            case .none:
                break
            }
        }
        return events
    }
}
