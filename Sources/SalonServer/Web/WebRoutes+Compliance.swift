import Foundation
import Hummingbird
import PersistentChat
import SalonAdmin

/// Compliance on the administrators' pages: the status (settings, what waits, the last export),
/// the chain verified on demand, and the switch. The same `ComplianceAdministration` calls as
/// `salon compliance show|verify|set enabled` and the ad-hoc commands, for the same people
/// (chat administrators); turning it on or off is journaled (COMPLIANCE_CHANGED) by `set`.
extension WebRoutes {
    func addComplianceAdministration(to rooms: RouterGroup<SalonRequestContext>) {
        rooms.get("admin/compliance") { request, _ in await self.page(request) { user in await self.compliancePage(user) } }
        rooms.post("admin/compliance") { request, _ in await self.action(request) { user, form in await self.changeCompliance(user, form) } }
    }

    /// The line on the administrators' page (read from memory: no query).
    func complianceSummary() -> [String: Any?] {
        let settings = muc.environment.compliance.settings
        return ["complianceOn": settings.enabled, "complianceAdapter": settings.adapter.rawValue]
    }

    func compliancePage(_ user: WebUser, verified: (intact: Bool, report: String)? = nil, notice: String? = nil,
                        error: ChatRuleError? = nil) async -> Response {
        guard muc.directory.isAdministrator(user.account) else {
            return pages.message("Compliance", Self.administratorsOnly, status: .forbidden, user: user)
        }
        let administration = muc.environment.compliance.administration
        do {
            let settings = try await administration.settings()
            let counts = try await administration.database.compliance.counts()
            let lastExport = try await administration.database.compliance.lastExport()
                .map { WebPages.times(Date(timeIntervalSince1970: Double($0) / 1000)) }
            var values: [String: Any?] = [
                "csrf": user.csrf, "enabled": settings.enabled, "adapter": settings.adapter.rawValue,
                "runInterval": Self.interval(settings.runInterval), "outputDirectory": administration.exporter.outputDirectory(settings),
                "events": "\(counts.total)", "pending": "\(counts.pending)",
                "lastExport": lastExport.map { ["shown": $0.shown, "iso": $0.iso] },
                "settings": try ComplianceSettings.keys.map { ["key": $0, "value": try settings.value(of: $0)] },
                "switchTo": settings.enabled ? "off" : "on",
            ]
            if let verified { values["verified"] = ["intact": verified.intact, "report": verified.report] }
            return pages.page("admin-compliance", title: "Compliance", values, user: user, notice: notice, error: error?.message,
                              status: error.map(Self.status(of:)) ?? .ok)
        } catch {
            logger.error("web page failed", metadata: ["actor": "\(user.account)", "page": "compliance", "cause": "\(error)"])
            return pages.message("Compliance", "The compliance status could not be read: try again later.", status: .internalServerError, user: user)
        }
    }

    func changeCompliance(_ user: WebUser, _ form: WebForm) async -> Response {
        guard muc.directory.isAdministrator(user.account) else {
            logRefusal("compliance", user, room: "-", ChatRuleError(.forbidden, Self.administratorsOnly))
            return pages.message("Compliance", Self.administratorsOnly, status: .forbidden, user: user)
        }
        let recorder = muc.environment.compliance
        let op = form["op"] ?? ""
        do {
            switch op {
            case "verify":
                let verified = try await recorder.administration.verify()
                logger.notice("web compliance verify", metadata: ["actor": "\(user.account)", "intact": "\(verified.intact)"])
                return await compliancePage(user, verified: verified)
            case "enabled":
                let settings = try await recorder.administration.set("enabled", to: form["value"] ?? "", by: user.account)
                recorder.adopt(settings)
                logAction("compliance: enabled \(settings.enabled)", user, room: "-")
                return await compliancePage(user, notice: "Compliance recording is \(settings.enabled ? "on" : "off").")
            default:
                throw ChatRuleError(.invalid, "\(op.prefix(40)) is not a compliance operation.")
            }
        } catch let error as ChatRuleError {
            logRefusal("compliance: \(op.prefix(40))", user, room: "-", error)
            return await compliancePage(user, error: error)
        } catch {
            return storageFailure(user, error)
        }
    }

    /// "900 s (15 min)".
    private static func interval(_ seconds: Int) -> String {
        let (unit, size) = seconds % 86_400 == 0 ? ("d", 86_400) : seconds % 3600 == 0 ? ("h", 3600) : seconds % 60 == 0 ? ("min", 60) : ("s", 1)
        return size == 1 ? "\(seconds) s" : "\(seconds) s (\(seconds / size) \(unit))"
    }
}

/// The compliance page's template (see `WebTemplates`).
enum WebComplianceTemplates {
    static let page = """
    <h1>Compliance</h1>
    <p><a href="/rooms/admin">Administration</a></p>
    {{#verified}}<div class="{{#intact}}notice{{/intact}}{{^intact}}error{{/intact}}" role="status"><p>{{report}}</p></div>{{/verified}}
    <section aria-labelledby="compliance-status"><h2 id="compliance-status">Status</h2>
    <dl class="facts">
    <dt>Recording</dt><dd><b>{{#enabled}}on{{/enabled}}{{^enabled}}off{{/enabled}}</b></dd>
    <dt>Adapter</dt><dd>{{adapter}}</dd>
    <dt>Run interval</dt><dd>{{runInterval}}</dd>
    <dt>Output directory</dt><dd><code>{{outputDirectory}}</code></dd>
    <dt>Events</dt><dd>{{events}}</dd>
    <dt>Waiting for export</dt><dd>{{pending}}</dd>
    <dt>Last export</dt><dd>{{#lastExport}}<time datetime="{{iso}}">{{shown}}</time>{{/lastExport}}{{^lastExport}}never{{/lastExport}}</dd>
    </dl>
    <form method="post" action="/rooms/admin/compliance" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="op" value="enabled"><input type="hidden" name="value" value="{{switchTo}}">
    <button type="submit"{{#enabled}} class="danger"{{/enabled}}>Turn compliance recording {{switchTo}}</button>
    <p class="hint">The change is itself recorded in the journal.</p>
    </form>
    </section>
    <section aria-labelledby="compliance-verify"><h2 id="compliance-verify">The journal's hash chain</h2>
    <form method="post" action="/rooms/admin/compliance" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="op" value="verify">
    <button type="submit">Verify the chain now</button>
    <p class="hint">Walks every event, as <code>salon compliance verify</code> does, and names the first that does not hold.</p>
    </form>
    </section>
    <section aria-labelledby="compliance-settings"><h2 id="compliance-settings">Settings</h2>
    <table class="rooms"><thead><tr><th scope="col">Setting</th><th scope="col">Value</th></tr></thead>
    <tbody>{{#settings}}<tr><td><code>{{key}}</code></td><td>{{value}}</td></tr>{{/settings}}</tbody></table>
    <p class="hint">Changed with <code>salon compliance set KEY VALUE</code> or the ad-hoc command compliance-set.</p>
    </section>
    """
}
