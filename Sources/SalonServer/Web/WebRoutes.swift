import Foundation
import HTTPTypes
import Hummingbird
import Logging
import PersistentChat
import SalonAdmin
import SalonSecurity
import SalonStore

/// `/rooms`: the room-management pages (RoomManagementUrl). Every page needs a sign-in with
/// the chat account; every change goes through `MUCService.perform` with the same
/// PersistentChat operations as the ad-hoc commands and the CLI, as the signed-in user.
final class WebRoutes: HTTPRoutes {
    let sessions: WebSessions
    let pages = WebPages()
    let muc: MUCService
    let archive: any ArchiveStore
    let configuration: WebConfiguration
    /// The served domain: a bare name typed as a principal is a user of it.
    let serverDomain: String
    let logger: Logger

    init(sessions: WebSessions, muc: MUCService, archive: any ArchiveStore, configuration: WebConfiguration, serverDomain: String,
         logger: Logger) {
        self.sessions = sessions
        self.muc = muc
        self.archive = archive
        self.configuration = configuration
        self.serverDomain = serverDomain
        self.logger = logger
    }

    func add(to router: Hummingbird.Router<SalonRequestContext>) {
        let rooms = router.group("rooms")
        rooms.get { request, context in await self.page(request) { user in self.roomList(request, user) } }
        rooms.get("style.css") { _, _ in WebPages.stylesheet() }
        rooms.get("sign-in") { request, _ in await self.signInForm(request) }
        rooms.post("sign-in") { request, context in await self.signIn(request, context) }
        rooms.post("sign-out") { request, _ in await self.action(request) { user, _ in await self.signOut(user) } }
        rooms.get("new") { request, _ in await self.page(request) { user in self.newRoomForm(user) } }
        rooms.post("new") { request, _ in await self.action(request) { user, form in await self.createRoom(user, form) } }
        rooms.get("r/:room") { request, context in
            await self.page(request) { user in await self.roomPage(request, context.parameters.get("room") ?? "", user) }
        }
        rooms.post("r/:room/settings") { request, context in
            await self.action(request) { user, form in await self.changeSettings(context.parameters.get("room") ?? "", user, form) }
        }
        rooms.post("r/:room/roles") { request, context in
            await self.action(request) { user, form in await self.changeRoles(context.parameters.get("room") ?? "", user, form) }
        }
        rooms.post("r/:room/state") { request, context in
            await self.action(request) { user, form in await self.changeState(context.parameters.get("room") ?? "", user, form) }
        }
        addAdministration(to: rooms)
    }

    // MARK: Signed-in requests

    /// A page for the signed-in user; without a session, the sign-in form (which returns here).
    func page(_ request: Request, _ body: (WebUser) async -> Response) async -> Response {
        guard let user = await signedInUser(request) else {
            let here = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            let next = WebPages.safeReturnPath(here).flatMap { $0 == "/rooms" ? nil : $0 }
            return WebPages.redirect("/rooms/sign-in" + (next.map { "?next=" + Self.queryEscaped($0) } ?? ""))
        }
        return await body(user)
    }

    /// A form submitted by the signed-in user, with the session's CSRF token (else 403).
    func action(_ request: Request, _ body: (WebUser, WebForm) async -> Response) async -> Response {
        guard let user = await signedInUser(request) else {
            return pages.message("Signed out", "Your session has ended: sign in again.", status: .forbidden, user: nil)
        }
        let form: WebForm
        do { form = try await WebForm.body(request, limit: configuration.maxFormBytes) } catch {
            return pages.message("Not accepted", error.message, status: error.status, user: user)
        }
        guard WebSessions.matches(form["csrf"], user.csrf) else {
            logger.info("web form refused", metadata: ["account": "\(user.account)", "cause": "csrf"])
            return pages.message("Not accepted", "This form did not come from this page, or is too old: reload the page and try again.",
                                 status: .forbidden, user: user)
        }
        return await body(user, form)
    }

    private func signedInUser(_ request: Request) async -> WebUser? {
        guard var user = await sessions.user(request) else { return nil }
        user.administrator = muc.directory.isAdministrator(user.account)
        return user
    }

    // MARK: Sign-in

    private func signInForm(_ request: Request, account: String = "", error: String? = nil,
                            status: HTTPResponse.Status = .ok) async -> Response {
        let query = WebForm.query(request)
        if error == nil, await sessions.user(request) != nil {
            return WebPages.redirect(WebPages.safeReturnPath(query["next"]) ?? "/rooms")
        }
        let value = WebSessions.newToken()
        let notice = query["signed-out"] != nil ? "You are signed out." : nil
        return pages.page("sign-in", title: "Sign in", ["csrf": value, "next": WebPages.safeReturnPath(query["next"]), "account": account],
                          user: nil, notice: notice, error: error, status: status, headers: [.setCookie: WebSessions.signInCookie(value)])
    }

    private func signIn(_ request: Request, _ context: SalonRequestContext) async -> Response {
        let form: WebForm
        do { form = try await WebForm.body(request, limit: 16 * 1024) } catch {
            return pages.message("Not accepted", error.message, status: error.status, user: nil)
        }
        guard let expected = WebSessions.cookie(WebSessions.signInCookieName, in: request),
              WebSessions.matches(form["csrf"], expected) else {
            return await signInForm(request, error: "This form did not come from this page, or is too old: try again.", status: .forbidden)
        }
        let account = form["account"] ?? ""
        switch await sessions.signIn(name: account, password: form.fields.first { $0.name == "password" }?.value ?? "",
                                     address: context.peerAddress) {
        case .signedIn(_, let token):
            // Whatever session the browser had ends: the new one has a new id.
            if let previous = await sessions.user(request) { await sessions.signOut(previous) }
            var headers = HTTPFields()
            headers.append(HTTPField(name: .setCookie, value: sessions.sessionCookie(token)))
            headers.append(HTTPField(name: .setCookie, value: "\(WebSessions.signInCookieName)=; Path=/rooms; Max-Age=0; HttpOnly; Secure; SameSite=Strict"))
            return WebPages.redirect(WebPages.safeReturnPath(form["next"]) ?? "/rooms", headers: headers)
        case .refused:
            return await signInForm(request, account: account, error: "The account or the password is wrong.", status: .unauthorized)
        case .busy:
            return await signInForm(request, account: account, error: "A sign-in from your address is being checked: try again in a moment.",
                                    status: .tooManyRequests)
        case .failed:
            return pages.message("Not signed in", "The session could not be stored: try again later.", status: .internalServerError, user: nil)
        }
    }

    private func signOut(_ user: WebUser) async -> Response {
        await sessions.signOut(user)
        return WebPages.redirect("/rooms/sign-in?signed-out=1", headers: [.setCookie: WebSessions.clearedSessionCookie])
    }

    // MARK: Helpers

    static func queryEscaped(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~/")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// The HTTP status of a refused rule.
    static func status(of error: ChatRuleError) -> HTTPResponse.Status {
        switch error.kind {
        case .notFound: .notFound
        case .forbidden, .membersOnly, .switchedOff, .unavailable: .forbidden
        case .conflict, .limitReached: .conflict
        case .invalid, .outOfScope: .badRequest
        }
    }
}
