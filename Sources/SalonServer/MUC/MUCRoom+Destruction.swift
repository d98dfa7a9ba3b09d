import Foundation
import PersistentChat
import XMPPCore

/// muc#owner destroy (XEP-0045 §10.9): the room leaves the directory, its archive is deleted,
/// and its occupants are told.
extension MUCRoom {
    func destroy(_ stanza: Stanza, reason: String?, user: String) {
        guard current != nil else { return bounce(stanza, StanzaError(.itemNotFound)) }
        let actor = ChatActor.user(user)
        let host = host
        let archive = environment.archive
        let localpart = localpart
        awaiting({
            try await host.perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                try directory.removeRoom(localpart, by: actor)
            }
            try await archive.deleteMessages(room: localpart)
        }) { [self] result in
            switch result {
            case .success:
                history = RoomHistory(capacity: history.capacity)
                directoryChanged()
                answer(stanza, nil)
            case .failure(let error):
                bounce(stanza, StanzaError.refusal(error))
            }
        }
    }
}
