// Every test starts from empty storage with the D1 migrations applied: reset() wipes all bindings' data
// (D1 included, so the schema is applied again), which keeps tests independent of the order they run in.
import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);

beforeEach(async () => {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});
