// Locating things at run time. The test files are bundled into out/test/e2e/, and UI test files may even be
// bundled elsewhere, so the repo is found by walking up rather than by a fixed number of '..'.
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repo root: the nearest folder above `from` (or the cwd) that holds scripts/setup-code-server.mjs. */
export function findRepoRoot(from: string = __dirname): string {
  for (const start of [process.env.KBNAV_REPO_ROOT, from, process.cwd()]) {
    if (!start) continue;
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'scripts', 'setup-code-server.mjs'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error(`cannot find the KB Navigator repo above ${from} or ${process.cwd()} (set KBNAV_REPO_ROOT)`);
}

/** Files under `dir` (recursively) whose names end with `suffix`, sorted for a stable order. */
export function findFiles(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(suffix))
    .sort()
    .map((f) => join(dir, f));
}
