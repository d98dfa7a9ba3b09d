/// ParticipantUpdateLimit (design §5): above it, a room stops broadcasting joins, leaves and
/// presence changes to everyone.
extension ServiceSettings {
    /// Whether occupants see each other's presence changes with `occupantCount` in the room.
    public func sendsParticipantUpdates(occupantCount: Int) -> Bool {
        occupantCount <= participantUpdateLimit
    }
}
