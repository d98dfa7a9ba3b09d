/// A persistent-chat rule that an operation broke, with a message that says which.
/// The MUC service and the admin front ends map `kind` to their own error vocabulary.
public struct ChatRuleError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable {
        /// The named category, room, add-in, group or user does not exist (or is invisible).
        case notFound
        /// The actor may not do this.
        case forbidden
        /// A name is taken, or the object is in use (a category with rooms).
        case conflict
        /// A value is malformed or out of range.
        case invalid
        /// A principal lies outside the category's scope.
        case outOfScope
        /// A quota (such as MaxRoomsPerCreator) is used up.
        case limitReached
        /// The room or its category switched the feature off (invitations).
        case switchedOff
        /// The model has no such thing for this user or room: room administrators, the moderator
        /// role given by hand, private messages in an auditorium, rooms from a user who is a
        /// Creator nowhere. Unlike `forbidden`, no other user may do it either (or only by
        /// another way, named in the message).
        case unavailable
        /// Only the room's members enter, and the user is not one.
        case membersOnly
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
