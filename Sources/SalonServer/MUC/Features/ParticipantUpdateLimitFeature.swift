import PersistentChat
import XMPPCore

/// ParticipantUpdateLimit (design §5; the rule is PersistentChat's `sendsParticipantUpdates`):
/// above that many occupants, joins, leaves and presence changes are no longer broadcast to
/// everyone (each occupant still gets its own); the occupant list stays available on request
/// (disco#items).
struct ParticipantUpdateLimitFeature: RoomFeature {
    func broadcastsPresence(_ context: RoomContext, occupantCount: Int) -> Bool {
        context.directory.settings.sendsParticipantUpdates(occupantCount: occupantCount)
    }
}
