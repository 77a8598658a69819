import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = fileURLToPath(new URL("../../../src/engine/indicators/", import.meta.url));

describe("indicator sources", () => {
  it("do no I/O and never read the clock", () => {
    const files = readdirSync(SRC).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      const code = readFileSync(SRC + f, "utf8");
      expect(code, f).not.toMatch(/Date\.now|new Date\b|performance\.now|process\.|from "node:/);
      // Only sibling modules are imported.
      for (const m of code.matchAll(/from "([^"]+)"/g)) expect(m[1], f).toMatch(/^\.\/[\w-]+\.js$/);
    }
  });
});
