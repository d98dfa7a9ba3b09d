/// The administrators' templates (see `WebTemplates`).
enum WebAdminTemplates {
    static let all: [String: String] = [
        "admin": admin, "category": category, "category-form": categoryForm, "room-administer": roomAdminister,
        "admin-service": adminService, "admin-compliance": WebComplianceTemplates.page,
    ]

    static let admin = """
    <h1>Administration</h1>
    <p class="muted">Moving, deleting and clearing a room, and removing or replacing its messages, are on the room's
    page (<a href="/rooms">every room is listed for you</a>).</p>
    <section aria-labelledby="categories"><h2 id="categories">Categories</h2>
    {{#hasCategories}}
    <table class="rooms">
    <thead><tr><th scope="col">Category</th><th scope="col">Rooms</th><th scope="col">Scope</th></tr></thead>
    <tbody>
    {{#categories}}<tr><td><a href="/rooms/admin/category?name={{link}}">{{catName}}</a>{{#catDescription}}<div class="desc">{{catDescription}}</div>{{/catDescription}}</td><td><a href="/rooms?category={{link}}">{{rooms}}</a></td><td class="desc">{{scope}}</td></tr>
    {{/categories}}
    </tbody>
    </table>
    {{/hasCategories}}
    {{^hasCategories}}<p class="muted">No category yet.</p>{{/hasCategories}}
    </section>
    <section aria-labelledby="new-category"><h2 id="new-category">New category</h2>
    {{> category-form}}
    </section>
    {{> admin-service}}
    <section aria-labelledby="compliance"><h2 id="compliance">Compliance</h2>
    <p>Recording is <b>{{#complianceOn}}on{{/complianceOn}}{{^complianceOn}}off{{/complianceOn}}</b> (adapter {{complianceAdapter}}).
    <a href="/rooms/admin/compliance">Status, verification of the journal, on and off</a></p>
    </section>
    """

    static let category = """
    <h1>Category {{original}}</h1>
    <p><a href="/rooms/admin">All categories</a> · <a href="/rooms?category={{link}}">Its rooms</a></p>
    {{> category-form}}
    <form method="post" action="/rooms/admin/category/remove" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="name" value="{{original}}">
    <button type="submit" class="danger">Remove this category</button>
    <p class="hint">Refused while it has rooms.</p>
    </form>
    """

    static let categoryForm = """
    <form method="post" action="{{action}}" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    {{#original}}<input type="hidden" name="original" value="{{original}}">{{/original}}
    <label for="cat-name">Name</label><input id="cat-name" name="name" value="{{catName}}" required maxlength="256">
    <label for="cat-description">Description</label><textarea id="cat-description" name="description" rows="2">{{catDescription}}</textarea>
    <label for="cat-allowed">Allowed (AllowedMembers)</label>
    <textarea id="cat-allowed" name="allowed" rows="3" aria-describedby="cat-principals">{{allowed}}</textarea>
    <label for="cat-denied">Denied (DeniedMembers, always wins)</label>
    <textarea id="cat-denied" name="denied" rows="2" aria-describedby="cat-principals">{{denied}}</textarea>
    <label for="cat-creators">Creators (may create rooms; must be in scope)</label>
    <textarea id="cat-creators" name="creators" rows="2" aria-describedby="cat-principals">{{creators}}</textarea>
    <p id="cat-principals" class="hint">One per line: user@domain (or a user name of this server), group:NAME or a domain.</p>
    <label><input type="checkbox" name="invitations" value="yes"{{#invitations}} checked{{/invitations}}> Rooms send invitations</label>
    <label><input type="checkbox" name="file-upload" value="yes"{{#fileUpload}} checked{{/fileUpload}}> Rooms accept files</label>
    <label><input type="checkbox" name="chat-history" value="yes"{{#chatHistory}} checked{{/chatHistory}}> Keep chat history</label>
    <button type="submit">{{submitLabel}}</button>
    </form>
    """

    static let roomAdminister = """
    <section class="manage" aria-labelledby="administer"><h2 id="administer">Administration</h2>
    {{#mayEditContent}}
    <form method="post" action="/rooms/r/{{localpart}}/clear" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label for="until">Clear the history up to and including</label>
    <input id="until" name="until" type="date" required aria-describedby="until-hint">
    <p id="until-hint" class="hint">Deletes every message up to the end of that day (UTC), and the files they carried.</p>
    <button type="submit" class="danger">Clear the history</button>
    </form>
    <form method="post" action="/rooms/r/{{localpart}}/messages#remove-messages" class="stack" id="remove-messages">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <h3>Remove or replace messages</h3>
    <label for="rm-authors">Authors (one per line; empty: anyone)</label><textarea id="rm-authors" name="authors" rows="2">{{rmAuthors}}</textarea>
    <label for="rm-from">From (UTC date or date-time)</label><input id="rm-from" name="from" value="{{rmFrom}}" placeholder="2026-11-21">
    <label for="rm-to">To (inclusive)</label><input id="rm-to" name="to" value="{{rmTo}}" placeholder="2026-11-30">
    <label for="rm-keywords">Keywords (or the phrase, for exact)</label><input id="rm-keywords" name="keywords" value="{{rmKeywords}}">
    <label for="rm-match">Match</label>
    <select id="rm-match" name="match">{{#matchOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/matchOptions}}</select>
    <label><input type="checkbox" name="case-sensitive" value="yes"{{#rmCase}} checked{{/rmCase}}> Case sensitive</label>
    <label for="rm-action">Action</label>
    <select id="rm-action" name="action">{{#actionOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/actionOptions}}</select>
    <label for="rm-replacement">Replacement text</label><input id="rm-replacement" name="replacement" value="{{rmReplacement}}">
    <p class="hint">Preview first: applying uses the filters as they are in this form.</p>
    <button type="submit" name="step" value="preview">Preview what matches</button>
    {{#preview}}<button type="submit" name="step" value="apply" class="danger">Apply to the matching messages</button>{{/preview}}
    </form>
    {{#preview}}<div class="preview" role="status"><p>{{summary}} {{shown}}</p>{{#hasResults}}<ol class="messages">{{#results}}{{> message}}{{/results}}</ol>{{/hasResults}}</div>{{/preview}}
    {{/mayEditContent}}
    <form method="post" action="/rooms/r/{{localpart}}/delete" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" class="danger">Delete this room and its messages</button>
    </form>
    </section>
    """

