// A long reply's whole text, for the person who got the SMS that was cut (/r/:token): no sign-in, no script, one
// readable column on a phone. The text is the agent's, so it is only ever rendered as escaped text.
import { raw } from "hono/html";
import type { FC } from "hono/jsx";
import { PageHead } from "../layout";

const Page: FC<{ title: string; children?: unknown }> = ({ title, children }) => (
  <>
    {raw("<!DOCTYPE html>")}
    <html lang="en">
      <PageHead title={title} stylesheet="/ui/reply.css">
        <meta name="robots" content="noindex" />
      </PageHead>
      <body>
        <main>{children}</main>
      </body>
    </html>
  </>
);

export const ReplyPage: FC<{ text: string; sentAt: number }> = ({ text, sentAt }) => (
  <Page title="Full reply">
    <p class="when">
      Sent <time datetime={new Date(sentAt).toISOString()}>{new Date(sentAt).toUTCString()}</time>
    </p>
    <article data-testid="full-reply">{text}</article>
  </Page>
);

export const ReplyGonePage: FC = () => (
  <Page title="Reply not found">
    <h1>Reply not found</h1>
    <p>This link is wrong or has expired: replies are kept for a limited time.</p>
  </Page>
);
