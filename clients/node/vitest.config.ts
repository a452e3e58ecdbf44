import { defineConfig } from "vitest/config";

// One server per test file, started by the test itself: no globalSetup to keep it in view.
export default defineConfig({ test: { include: ["test/**/*.test.ts"], testTimeout: 30000, hookTimeout: 30000 } });