    /// A form of the service section: the operation and the CSRF token first.
    /// `danger` forms are a small Remove button beside an entry; the others stack their fields.
    static func serviceForm(_ op: String, _ fields: String, button: String, danger: Bool = false) -> String {
        """
        <form method="post" action="/rooms/admin/service" class="\(danger ? "inline" : "stack")">\
        <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="op" value="\(op)">\(fields)\
        <button type="submit"\(danger ? " class=\"small\"" : "")>\(button)</button></form>
        """
    }

    static let adminService = """
    <section aria-labelledby="service"><h2 id="service">Service settings</h2>
    <form method="post" action="/rooms/admin/service" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="op" value="settings">
    {{#settings}}<label for="setting-{{key}}">{{key}}</label><input id="setting-{{key}}" name="{{key}}" value="{{value}}">{{/settings}}
    <p class="hint">An empty RoomManagementUrl points clients at these pages.</p>
    <button type="submit">Save the settings</button>
    </form>
    </section>
    <section aria-labelledby="addins"><h2 id="addins">Add-ins</h2>
    <ul class="principals">{{#addIns}}<li>{{addInName}} <code>{{url}}</code> \(serviceForm("addin-remove", "<input type=\"hidden\" name=\"name\" value=\"{{addInName}}\">", button: "Remove", danger: true))</li>{{/addIns}}</ul>
    \(serviceForm("addin-add", "<label for=\"addin-name\">Name</label><input id=\"addin-name\" name=\"name\" required maxlength=\"50\"><label for=\"addin-url\">URL (http or https)</label><input id=\"addin-url\" name=\"url\" required maxlength=\"255\">", button: "Register the add-in"))
    </section>
    <section aria-labelledby="policy"><h2 id="policy">Who may use persistent chat</h2>
    <p>Everyone, unless an override says otherwise: <b>{{#policyOn}}on{{/policyOn}}{{^policyOn}}off{{/policyOn}}</b></p>
    <ul class="principals">{{#overrides}}<li>{{jid}}: {{state}}</li>{{/overrides}}</ul>
    \(serviceForm("policy", "<label for=\"policy-user\">User (empty: everyone)</label><input id=\"policy-user\" name=\"user\"><label for=\"policy-enabled\">Persistent chat</label><select id=\"policy-enabled\" name=\"enabled\"><option value=\"on\">on</option><option value=\"off\">off</option><option value=\"default\">back to the default</option></select>", button: "Set the policy"))
    </section>
    <section aria-labelledby="groups"><h2 id="groups">Groups</h2>
    <ul class="principals">{{#groups}}<li><b>group:{{group}}</b>: {{members}} \(serviceForm("group-delete", "<input type=\"hidden\" name=\"name\" value=\"{{group}}\">", button: "Remove", danger: true))</li>{{/groups}}</ul>
    \(serviceForm("group-create", "<label for=\"group-name\">New group</label><input id=\"group-name\" name=\"name\" required><label for=\"group-members\">Members (one per line or comma-separated)</label><textarea id=\"group-members\" name=\"members\" rows=\"2\"></textarea>", button: "Create the group"))
    \(serviceForm("group-add", "<label for=\"group-add-name\">Add to group</label><input id=\"group-add-name\" name=\"name\" required><label for=\"group-add-members\">Users</label><input id=\"group-add-members\" name=\"members\" required>", button: "Add"))
    \(serviceForm("group-remove", "<label for=\"group-remove-name\">Remove from group</label><input id=\"group-remove-name\" name=\"name\" required><label for=\"group-remove-members\">Users</label><input id=\"group-remove-members\" name=\"members\" required>", button: "Remove"))
    </section>
    <section aria-labelledby="administrators"><h2 id="administrators">Administrators</h2>
    <ul class="principals">{{#administrators}}<li>{{jid}} ({{role}}) \(serviceForm("admin-remove", "<input type=\"hidden\" name=\"user\" value=\"{{jid}}\">", button: "Remove", danger: true))</li>{{/administrators}}</ul>
    \(serviceForm("admin-add", "<label for=\"admin-user\">User</label><input id=\"admin-user\" name=\"user\" required><label for=\"admin-role\">Role</label><select id=\"admin-role\" name=\"role\"><option>chat</option><option>server</option></select>", button: "Make administrator"))
    <p class="hint">Only server administrators grant or take the server role.</p>
    </section>
    """
}
