// Bundles the benchmark (bench/*.ts → out/bench/*.js), as `scripts/build.mjs --tests` does, without
// building the tests: `npm run bench` needs only this and dist/. The third-party tools are never
// bundled: they are installed into .cache/bench-tools/ and loaded from there at run time.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bench = dirname(fileURLToPath(import.meta.url));
const entryPoints = readdirSync(bench)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
  .map((f) => join(bench, f));
await build({
  entryPoints,
  outdir: join(bench, '..', 'out', 'bench'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode-markdown-languageservice', 'remark', 'remark-validate-links', 'vscode-languageserver-textdocument'],
});
