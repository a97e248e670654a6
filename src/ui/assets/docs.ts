// The API reference page's stylesheet (/ui/docs.css), on top of app.css: method badges, field tables, examples.
export const docsCss = String.raw`
main:has(> .docs) { max-width: 64rem; }
.docs code, .docs pre { font: .9rem/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.docs pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; overflow-x: auto; margin: .4rem 0 .8rem; }
.docs table { border-collapse: collapse; width: 100%; margin: .4rem 0 .8rem; }
.docs th, .docs td { text-align: left; vertical-align: top; padding: .35rem .5rem; border-top: 1px solid var(--line); }
.docs th { font-weight: 500; white-space: nowrap; width: 1%; }
.docs h3 { font-size: 1.05rem; margin: 0 0 .5rem; word-break: break-all; }
.docs h4 { font-size: .95rem; margin: .75rem 0 .25rem; }
.docs dt { margin-top: .5rem; }
.docs dd { margin: .2rem 0 0 1rem; }
.docs .muted { color: var(--muted); }
.docs .method { display: inline-block; min-width: 4.2rem; text-align: center; border-radius: 4px; padding: 0 .35rem; font: 600 .8rem/1.6 ui-monospace, monospace;
  background: var(--off-bg); color: var(--off); }
.docs .method.get { background: var(--ok-bg); color: var(--ok); }
.docs .method.post, .docs .method.put, .docs .method.patch { background: var(--wait-bg); color: var(--wait); }
.docs .method.delete { background: var(--bad-bg); color: var(--bad); }
.docs .toc { columns: 2 20rem; margin: 1rem 0 2rem; }
.docs .toc div { break-inside: avoid; }
.docs .toc h2 { font-size: 1rem; margin: .5rem 0 .25rem; }
.docs .toc ul { list-style: none; margin: 0; padding: 0; }
.docs .toc a { text-decoration: none; }
.docs .variant { border-left: 3px solid var(--line); padding-left: .75rem; margin: .4rem 0; }
`;
