// The settings UI's stylesheet, served at /ui/app.css: system fonts, strong contrast, light and dark, one column on
// narrow screens. A string module so there is no build step and nothing loads from a CDN.
export const css = String.raw`
:root { --bg:#f6f7f9; --fg:#14161a; --muted:#535a66; --card:#fff; --line:#d5d9e0; --accent:#0b57d0; --accent-fg:#fff;
  --ok:#0a6b2e; --ok-bg:#dcf3e3; --wait:#7a4b00; --wait-bg:#fff0cc; --bad:#a3111a; --bad-bg:#fde2e3; --off:#454b55; --off-bg:#e8eaee;
  --focus:#ffbf47; color-scheme: light dark; }
@media (prefers-color-scheme: dark) { :root { --bg:#111317; --fg:#eef0f3; --muted:#a9b0bc; --card:#1b1e24; --line:#353a44;
  --accent:#8ab4f8; --accent-fg:#0b1a33; --ok:#8fe0a8; --ok-bg:#133a22; --wait:#ffd27a; --wait-bg:#3a2c0c; --bad:#ffb3b8;
  --bad-bg:#4a1519; --off:#c9ced6; --off-bg:#2b3038; } }
* { box-sizing: border-box; }
html { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; background: var(--bg); color: var(--fg); }
body { margin: 0; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--card); padding: .5rem 1rem; }
.skip:focus { left: .5rem; z-index: 10; }
.top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; justify-content: space-between; padding: .75rem 1.25rem;
  background: var(--card); border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; text-decoration: none; color: var(--fg); font-size: 1.1rem; }
nav { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; }
nav a { text-decoration: none; padding: .25rem 0; border-bottom: 2px solid transparent; }
nav a[aria-current="page"] { border-color: var(--accent); color: var(--fg); font-weight: 600; }
main { max-width: 52rem; margin: 0 auto; padding: 1.25rem; }
h1 { font-size: 1.6rem; margin: .25rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
.page-head { display: flex; flex-wrap: wrap; gap: .75rem; align-items: center; justify-content: space-between; }
.page-head h1 { margin-bottom: .25rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1rem 1.25rem; margin: 0 0 1rem; }
.narrow { max-width: 26rem; margin: 3rem auto; }
.stack > * + * { margin-top: .75rem; }
.row { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .75rem; }
.muted { color: var(--muted); }
.small { font-size: .875rem; }
.mono, code, textarea { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.crumbs { margin: 0 0 .25rem; font-size: .9rem; }
.hint { color: var(--muted); font-size: .9rem; margin: .25rem 0; }
.lead { font-size: 1.1rem; }
label { display: block; font-weight: 600; margin: .75rem 0 .25rem; }
label.choice { display: inline-flex; gap: .4rem; align-items: center; font-weight: 500; margin: 0 1rem 0 0; }
input:not([type=radio]), select, textarea { width: 100%; padding: .55rem .65rem; font: inherit; color: var(--fg); background: var(--bg);
  border: 1px solid var(--line); border-radius: 6px; }
textarea { font-size: .9rem; line-height: 1.45; resize: vertical; }
[aria-invalid="true"] { border-color: var(--bad) !important; }
fieldset { border: 0; padding: 0; margin: 0 0 1rem; }
legend { font-weight: 700; font-size: 1.05rem; padding: 0; margin-bottom: .25rem; }
.segmented { display: flex; flex-wrap: wrap; gap: .5rem; }
.segmented .choice { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; margin: 0; }
.segmented .choice:has(input:checked) { border-color: var(--accent); box-shadow: inset 0 0 0 1px var(--accent); }
button, .button { font: inherit; font-weight: 600; border-radius: 6px; padding: .5rem 1rem; cursor: pointer; border: 1px solid var(--line);
  background: var(--card); color: var(--fg); text-decoration: none; display: inline-block; }
button.primary, .button.primary { background: var(--accent); color: var(--accent-fg); border-color: var(--accent); }
button.danger { color: var(--bad); border-color: currentColor; }
button.link { background: none; border: 0; padding: .25rem 0; color: var(--accent); font-weight: 400; text-decoration: underline; }
button[disabled], button[aria-busy="true"] { opacity: .6; cursor: progress; }
form.inline { display: inline; }
.badge { display: inline-block; font-size: .8rem; font-weight: 700; padding: .15rem .6rem; border-radius: 999px; white-space: nowrap; }
.badge.ok { color: var(--ok); background: var(--ok-bg); } .badge.wait { color: var(--wait); background: var(--wait-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); } .badge.off { color: var(--off); background: var(--off-bg); }
.alert { border-radius: 8px; padding: .75rem 1rem; margin: .5rem 0; }
.alert.bad { background: var(--bad-bg); color: var(--fg); border-left: 4px solid var(--bad); }
.alert.warn { background: var(--wait-bg); color: var(--fg); border-left: 4px solid var(--wait); }
.alert p { margin: .25rem 0 .5rem; }
.field-error { color: var(--bad); font-size: .9rem; margin: .25rem 0 0; }
.bad-text { color: var(--bad); }
.channel-list, .messages, .paired { list-style: none; margin: 0; padding: 0; }
.channel-row { display: flex; gap: 1rem; align-items: center; justify-content: space-between; }
.channel-row .title { font-weight: 600; font-size: 1.05rem; }
.channel-row p { margin: .2rem 0 0; }
.code { font: 700 clamp(2.5rem, 12vw, 4.5rem)/1.1 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; letter-spacing: .15em; margin: .5rem 0; }
.paired li { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; padding: .35rem 0; border-bottom: 1px solid var(--line); }
.messages li { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: .6rem .9rem; margin: 0 0 .5rem; }
.messages li.outbound { border-left: 4px solid var(--accent); }
.messages .meta { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; color: var(--muted); }
.messages .body { margin: .3rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.messages .reason { margin: .25rem 0 0; }
.split { display: flex; justify-content: space-between; gap: 1rem; }
.live { font-size: .85rem; color: var(--muted); }
.live:not(:empty)::before { content: "●"; margin-right: .35rem; color: var(--ok); }
[data-live-state="closed"] .live::before { color: var(--wait); }
details summary { cursor: pointer; font-weight: 700; }
.empty { text-align: center; }
.watches { list-style: none; padding: 0; }
.watches li { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; justify-content: space-between; padding: .35rem 0; border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1rem 0 .25rem; }
.fields { display: grid; grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr)); gap: 0 1rem; }
.danger-zone { border-color: var(--bad); }
.verdict { font-weight: 700; }
.verdict.allow { color: var(--ok); } .verdict.deny { color: var(--bad); }
pre.policy { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; overflow-x: auto; font-size: .85rem; margin: .25rem 0 .75rem; }
@media (max-width: 36rem) { .channel-row { flex-direction: column; align-items: flex-start; } main { padding: .75rem; } }
.media { list-style: none; display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: .25rem 0; font-size: .875rem; }
.media .thumb { display: block; max-width: 8rem; max-height: 8rem; border-radius: 6px; border: 1px solid var(--line); }
`;
