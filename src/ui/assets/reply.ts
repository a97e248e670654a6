// The stylesheet of the full-reply page (/r/:token): the text in one readable column, light and dark.
export const replyCss = String.raw`
:root { color-scheme: light dark; --bg:#fff; --fg:#15171a; --muted:#555c66; }
@media (prefers-color-scheme: dark) { :root { --bg:#111317; --fg:#eef0f3; --muted:#a9b0bc; } }
body { margin: 0; background: var(--bg); color: var(--fg); font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 38rem; margin: 0 auto; padding: 1rem 1.1rem 3rem; }
article { white-space: pre-wrap; overflow-wrap: anywhere; }
.when { color: var(--muted); font-size: .85rem; margin: 0 0 1rem; }
h1 { font-size: 1.3rem; }
`;
