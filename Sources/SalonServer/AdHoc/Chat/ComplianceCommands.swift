import PersistentChat
import SalonAdmin
import XMPPCore

/// Compliance operation for administrators (README, Compliance): the same as
/// `salon compliance show|set|export --now|verify`.
extension ChatCommandSet {
    var complianceCommands: [AdHocCommand] {
        let compliance = service.environment.compliance
        return [
            administrators("compliance-show", "Show the compliance settings") { _ in
                .done(try await compliance.administration.show().joined(separator: "\n"))
            },
            administrators("compliance-set", "Change a compliance setting") { request in
                guard let form = request.stage(0) else {
                    return .form(DataForm(type: .form, title: "Compliance setting", instructions: "Turning compliance on or off is recorded.",
                                          fields: [.listSingle("key", "Setting", nil, options: ComplianceSettings.keys, required: true),
                                                   .text("value", "Value", required: true)]),
                                 final: true)
                }
                let input = FormInput(form)
                let key = try input.required("key", "The setting")
                let settings = try await compliance.administration.set(key, to: try input.required("value", "The value"), by: request.user)
                compliance.adopt(settings)
                return .done("\(key): \(try settings.value(of: key))")
            },
            administrators("compliance-export", "Export compliance events now") { _ in
                let outcome = try await compliance.administration.exportNow()
                return .done("Exported \(outcome.events) events in \(outcome.files.count) files.")
            },
            administrators("compliance-verify", "Verify the compliance journal") { _ in
                .done(try await compliance.administration.verify().report)
            },
        ]
    }
}
