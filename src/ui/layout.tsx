// The page frame every settings screen shares: head, skip link, navigation, sign-out, and the scripts a page asks
// for. The CSRF token rides on <body data-csrf> so the page scripts can send it with every /api call.
import { raw } from "hono/html";
import type { Child, FC } from "hono/jsx";
import type { Tone } from "./words";

export type NavArea = "channels" | "policies" | null;

interface LayoutProps {
  title: string;
  area: NavArea;
  /** Absent on the sign-in page, where there is no session yet. */
  csrf?: string;
  scripts?: string[];
  /** Stylesheets besides app.css, by name under /ui (e.g. "docs" for the API reference). */
  styles?: string[];
  children?: Child;
}

/** The head every page of ours starts with: encoding, a phone-sized viewport, light and dark, one stylesheet. */
export const PageHead: FC<{ title: string; stylesheet: string; children?: Child }> = ({ title, stylesheet, children }) => (
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>{title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href={stylesheet} />
    {children}
  </head>
);

export const Layout: FC<LayoutProps> = ({ title, area, csrf, scripts = [], styles = [], children }) => (
  <>
    {raw("<!DOCTYPE html>")}
    <html lang="en">
      <PageHead title={`${title} · textgate`} stylesheet="/ui/app.css">
        {styles.map((s) => (
          <link rel="stylesheet" href={`/ui/${s}.css`} />
        ))}
        {csrf && <script src="/ui/core.js" defer></script>}
        {scripts.map((s) => (
          <script src={`/ui/${s}.js`} defer></script>
        ))}
      </PageHead>
      <body data-csrf={csrf}>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="top">
          <a class="brand" href="/settings/channels">
            textgate
          </a>
          {csrf && (
            <nav aria-label="Settings">
              <a href="/settings/channels" aria-current={area === "channels" ? "page" : undefined}>
                Channels
              </a>
              {/* Policies: the Cedar policy editor (src/ui/pages/policies.tsx), backed by /api/policies. */}
              <a href="/settings/policies" aria-current={area === "policies" ? "page" : undefined}>
                Policies
              </a>
              <form method="post" action="/sign-out" class="inline">
                <input type="hidden" name="csrf" value={csrf} />
                <button type="submit" class="link">
                  Sign out
                </button>
              </form>
            </nav>
          )}
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  </>
);

export const Badge: FC<{ tone: Tone; children?: Child; testid?: string }> = ({ tone, children, testid }) => (
  <span class={`badge ${tone}`} data-testid={testid}>
    {children}
  </span>
);

/** A <time> the page script rewrites into the reader's local time; UTC until it does. */
export const When: FC<{ iso: string }> = ({ iso }) => <time datetime={iso}>{iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")}</time>;

/** Where the page script puts an error for the field named by the API's issue path (e.g. "config.account_sid"). */
export const FieldError: FC<{ path: string }> = ({ path }) => <p class="field-error" data-error-for={path} id={`err-${path}`} role="alert" hidden></p>;
