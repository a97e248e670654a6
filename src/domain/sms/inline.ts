// Inline markdown (emphasis, code spans, links, images) flattened to what a phone shows as plain text. Split from
// the block pass in markdown.ts so each stays readable; only that pass calls this.

// Code, URLs and escaped characters are parked behind private-use placeholders so the emphasis rules never see
// them: `a_b_c`, https://x.test/some_path_name and \* must come out untouched.
const OPEN = "\ue000";
const CLOSE = "\ue001";
const PLACEHOLDER = /\ue000(\d+)\ue001/g;

// A link destination may hold one level of balanced parentheses (Wikipedia-style URLs).
const DESTINATION = String.raw`((?:[^()\s]|\([^()\s]*\))+)(?:\s+"[^"]*")?`;
const IMAGE = new RegExp(String.raw`!\[([^\]]*)\]\(` + DESTINATION + String.raw`\)`, "g");
const LINK = new RegExp(String.raw`\[([^\]]+)\]\(` + DESTINATION + String.raw`\)`, "g");
const AUTOLINK = /<((?:https?:\/\/|mailto:)[^\s>]+|[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)>/g;
const BARE_URL = /\bhttps?:\/\/[^\s<>]*[^\s<>.,;:!?'")\]]/g;

// Emphasis needs a non-space right inside the markers, and single `*`/`_` must not touch a word character outside
// them, so 2*3*4 and snake_case_names survive; nor may a closing `_` run straight into a file extension
// (__init__.py).
const STRONG_STAR = /\*\*(?=\S)(.+?)(?<=\S)\*\*/g;
const STRONG_UNDERSCORE = /(?<![\p{L}\p{N}_])__(?=\S)(.+?)(?<=\S)__(?![\p{L}\p{N}_]|\.[\p{L}\p{N}])/gu;
const STRIKE = /~~(?=\S)(.+?)(?<=\S)~~/g;
const EM_STAR = /(?<![\p{L}\p{N}*\\])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\p{L}\p{N}*])/gu;
const EM_UNDERSCORE = /(?<![\p{L}\p{N}_])_(?=[^\s_])(.+?)(?<=[^\s_])_(?![\p{L}\p{N}_]|\.[\p{L}\p{N}])/gu;

export function inlineToPlain(line: string): string {
  const parked: string[] = [];
  const park = (text: string) => `${OPEN}${parked.push(text) - 1}${CLOSE}`;

  let out = line.replace(/[\ue000\ue001]/g, "");
  out = out.replace(/(?<!`)(`+)(.+?)\1(?!`)/g, (_m, _ticks: string, code: string) => park(code.trim() || code));
  out = out.replace(/\\([\\`*_{}[\]()#+\-.!|~>])/g, (_m, char: string) => park(char));
  out = out.replace(IMAGE, (_m, alt: string, url: string) => (alt.trim() ? `${alt.trim()} (${park(url)})` : park(url)));
  out = out.replace(LINK, (_m, text: string, url: string) => linkToPlain(text, url, park));
  out = out.replace(AUTOLINK, (_m, target: string) => park(target.replace(/^mailto:/, "")));
  out = out.replace(BARE_URL, (url) => park(url));
  out = out.replace(/<br\s*\/?>/gi, "\n");

  // Strong before emphasis, so ***x*** loses both layers.
  for (const rule of [STRONG_STAR, STRONG_UNDERSCORE, STRIKE, EM_STAR, EM_UNDERSCORE]) {
    out = out.replace(rule, "$1");
  }
  // Placeholders can nest (a code span parked inside a link's URL), so unpark until nothing changes.
  for (let before = ""; before !== out; ) {
    before = out;
    out = out.replace(PLACEHOLDER, (_m, i: string) => parked[Number(i)] ?? "");
  }
  return out;
}

function linkToPlain(text: string, url: string, park: (s: string) => string): string {
  // [example.com](https://example.com/) and [me@x.test](mailto:me@x.test) say the same thing twice.
  const bare = (s: string) => s.trim().replace(/^(https?:\/\/|mailto:|tel:)/i, "").replace(/\/$/, "").toLowerCase();
  if (bare(text) === bare(url)) return park(/^(mailto|tel):/i.test(url) ? text.trim() : url);
  return `${text.trim()} (${park(url)})`;
}
