import Foundation
import PersistentChat

/// Rooms are named by administrators by display name or address.
public enum RoomAddress {
    /// The localpart of the room named `text` (display name, else address).
    public static func find(_ text: String, in directory: ChatDirectory) throws(ChatRuleError) -> String {
        if let room = directory.room(named: text) { return room.localpart }
        if directory.rooms[text.lowercased()] != nil { return text.lowercased() }
        throw ChatRuleError(.notFound, "There is no room named \(text.prefix(300)).")
    }

    /// An address from a display name: lowercase letters, digits and dashes, made unique.
    public static func make(from name: String, taken: Set<String>) -> String {
        var base = ""
        for character in name.lowercased() {
            if character.isASCII, character.isLetter || character.isNumber { base.append(character) } else if !base.hasSuffix("-") { base.append("-") }
        }
        base = String(base.trimmingCharacters(in: CharacterSet(charactersIn: "-")).prefix(48))
        if base.isEmpty { base = "room" }
        var candidate = base, counter = 2
        while taken.contains(candidate) {
            candidate = "\(base)-\(counter)"
            counter += 1
        }
        return candidate
    }
}
