// Bundles what ships (dist/) and, with --tests, the test files (out/test/).
// esbuild turns the ESM-only unified/remark packages into CommonJS; type-checking is `tsc -b`.
import { build } from 'esbuild';
import { readdirSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

const withTests = process.argv.includes('--tests');
// --production: what goes into the .vsix: minified, without source maps.
const production = process.argv.includes('--production');
const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: !production, minify: production, logLevel: 'warning' };

const entries = [
  { entryPoints: ['server/src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { entryPoints: ['server/src/server.ts'], outfile: 'dist/server.js' },
  { entryPoints: ['server/src/engine/parseWorker.ts'], outfile: 'dist/parseWorker.js' },
  { entryPoints: ['client/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
].filter((e) => existsSync(e.entryPoints[0]));

function testEntries(dir, outdir, extra = {}) {
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
  return files.length ? [{ entryPoints: files, outdir, outbase: dir, ...extra }] : [];
}

if (withTests) {
  entries.push(...testEntries('test/unit', 'out/test/unit'));
  entries.push(...testEntries('test/server', 'out/test/server'));
  entries.push(...testEntries('test/e2e', 'out/test/e2e', { external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'] }));
  entries.push(...testEntries('bench', 'out/bench', { external: ['vscode-markdown-languageservice', 'remark', 'remark-validate-links', 'vscode-languageserver-textdocument'] }));
}

await Promise.all(entries.map((e) => build({ ...common, ...e })));

// The JSON schema of `.kbnav.json`, made from the manifest's `kbnav.*` settings (their keys, values and
// descriptions, in English and in Spanish), so that the editor completes and checks the file as it does the settings.
function settingsFileSchema(nlsFile) {
  const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
  const nls = JSON.parse(readFileSync(nlsFile, 'utf8'));
  // The settings' descriptions end by saying that `.kbnav.json` overrides them: not said in the file itself.
  const text = (key) => (nls[key] ?? key).replace(/ (?:A|Un) `\.kbnav\.json` .*$/, '');
  const localized = (value) => JSON.parse(JSON.stringify(value, (_, v) => (typeof v === 'string' && /^%[\w.-]+%$/.test(v) ? text(v.slice(1, -1)) : v)));
  const properties = { $schema: { type: 'string' } };
  for (const [key, { scope: _scope, ...spec }] of Object.entries(manifest.contributes.configuration.properties)) {
    if (key !== 'kbnav.trace.server') properties[key.slice('kbnav.'.length)] = localized(spec);
  }
  return { $schema: 'http://json-schema.org/draft-07/schema#', title: '.kbnav.json', type: 'object', properties, additionalProperties: false };
}

mkdirSync('dist', { recursive: true });
writeFileSync('dist/kbnav.schema.json', JSON.stringify(settingsFileSchema('package.nls.json'), null, 2) + '\n');
writeFileSync('dist/kbnav.schema.es.json', JSON.stringify(settingsFileSchema('package.nls.es.json'), null, 2) + '\n');
