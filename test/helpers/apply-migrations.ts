// Applies the D1 migrations before each test file (applied ones are skipped, so this is cheap when nothing
// changed, and restores the schema after a file that wiped storage). Files that assert on global state (lists,
// handles, policy versions) also call freshStorageEachTest().
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeAll } from "vitest";

beforeAll(() => applyD1Migrations(env.DB, env.TEST_MIGRATIONS));
