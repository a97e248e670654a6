// Applies D1 migrations once per test worker (setup files may run more than once; applied ones are skipped).
import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
