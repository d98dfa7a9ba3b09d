/// The room pages' Mustache templates, embedded so the binary carries everything it serves.
/// `{{…}}` is HTML-escaped (quotes too); `{{{body}}}` only takes a page already rendered here.
enum WebTemplates {
    static let all: [String: String] = [
        "layout": layout, "sign-in": signIn, "rooms": rooms, "room": room, "room-manage": roomManage, "new-room": newRoom,
        "message": message, "message-page": messagePage,
    ].merging(WebAdminTemplates.all) { first, _ in first }

    static let messagePage = """
    <h1>{{heading}}</h1>
    <p><a href="/rooms">Back to the rooms</a></p>
    """

    static let layout = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>{{title}} – Salon</title>
    <link rel="stylesheet" href="/rooms/style.css">
    </head>
    <body>
    <header class="top">
    <a class="brand" href="/rooms">Salon rooms</a>
    {{#user}}
    <nav aria-label="Account">
    {{#administrator}}<a href="/rooms/admin">Administration</a>{{/administrator}}
    <span class="who">{{account}}</span>
    <form method="post" action="/rooms/sign-out" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><button type="submit">Sign out</button></form>
    </nav>
    {{/user}}
    </header>
    <main>
    {{#notice}}<p class="notice" role="status">{{notice}}</p>{{/notice}}
    {{#error}}<p class="error" role="alert">{{error}}</p>{{/error}}
    {{{body}}}
    </main>
    </body>
    </html>
    """

    static let signIn = """
    <h1>Sign in</h1>
    <p>Sign in with your chat account and its password.</p>
    <form method="post" action="/rooms/sign-in" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    {{#next}}<input type="hidden" name="next" value="{{next}}">{{/next}}
    <label for="account">Account</label>
    <input id="account" name="account" autocomplete="username" required value="{{account}}">
    <label for="password">Password</label>
    <input id="password" name="password" type="password" autocomplete="current-password" required>
    <button type="submit">Sign in</button>
    </form>
    """

    static let rooms = """
    <h1>Rooms</h1>
    {{#mayCreate}}<p><a class="button" href="/rooms/new">Create a room</a></p>{{/mayCreate}}
    <form method="get" action="/rooms" class="search" role="search">
    <div><label for="q">Name or description</label><input id="q" name="q" value="{{q}}"></div>
    <div><label for="category">Category</label>
    <select id="category" name="category"><option value="">Any</option>{{#categories}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/categories}}</select></div>
    {{#administrator}}
    <div><label for="member">Member</label><input id="member" name="member" value="{{member}}"></div>
    <div><label for="manager">Manager</label><input id="manager" name="manager" value="{{manager}}"></div>
    <div><label for="addin">Add-in</label><select id="addin" name="addin">{{#addInOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/addInOptions}}</select></div>
    <div><label for="privacy">Privacy</label><select id="privacy" name="privacy">{{#privacyOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/privacyOptions}}</select></div>
    <div><label for="type">Type</label><select id="type" name="type">{{#typeOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/typeOptions}}</select></div>
    <div><label for="disabled">Disabled</label><select id="disabled" name="disabled">{{#disabledOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/disabledOptions}}</select></div>
    {{/administrator}}
    <div><button type="submit">Search</button></div>
    </form>
    <p class="muted">{{summary}}</p>
    {{#hasRooms}}
    <table class="rooms">
    <thead><tr><th scope="col">Room</th><th scope="col">Category</th><th scope="col">Privacy</th><th scope="col">Type</th></tr></thead>
    <tbody>
    {{#rooms}}<tr><td><a href="/rooms/r/{{localpart}}">{{name}}</a>{{#description}}<div class="desc">{{description}}</div>{{/description}}{{#disabled}} <span class="tag">disabled</span>{{/disabled}}</td><td>{{category}}</td><td>{{privacy}}</td><td>{{type}}</td></tr>
    {{/rooms}}
    </tbody>
    </table>
    {{/hasRooms}}
    <p class="pager">{{#previous}}<a href="{{previous}}">Previous rooms</a>{{/previous}} {{#next}}<a href="{{next}}">More rooms</a>{{/next}}</p>
    """

    static let message = """
    <li><time datetime="{{iso}}">{{when}}</time> <b class="nick">{{nick}}</b> {{#retracted}}<i class="muted">(removed)</i>{{/retracted}}{{^retracted}}<span class="body">{{body}}</span>{{/retracted}}</li>
    """

    static let room = """
    <h1>{{name}}</h1>
    {{#description}}<p class="lead">{{description}}</p>{{/description}}
    {{#disabled}}<p class="warning">This room is disabled: only its managers and the administrators reach it.</p>{{/disabled}}
    <p class="join"><a class="button" href="{{joinLink}}">Join in your chat client</a> <code>{{address}}</code></p>
    <dl class="facts">
    <dt>Category</dt><dd>{{category}}</dd>
    <dt>Type</dt><dd>{{type}}</dd>
    <dt>Privacy</dt><dd>{{privacy}}</dd>
    <dt>Invitations</dt><dd>{{invitations}}</dd>
    {{#addIn}}<dt>Add-in</dt><dd>{{#url}}<a href="{{url}}" rel="noopener noreferrer">{{addInName}}</a>{{/url}}{{^url}}{{addInName}}{{/url}}</dd>{{/addIn}}
    </dl>
    {{#lists}}
    <section class="list" aria-labelledby="list-{{key}}">
    <h2 id="list-{{key}}">{{title}}</h2>
    {{#hasEntries}}<ul class="principals">{{#entries}}<li><span>{{principal}}</span>{{#manage}} <form method="post" action="/rooms/r/{{localpart}}/roles" class="inline"><input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="list" value="{{key}}"><input type="hidden" name="action" value="remove"><input type="hidden" name="principal" value="{{principal}}"><button type="submit" class="small" aria-label="Remove {{principal}} from {{title}}">Remove</button></form>{{/manage}}</li>{{/entries}}</ul>{{/hasEntries}}
    {{^hasEntries}}<p class="muted">{{none}}</p>{{/hasEntries}}
    {{#manage}}<form method="post" action="/rooms/r/{{localpart}}/roles" class="add">
    <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="list" value="{{key}}"><input type="hidden" name="action" value="add">
    <label for="add-{{key}}">Add to {{title}}</label>
    <div class="row"><input id="add-{{key}}" name="principal" placeholder="user@domain, group:NAME or domain" aria-describedby="scope-{{key}}" required><button type="submit">Add</button></div>
    <p id="scope-{{key}}" class="hint">{{scope}}</p>
    </form>{{/manage}}
    </section>
    {{/lists}}
    {{#showOccupants}}
    <section aria-labelledby="occupants"><h2 id="occupants">In the room now</h2>
    {{#hasOccupants}}<ul class="occupants">{{#occupants}}<li>{{.}}</li>{{/occupants}}</ul>{{/hasOccupants}}
    {{^hasOccupants}}<p class="muted">Nobody is in the room.</p>{{/hasOccupants}}
    </section>
    {{/showOccupants}}
    {{#readable}}
    <section aria-labelledby="recent"><h2 id="recent">Recent messages</h2>
    {{#hasHistory}}<ol class="messages">{{#history}}{{> message}}{{/history}}</ol>{{/hasHistory}}
    {{^hasHistory}}<p class="muted">No messages yet.</p>{{/hasHistory}}
    </section>
    <section aria-labelledby="search"><h2 id="search">Search the archive</h2>
    <form method="get" action="/rooms/r/{{localpart}}#search" class="search" role="search">
    <div><label for="words">Words</label><input id="words" name="q" value="{{q}}" required maxlength="500"></div>
    <div><button type="submit">Search</button></div>
    </form>
    {{#search}}
    <p class="muted">{{summary}}</p>
    {{#hasResults}}<ol class="messages">{{#results}}{{> message}}{{/results}}</ol>{{/hasResults}}
    <p class="pager">{{#older}}<a href="{{older}}">Older results</a>{{/older}}</p>
    {{/search}}
    </section>
    {{/readable}}
    {{#historyNote}}<p class="muted">{{historyNote}}</p>{{/historyNote}}
    {{#manage}}{{> room-manage}}{{/manage}}
    {{#administer}}{{> room-administer}}{{/administer}}
    """

    static let roomManage = """
    <section class="manage" aria-labelledby="settings"><h2 id="settings">Settings</h2>
    <form method="post" action="/rooms/r/{{localpart}}/settings" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label for="name">Name</label><input id="name" name="name" value="{{name}}" required maxlength="256">
    <label for="description">Description</label><textarea id="description" name="description" rows="3">{{description}}</textarea>
    <label for="room-category">Category</label>
    <select id="room-category" name="category">{{#categoryOptions}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/categoryOptions}}</select>
    <p class="hint">Managers move a room only to a category where they are a Creator.</p>
    <label for="type">Type</label>
    <select id="type" name="type">{{#typeOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/typeOptions}}</select>
    <label for="privacy">Privacy</label>
    <select id="privacy" name="privacy">{{#privacyOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/privacyOptions}}</select>
    <p class="hint">Open: anyone in the category's scope finds and joins it. Closed: anyone in scope finds it, members join. Secret: only members find it.</p>
    <label for="invitations">Invitations</label>
    <select id="invitations" name="invitations">{{#invitationOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/invitationOptions}}</select>
    <label for="addin">Add-in</label>
    <select id="addin" name="addin">{{#addInOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/addInOptions}}</select>
    <button type="submit">Save settings</button>
    </form>
    <form method="post" action="/rooms/r/{{localpart}}/state" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    {{#disabled}}<input type="hidden" name="disabled" value="no"><button type="submit">Enable this room</button><p class="hint">Only administrators re-enable a room.</p>{{/disabled}}
    {{^disabled}}<input type="hidden" name="disabled" value="yes"><button type="submit" class="danger">Disable this room</button>{{/disabled}}
    </form>
    </section>
    """

    static let newRoom = """
    <h1>Create a room</h1>
    <form method="post" action="/rooms/new" class="stack">
    <input type="hidden" name="csrf" value="{{csrf}}">
    <label for="name">Name</label><input id="name" name="name" value="{{name}}" required maxlength="256">
    <label for="address">Address (optional)</label><input id="address" name="address" value="{{address}}" maxlength="64" aria-describedby="address-hint">
    <p id="address-hint" class="hint">1 to 64 of a–z, 0–9, '.', '_', '-'; made from the name when empty.</p>
    <label for="description">Description</label><textarea id="description" name="description" rows="3">{{description}}</textarea>
    <label for="room-category">Category</label>
    <select id="room-category" name="category">{{#categoryOptions}}<option{{#selected}} selected{{/selected}}>{{value}}</option>{{/categoryOptions}}</select>
    <label for="type">Type</label>
    <select id="type" name="type">{{#typeOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/typeOptions}}</select>
    <label for="privacy">Privacy</label>
    <select id="privacy" name="privacy">{{#privacyOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/privacyOptions}}</select>
    <label for="invitations">Invitations</label>
    <select id="invitations" name="invitations">{{#invitationOptions}}<option value="{{value}}"{{#selected}} selected{{/selected}}>{{value}}</option>{{/invitationOptions}}</select>
    <button type="submit">Create the room</button>
    </form>
    """
}
