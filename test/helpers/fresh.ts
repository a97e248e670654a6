// For test files that assert on global state (lists, handles, policy versions) or create watches on "any
// signal-mode channel" (which would take codes meant for other files): every test starts from empty storage,
// and the file leaves none behind. reset() wipes all bindings' data, D1 included, so the schema is applied again.
import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterAll, beforeEach } from "vitest";

async function fresh() {
  await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
}

export function freshStorageEachTest() {
  beforeEach(fresh);
  afterAll(fresh);
}
