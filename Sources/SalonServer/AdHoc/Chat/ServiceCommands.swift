import PersistentChat
import SalonAdmin
import XMPPCore

/// The service configuration (design §5) and the user policy (administrators).
extension ChatCommandSet {
    var serviceCommands: [AdHocCommand] {
        [
            administrators("config-show", "Show the service configuration") { _ in
                .completed(Self.report("Service configuration", ChatReport.settings(directory.settings)), note: nil)
            },
            administrators("config-change", "Change the service configuration") { request in
                guard let form = request.stage(0) else {
                    let settings = directory.settings
                    return .form(DataForm(type: .form, title: "Service configuration", instructions: "DefaultChatHistory 1–500.",
                                          fields: ServiceSetting.allCases.map { .text($0.rawValue, $0.rawValue, $0.value(in: settings)) }),
                                 final: true)
                }
                let values = ServiceSetting.allCases.compactMap { setting in form[setting.rawValue].map { (setting, $0.value ?? "") } }
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in try directory.updateSettings(values, by: request.actor) }
                return .done("Changed the service configuration.")
            },
            administrators("policy-set", "Set the persistent chat policy") { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Who may use persistent chat",
                                          instructions: "Leave the user empty to set the default for everyone; 'default' clears a user's own setting.",
                                          fields: [.jidSingle("user", "User"),
                                                   .listSingle("policy", "Persistent chat", nil, options: ["on", "off", "default"], required: true)]),
                                 final: true)
                }
                let input = FormInput(form)
                let user = try input.jids("user").first
                let enabled: Bool?
                switch input.text("policy")?.lowercased() {
                case "on": enabled = true
                case "off": enabled = false
                case "default": enabled = nil
                default: throw AdHocInputError("Persistent chat is on, off or default.")
                }
                try await perform { (directory: inout ChatDirectory) throws(ChatRuleError) in
                    try directory.setPolicy(user: user, enabled: enabled, by: request.actor)
                }
                let state = enabled.map(ChatReport.onOff) ?? "the default"
                return .done(user.map { "Persistent chat is \(state) for \($0)." } ?? "Persistent chat is \(state) for everyone by default.")
            },
            administrators("policy-show", "Show the persistent chat policy") { _ in
                let policy = directory.policy
                let rows = [["(everyone)", ChatReport.onOff(policy.globalEnabled)]]
                    + policy.overrides.sorted { $0.key < $1.key }.map { [$0.key, ChatReport.onOff($0.value)] }
                return .completed(Self.table("Persistent chat policy", columns: [("user", "User"), ("policy", "Persistent chat")], rows: rows), note: nil)
            },
        ]
    }
}
