// For test files that assert on global state (lists, handles, policy versions): every test starts from empty
// storage. reset() wipes all bindings' data, D1 included, so the schema is applied again.
import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";

export function freshStorageEachTest() {
  beforeEach(async () => {
    await reset();
    await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  });
}
