import Logging
import SalonStore
import Synchronization
import XMPPCore

/// Keeps this node's rows of `cluster_sessions` in step with its sessions (issue #21): binds
/// and ends are gathered and written by one task at a time, in order, so a burst of logins is
/// one transaction and a session's last change wins. Routing never waits for it (the links'
/// session directory routes); it is the record operators read.
final class SessionRecord: Sendable {
    private struct State {
        /// Full JID → bound (true) or ended (false), as of the latest change.
        var pending: [JID: Bool] = [:]
        var writing = false
        var failing = false
    }

    private let store: any ClusterStore
    private let node: String
    private let logger: Logger
    private let state = Mutex(State())

    init(store: any ClusterStore, node: String, logger: Logger) {
        self.store = store
        self.node = node
        self.logger = logger
    }

    func bound(_ jid: JID) { note(jid, bound: true) }

    func ended(_ jid: JID) { note(jid, bound: false) }

    /// Forgets the sessions of nodes that are gone (idempotent: every survivor may do it).
    func forget(nodes: [String]) {
        let (store, logger) = (store, logger)
        Task {
            for node in nodes {
                do {
                    try await store.forgetSessions(of: node)
                } catch {
                    logger.warning("could not forget a departed cluster node's sessions", metadata: ["node": "\(node)", "error": "\(error)"])
                }
            }
        }
    }

    private func note(_ jid: JID, bound: Bool) {
        let start = state.withLock { state -> Bool in
            state.pending[jid] = bound
            guard !state.writing else { return false }
            state.writing = true
            return true
        }
        if start { Task { await write() } }
    }

    private func write() async {
        while let batch = state.withLock({ state -> [JID: Bool]? in
            guard !state.pending.isEmpty else {
                state.writing = false
                return nil
            }
            defer { state.pending = [:] }
            return state.pending
        }) {
            do {
                try await store.recordSessions(node: node, bound: batch.filter(\.value).map(\.key.description),
                                               ended: batch.filter { !$0.value }.map(\.key.description))
                if state.withLock({ state in defer { state.failing = false }; return state.failing }) {
                    logger.notice("cluster sessions recorded again", metadata: ["node": "\(node)"])
                }
            } catch {
                // Kept for the next attempt, unless changed meanwhile.
                let first = state.withLock { state -> Bool in
                    for (jid, bound) in batch where state.pending[jid] == nil { state.pending[jid] = bound }
                    defer { state.failing = true }
                    return !state.failing
                }
                if first { logger.warning("cluster sessions not recorded: retrying", metadata: ["node": "\(node)", "error": "\(error)"]) }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
