/**
 * The third-party tools the benchmark compares against: installed from npm into `.cache/bench-tools/`
 * (never into package.json), pinned, and loaded from there at run time (never bundled).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as nodePath from 'node:path';
import { pathToFileURL } from 'node:url';

/** out/bench/*.js → the repository. */
export const repoRoot = nodePath.resolve(__dirname, '..', '..');
export const toolsDir = nodePath.join(repoRoot, '.cache', 'bench-tools');
export const benchCache = nodePath.join(repoRoot, '.cache', 'bench');

/**
 * Exact versions. markdown-it 14.1 is what VS Code 1.100's Markdown extension parses with; remark gets
 * the GFM and front-matter plugins a docs repository would configure (without them it misreads front
 * matter as a heading and misses GFM syntax), so that it is judged at its best.
 */
export const toolPackages: Record<string, string> = {
  'vscode-markdown-languageservice': '0.5.0',
  'vscode-languageserver-textdocument': '1.0.12',
  'markdown-it': '14.1.0',
  remark: '15.0.1',
  'remark-cli': '12.0.1',
  'remark-validate-links': '13.1.0',
  'remark-gfm': '4.0.1',
  'remark-frontmatter': '5.0.0',
  'unified-engine': '11.2.2',
};

/** Installs the tools once (and again when the pinned versions change). */
export function ensureTools(log: (line: string) => void): void {
  const stamp = nodePath.join(toolsDir, '.installed.json');
  const wanted = JSON.stringify(toolPackages);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return;
  mkdirSync(toolsDir, { recursive: true });
  writeFileSync(nodePath.join(toolsDir, 'package.json'), JSON.stringify({ name: 'kbnav-bench-tools', private: true, dependencies: toolPackages }, null, 2) + '\n');
  log(`installing ${Object.keys(toolPackages).join(', ')} into ${nodePath.relative(repoRoot, toolsDir)}/`);
  const npmCli = process.env.npm_execpath;
  const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', '--engine-strict=false'];
  const result = npmCli && /\.c?js$/.test(npmCli) ? spawnSync(process.execPath, [npmCli, ...args], { cwd: toolsDir, stdio: 'inherit' }) : spawnSync('npm', args, { cwd: toolsDir, stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`npm install in ${toolsDir} failed (${result.status ?? result.signal})`);
  writeFileSync(stamp, wanted);
}

/** The folder of a package as Node would find it from `fromDir` (its own node_modules first). */
export function packageDir(name: string, fromDir = toolsDir): string {
  for (let dir = fromDir; ; dir = nodePath.dirname(dir)) {
    const candidate = nodePath.join(dir, 'node_modules', name);
    if (existsSync(nodePath.join(candidate, 'package.json'))) return candidate;
    if (dir === nodePath.dirname(dir) || dir === nodePath.dirname(toolsDir)) throw new Error(`${name} is not installed in ${toolsDir}`);
  }
}

type Exports = string | { [condition: string]: Exports } | null | undefined;

function exportTarget(exports: Exports): string | undefined {
  if (!exports) return undefined;
  if (typeof exports === 'string') return exports;
  if ('.' in exports) return exportTarget(exports['.']);
  for (const condition of ['import', 'node', 'default']) {
    const target = exportTarget(exports[condition]);
    if (target) return target;
  }
  return undefined;
}

/** Imports a tool's ES module entry (`exports` → `import`), as `import 'name'` would from `fromDir`. */
export async function importTool<T = Record<string, unknown>>(name: string, fromDir = toolsDir): Promise<T> {
  const dir = packageDir(name, fromDir);
  const manifest = JSON.parse(readFileSync(nodePath.join(dir, 'package.json'), 'utf8')) as { exports?: Exports; module?: string; main?: string };
  const entry = exportTarget(manifest.exports) ?? manifest.module ?? manifest.main ?? 'index.js';
  return (await import(pathToFileURL(nodePath.join(dir, entry)).href)) as T;
}

/** Every Markdown file under `root` (workspace-relative, POSIX, exact names), dot-folders and node_modules skipped. */
export function listMarkdown(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(nodePath.join(root, dir), { withFileTypes: true })) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else if (/\.md$/i.test(entry.name)) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

/** What every driver writes: the tool's findings as (file, 1-based line, the tool's own code, message). */
export interface DriverOutput {
  tool: string;
  /** Time inside the driver, module loading excluded (the process's wall time is measured outside). */
  elapsedMs: number;
  loadMs: number;
  findings: { file: string; line: number; code: string; message: string }[];
}
