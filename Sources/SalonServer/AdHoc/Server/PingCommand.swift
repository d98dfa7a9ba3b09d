import XMPPCore

/// The ad-hoc `ping` command Prosody and ejabberd offer on the server: any user (or bot) checks
/// that the server runs commands, without needing XEP-0199.
enum PingCommand {
    static let node = "ping"

    static var command: AdHocCommand {
        AdHocCommand(node: node, name: "Ping", mayRun: { _ in true }) { _ in
            .done("Pong\n\(Timestamp.now())")
        }
    }
}
