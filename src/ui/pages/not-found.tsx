// The settings UI's 404, in HTML rather than the API's JSON error, for a channel that does not exist (any more).
import type { FC } from "hono/jsx";
import { Layout } from "../layout";

export const NotFoundPage: FC<{ csrf: string; what: string }> = ({ csrf, what }) => (
  <Layout title="Not found" area={null} csrf={csrf}>
    <h1>Not found</h1>
    <p>
      {what} does not exist. <a href="/settings/channels">Back to channels</a>
    </p>
  </Layout>
);
