/// The administrators' templates (see `WebTemplates`).
enum WebAdminTemplates {
    static let all: [String: String] = [
        "admin": admin, "category": category, "category-form": categoryForm, "room-administer": roomAdminister,
    ]

    static let admin = """
    <h1>Administration</h1>
    <p class="muted">Add-ins, service settings, user policy, groups, administrators and message removal are in the
    command line (<code>salon</code>) and the ad-hoc commands on the chat service.</p>
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
    {{/mayEditContent}}
    <form method="post" action="/rooms/r/{{localpart}}/delete" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <button type="submit" class="danger">Delete this room and its messages</button>
    </form>
    </section>
    """
}
