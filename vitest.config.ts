import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: PGlite start-up is heavy, so files run in a small pool.
    pool: "forks",
    maxWorkers: 2,
  },
});
