/// The one stylesheet of the room pages: readable on a phone, no fonts or images fetched.
enum WebStyle {
    static let css = """
    :root { color-scheme: light dark; --fg: #1d2330; --muted: #5b6475; --bg: #fbfbfd; --card: #ffffff; --line: #d9dde5;
      --accent: #2459c7; --accent-fg: #ffffff; --danger: #b3261e; --ok: #1e6b34; }
    @media (prefers-color-scheme: dark) { :root { --fg: #e6e8ee; --muted: #a3abbb; --bg: #14171d; --card: #1c2028; --line: #343a46;
      --accent: #7aa2ff; --accent-fg: #0d1220; --danger: #ff8a80; --ok: #8fd19e; } }
    * { box-sizing: border-box; }
    body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
    header.top { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; justify-content: space-between;
      padding: .6rem 1rem; border-bottom: 1px solid var(--line); background: var(--card); }
    .brand { font-weight: 700; text-decoration: none; color: var(--fg); }
    nav { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; }
    .who { color: var(--muted); overflow-wrap: anywhere; }
    main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
    h1 { font-size: 1.6rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
    h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
    a { color: var(--accent); }
    a:focus, button:focus, input:focus, select:focus, textarea:focus { outline: 3px solid var(--accent); outline-offset: 2px; }
    .lead { font-size: 1.1rem; overflow-wrap: anywhere; }
    .muted, .hint { color: var(--muted); }
    .hint { font-size: .9rem; margin: .2rem 0 .6rem; }
    .notice, .error, .warning { padding: .6rem .8rem; border-radius: .4rem; border: 1px solid; overflow-wrap: anywhere; }
    .notice { color: var(--ok); }
    .error, .warning { color: var(--danger); }
    form.stack { display: flex; flex-direction: column; max-width: 34rem; gap: .25rem; }
    form.stack button { align-self: flex-start; margin-top: .6rem; }
    form.inline { display: inline; }
    form.search { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; margin-bottom: 1rem; }
    form.search div { display: flex; flex-direction: column; }
    form.add { max-width: 34rem; margin-top: .5rem; }
    .row { display: flex; gap: .5rem; }
    .row input { flex: 1; min-width: 0; }
    label { font-weight: 600; }
    input, select, textarea { font: inherit; color: inherit; background: var(--card); border: 1px solid var(--line);
      border-radius: .35rem; padding: .45rem .55rem; max-width: 100%; }
    button, .button { font: inherit; cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-fg);
      border-radius: .35rem; padding: .4rem .9rem; text-decoration: none; display: inline-block; }
    button.small { padding: .1rem .5rem; font-size: .85rem; background: transparent; color: var(--accent); }
    button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
    header button { background: transparent; color: var(--accent); }
    table.rooms { width: 100%; border-collapse: collapse; background: var(--card); }
    table.rooms th, table.rooms td { text-align: left; padding: .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
    .desc { color: var(--muted); font-size: .9rem; overflow-wrap: anywhere; }
    .tag { font-size: .8rem; border: 1px solid var(--line); border-radius: .3rem; padding: 0 .3rem; color: var(--muted); }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
    dl.facts dt { font-weight: 600; }
    dl.facts dd { margin: 0; overflow-wrap: anywhere; }
    code { overflow-wrap: anywhere; }
    ul.principals, ul.occupants { padding-left: 1.2rem; }
    ul.principals li { margin: .2rem 0; overflow-wrap: anywhere; }
    ol.messages { list-style: none; padding: 0; }
    ol.messages li { padding: .35rem 0; border-bottom: 1px solid var(--line); overflow-wrap: anywhere; }
    ol.messages time { color: var(--muted); font-size: .85rem; margin-right: .3rem; }
    section.manage { border-top: 2px solid var(--line); margin-top: 2rem; }
    form.stack + form.stack { margin-top: 1rem; }
    .preview { border-left: 3px solid var(--danger); padding-left: .8rem; }
    @media (max-width: 40rem) {
      table.rooms thead { display: none; }
      table.rooms tr { display: block; border-bottom: 1px solid var(--line); padding: .3rem 0; }
      table.rooms td { display: inline-block; border: 0; padding: .1rem .5rem .1rem 0; }
      table.rooms td:first-child { display: block; }
      form.search { flex-direction: column; align-items: stretch; }
    }
    """
}
