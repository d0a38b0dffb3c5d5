import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (p: string) => fileURLToPath(new URL(`./packages/${p}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@keygate/rego": src("rego"),
      "@keygate/server": src("server"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "test/**/*.test.ts"],
    reporters: ["default", "./test/support/skip-reporter.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
