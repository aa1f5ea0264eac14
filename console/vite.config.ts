import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

// `npm run console:build`: console/ → dist/console/, served by the gateway at /console
// (src/console/static.ts). The page must work under a CSP without 'unsafe-inline': Vite's
// modulepreload polyfill (an inline script) is off, and assets are files, never inlined.
export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "/console/",
  // Preact's automatic JSX runtime through Vite's own transformer (no Babel, no preset needed).
  oxc: { jsx: { runtime: "automatic", importSource: "preact" } },
  logLevel: "warn",
  build: {
    outDir: "../dist/console",
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
  },
});
