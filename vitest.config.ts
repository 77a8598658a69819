import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: PGlite start-up is heavy, so files run in a small pool.
    pool: "forks",
    maxWorkers: 2,
    // Every Dalal log of the run in one directory, searched for the tests' secrets at the end.
    globalSetup: ["tests/security/global-setup.ts"],
    // Child processes the tests spawn log into that directory too.
    setupFiles: ["tests/security/capture-children.ts"],
  },
});
