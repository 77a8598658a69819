import { defineConfig } from "drizzle-kit";

// One schema, two drivers: the same SQL migrations serve PostgreSQL and embedded PGlite.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
