import { defineConfig } from "drizzle-kit";

// Generates flat SQL migrations (migrations/NNNN_name.sql) that wrangler d1 migrations apply can run.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema.ts",
  out: "./migrations",
});
