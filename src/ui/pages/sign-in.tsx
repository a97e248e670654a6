// Sign-in: a plain HTML form (works without JavaScript) that trades the ADMIN_TOKEN for a session cookie.
import type { FC } from "hono/jsx";
import { Layout } from "../layout";

export const SignInPage: FC<{ next: string; error?: string }> = ({ next, error }) => (
  <Layout title="Sign in" area={null}>
    <section class="card narrow">
      <h1>Sign in</h1>
      <p class="muted">Enter the admin token to manage channels. It is the ADMIN_TOKEN secret; for a local run, `npm start` prints it.</p>
      {error && (
        <p class="alert bad" role="alert">
          {error}
        </p>
      )}
      <form method="post" action="/sign-in">
        <input type="hidden" name="next" value={next} />
        {/* Lets password managers file the token under a name; the server ignores it. */}
        <input type="text" name="username" value="admin" autocomplete="username" hidden />
        <label for="token">Admin token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" required autofocus aria-invalid={error ? "true" : undefined} />
        <button type="submit" class="primary">
          Sign in
        </button>
      </form>
    </section>
  </Layout>
);
