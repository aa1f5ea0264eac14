// `npm start`'s prestart: builds the admin console (console/ → dist/console/) when the build is
// missing or older than a console source file or the lock file. Rebuilding on every start would
// also rewrite dist/console under gateways already serving it (several test processes start with
// `npm start` while others read the build).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../", import.meta.url).pathname;
const builtAt = modifiedAt(join(root, "dist/console/index.html"));
const sourcesAt = Math.max(newestUnder(join(root, "console")), modifiedAt(join(root, "package-lock.json")));

// Vite is loaded only when there is something to build: a start with a fresh build stays quick.
if (builtAt < sourcesAt) {
  const { build } = await import("vite");
  await build({ configFile: join(root, "console/vite.config.ts") });
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function newestUnder(dir: string): number {
  return Math.max(
    ...readdirSync(dir, { withFileTypes: true }).map((entry) =>
      entry.isDirectory() ? newestUnder(join(dir, entry.name)) : modifiedAt(join(dir, entry.name)),
    ),
  );
}
