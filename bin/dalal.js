#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so `npx dalal` works right after install.
import { register } from "tsx/esm/api";

register();
await import("../src/cli.ts");
