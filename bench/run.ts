/**
 * `npm run bench [-- --sizes 1000,10000 --reps 3 …]`: generates the corpora, runs every tool on each in
 * its own process (several repetitions, interleaved, peak RSS from `/usr/bin/time`), scores each tool's
 * findings against the planted problems, measures our language server over LSP, and prints a Markdown
 * table that it also writes to bench/results/latest.md (raw numbers in latest.json).
 *
 * Not part of `npm test`; it asserts nothing about time.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { performance } from 'node:perf_hooks';
import { generatorVersion, plantedCodes, writeCorpus, type GroundTruth } from './generate';
import { measureLsp, median, serverAnswers, type LspResult } from './lsp';
import { groupFalsePositives, score, type Finding, type Score, type ToolFamily } from './score';
import { benchCache, ensureTools, listMarkdown, repoRoot, type DriverOutput } from './tools';

interface Args {
  sizes: number[];
  reps: number;
  seed: number;
  rate: number;
  tools: Set<string>;
  lsp: boolean;
  lspEdits: number;
  remarkMax: number;
  niceFrom: number;
  timeoutMin: number;
  out: string;
}

const usage = `Usage: npm run bench -- [options]
  --sizes 1000,10000     notes per corpus (default 1000,10000; 50000 works too)
  --reps N               repetitions per tool and size (default 3; remark runs once at 10k+)
  --seed N               corpus seed (default 1)
  --rate R               planted problems per note and code (default 0.005)
  --tools LIST           kbnav,vscode,vscode-insensitive,remark (default all)
  --no-lsp               skip the language-server measurements
  --lsp-edits N          edits measured over LSP; every other one undoes the one before (default 200)
  --remark-max N         largest corpus remark-validate-links runs on (default 10000: it is quadratic)
  --nice-from N          run tools with nice -n 10 from this size on (default 10000)
  --timeout MIN          per run (default 40)
  --out FILE             Markdown result (default bench/results/latest.md)`;

function parseArgs(argv: string[]): Args | undefined {
  const value = (name: string, fallback: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
  };
  if (argv.includes('--help') || argv.includes('-h')) return undefined;
  return {
    sizes: value('sizes', '1000,10000').split(',').map((s) => Math.round(Number(s.replace(/k$/i, '000')))).filter((n) => n > 0),
    reps: Math.max(1, Number(value('reps', '3'))),
    seed: Number(value('seed', '1')),
    rate: Number(value('rate', '0.005')),
    tools: new Set(value('tools', 'kbnav,vscode,vscode-insensitive,remark').split(',')),
    lsp: !argv.includes('--no-lsp'),
    lspEdits: Number(value('lsp-edits', '200')),
    remarkMax: Number(value('remark-max', '10000')),
    niceFrom: Number(value('nice-from', '10000')),
    timeoutMin: Number(value('timeout', '40')),
    out: nodePath.resolve(repoRoot, value('out', 'bench/results/latest.md')),
  };
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

// ---- Running one tool once -----------------------------------------------------------------------

interface Measure {
  wallMs: number;
  rssMb: number;
  cpuS: number;
  exitCode: number | null;
}

const haveTime = existsSync('/usr/bin/time');
const rssHook = nodePath.join(benchCache, 'rss-hook.cjs');

/**
 * Runs `node ARGS` and measures wall time (here), peak RSS and CPU time (from `/usr/bin/time`, or from
 * the process's own resource usage when that is missing). Worker threads count in the same process.
 */
async function measure(args: string[], options: { env?: NodeJS.ProcessEnv; stdout?: string; nice: boolean; timeoutMs: number }): Promise<Measure> {
  const timeFile = nodePath.join(benchCache, `time-${process.pid}.txt`);
  rmSync(timeFile, { force: true });
  const node = haveTime ? [process.execPath, ...args] : [process.execPath, '--require', rssHook, ...args];
  const niced = options.nice ? ['nice', '-n', '10', ...node] : node;
  const command = haveTime ? ['/usr/bin/time', '-f', '%e %M %U %S', '-o', timeFile, ...niced] : niced;
  const stdout = options.stdout ? openSync(options.stdout, 'w') : 'ignore';
  const started = performance.now();
  const child = spawn(command[0], command.slice(1), { stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, ...options.env, KBNAV_BENCH_RSS_FILE: timeFile }, detached: true });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr = (stderr + chunk).slice(-3000)));
  const timer = setTimeout(() => {
    log(`timeout after ${options.timeoutMs / 60000} min: ${args.join(' ')}`);
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Gone already.
    }
  }, options.timeoutMs);
  const exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const wallMs = performance.now() - started;
  clearTimeout(timer);
  if (typeof stdout === 'number') closeSync(stdout);
  let rssMb = NaN;
  let cpuS = NaN;
  if (existsSync(timeFile)) {
    const text = readFileSync(timeFile, 'utf8').trim();
    if (haveTime) {
      const fields = text.split('\n').pop()!.split(/\s+/).map(Number);
      rssMb = fields[1] / 1024;
      cpuS = fields[2] + fields[3];
    } else {
      const usage = JSON.parse(text) as { maxRSS: number; user: number; sys: number };
      rssMb = usage.maxRSS / 1024;
      cpuS = (usage.user + usage.sys) / 1e6;
    }
  }
  // `kbnav check` exits 1 when it finds errors: only 2 and up (or a signal) is a failure.
  if (exitCode === null || exitCode >= 2) log(`failed (${exitCode ?? 'killed'}): ${args.join(' ')}\n${stderr.slice(-1500)}`);
  return { wallMs, rssMb, cpuS, exitCode };
}

// ---- The tools -----------------------------------------------------------------------------------

interface Tool {
  id: string;
  label: string;
  family: ToolFamily;
  /** Runs per size (0 = not at this size). */
  runs(size: number, reps: number): number;
  command(corpus: string, outFile: string): { args: string[]; env?: NodeJS.ProcessEnv; stdout?: string };
  before?(corpus: string, rep: number): void;
  after?(corpus: string): void;
  findings(outFile: string): Finding[];
  note?: string;
}

/**
 * The CLI and server are copied out of dist/ when the run starts, so that one run measures one build even
 * when dist/ is rebuilt meanwhile (a shared working copy: someone builds every few minutes). They find
 * their worker script next to themselves.
 */
const distSnapshot = nodePath.join(benchCache, 'dist');
const cli = nodePath.join(distSnapshot, 'cli.js');
const benchOut = nodePath.join(repoRoot, 'out', 'bench');

let builtAt = '';

function snapshotDist(): void {
  builtAt = statSync(nodePath.join(repoRoot, 'dist', 'cli.js')).mtime.toISOString().replace(/\.\d+Z$/, 'Z');
  rmSync(distSnapshot, { recursive: true, force: true });
  mkdirSync(distSnapshot, { recursive: true });
  for (const name of ['cli.js', 'server.js', 'parseWorker.js']) {
    const from = nodePath.join(repoRoot, 'dist', name);
    if (existsSync(from)) copyFileSync(from, nodePath.join(distSnapshot, name));
    if (existsSync(`${from}.map`)) copyFileSync(`${from}.map`, nodePath.join(distSnapshot, `${name}.map`));
  }
}

function kbnavFindings(outFile: string): Finding[] {
  const json = JSON.parse(readFileSync(outFile, 'utf8')) as { diagnostics: { file: string; line: number; code: string; message: string }[] };
  return json.diagnostics.map((d) => ({ file: d.file, line: d.line, code: d.code, message: d.message }));
}

function driverFindings(outFile: string): Finding[] {
  return (JSON.parse(readFileSync(outFile, 'utf8')) as DriverOutput).findings;
}

function tools(args: Args, cacheDir: string, cacheSupported: () => boolean): Tool[] {
  let editedPage: { path: string; text: string } | undefined;
  const kbnav = (id: string, label: string, extra: Partial<Tool>): Tool => ({
    id,
    label,
    family: 'kbnav',
    runs: (_size, reps) => reps,
    command: (corpus, outFile) => ({ args: [cli, 'check', corpus, '--format', 'json'], env: { KBNAV_CACHE_DIR: cacheDir }, stdout: outFile }),
    findings: kbnavFindings,
    ...extra,
  });
  const list: Tool[] = [
    kbnav('kbnav-cold', 'kbnav CLI, cold (no cache)', { before: () => rmSync(cacheDir, { recursive: true, force: true }) }),
    kbnav('kbnav-warm', 'kbnav CLI, warm (unchanged)', { runs: (_s, reps) => (cacheSupported() ? reps : 0) }),
    kbnav('kbnav-warm-edit', 'kbnav CLI, warm (1 page edited)', {
      runs: (_s, reps) => (cacheSupported() ? reps : 0),
      before: (corpus, rep) => {
        const truth = JSON.parse(readFileSync(nodePath.join(corpus, 'planted.json'), 'utf8')) as GroundTruth;
        const planted = new Set(truth.problems.map((p) => p.file));
        const page = listMarkdown(corpus).find((p) => p.includes('/') && !planted.has(p))!;
        const path = nodePath.join(corpus, page);
        editedPage = { path, text: readFileSync(path, 'utf8') };
        appendFileSync(path, `\nNota añadida en la repetición ${rep + 1} del benchmark.\n`);
      },
      after: () => {
        if (editedPage) writeFileSync(editedPage.path, editedPage.text);
        editedPage = undefined;
      },
    }),
    {
      id: 'vscode',
      label: 'VS Code Markdown service 0.5',
      family: 'vscode',
      runs: (_s, reps) => reps,
      command: (corpus, outFile) => ({ args: [nodePath.join(benchOut, 'vscodeDriver.js'), corpus, outFile] }),
      findings: driverFindings,
    },
    {
      id: 'vscode-insensitive',
      label: 'VS Code service, case-insensitive fs †',
      family: 'vscode',
      runs: () => 1,
      command: (corpus, outFile) => ({ args: [nodePath.join(benchOut, 'vscodeDriver.js'), corpus, outFile, '--insensitive'] }),
      findings: driverFindings,
      note: '† `stat` answered as on Windows and macOS (case and Unicode form ignored), where most of our authors write; run once, for precision and recall.',
    },
    {
      id: 'remark',
      label: 'remark-validate-links 13',
      family: 'remark',
      runs: (size, reps) => (size > args.remarkMax ? 0 : size >= 10000 ? 1 : reps),
      command: (corpus, outFile) => ({ args: [nodePath.join(benchOut, 'remarkDriver.js'), corpus, outFile] }),
      findings: driverFindings,
      note: 'remark-validate-links runs through unified-engine (as remark-cli) with remark-gfm and remark-frontmatter, `repository`/`root` set so `/…` links are checked; once at 10k notes and not above (its "did you mean" is quadratic).',
    },
  ];
  return list.filter((t) => args.tools.has(t.id.replace(/-(cold|warm|warm-edit)$/, '')) || args.tools.has(t.id));
}

// ---- Corpora -------------------------------------------------------------------------------------

function ensureCorpus(size: number, args: Args): { dir: string; truth: GroundTruth } {
  const dir = nodePath.join(benchCache, 'corpora', `n${size}-s${args.seed}-r${args.rate}-g${generatorVersion}`);
  const plantedFile = nodePath.join(dir, 'planted.json');
  if (existsSync(plantedFile)) return { dir, truth: JSON.parse(readFileSync(plantedFile, 'utf8')) as GroundTruth };
  const started = performance.now();
  const truth = writeCorpus(dir, { notes: size, seed: args.seed, rate: args.rate });
  log(`generated ${nodePath.relative(repoRoot, dir)}: ${truth.pages} pages, ${(truth.bytes / 1e6).toFixed(1)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { dir, truth };
}

// ---- Results -------------------------------------------------------------------------------------

interface ToolResult {
  id: string;
  label: string;
  measures: Measure[];
  score?: Score;
  /** For warm runs: the findings equal the cold run's. */
  sameAsCold?: boolean;
  note?: string;
}

interface SizeResult {
  size: number;
  corpus: string;
  truth: Omit<GroundTruth, 'problems'> & { planted: number };
  tools: ToolResult[];
  cacheSupported: boolean;
  lsp?: LspResult | { skipped: string };
}

function machineFacts() {
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim();
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'server', 'bench'], { cwd: repoRoot, encoding: 'utf8' }).stdout.trim() !== '';
  let kernel = os.release();
  try {
    kernel = `${os.type()} ${os.release()}`;
  } catch {
    // Keep the release.
  }
  return {
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism?.() ?? os.cpus().length,
    ramGb: os.totalmem() / 2 ** 30,
    node: process.version,
    os: kernel,
    commit: git + (dirty ? ' (with uncommitted changes)' : ''),
    /** The measured build: the snapshot of dist/cli.js taken at the start. */
    build: existsSync(cli) ? `${createHash('sha1').update(readFileSync(cli)).digest('hex').slice(0, 10)} (built ${builtAt})` : 'none',
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadStart: os.loadavg(),
    loadEnd: [] as number[],
  };
}

const fmtS = (ms: number) => (Number.isFinite(ms) ? (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${(ms / 1000).toFixed(2)} s`) : '—');
const fmtMs = (ms: number) => (Number.isFinite(ms) ? (ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`) : '—');
const fmtMb = (mb: number) => (Number.isFinite(mb) ? (mb >= 1024 ? `${(mb / 1024).toFixed(2)} GB` : `${mb.toFixed(0)} MB`) : '—');
const fmtRatio = (r: number) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : '—');
const fmtPct = (r: number | undefined) => (r === undefined || !Number.isFinite(r) ? '—' : r.toFixed(2));
const n = (x: number) => x.toLocaleString('en-US');

function summary(measures: Measure[]) {
  const ok = measures.filter((m) => m.exitCode !== null && m.exitCode < 2);
  return {
    wall: median(ok.map((m) => m.wallMs)),
    min: Math.min(...ok.map((m) => m.wallMs)),
    max: Math.max(...ok.map((m) => m.wallMs)),
    rss: median(ok.map((m) => m.rssMb)),
    cpu: median(ok.map((m) => m.cpuS)),
    runs: ok.length,
    failed: measures.length - ok.length,
  };
}

function renderMarkdown(results: SizeResult[], machine: ReturnType<typeof machineFacts>, command: string, notes: string[]): string {
  const out: string[] = [];
  out.push('# KB Navigator benchmark: latest run', '');
  out.push(`- Run: ${machine.date}, commit ${machine.commit}, dist/cli.js ${machine.build}, \`${command}\``);
  out.push(`- Machine: ${machine.cpu}, ${machine.cores} cores (shared with other work), ${machine.ramGb.toFixed(0)} GB RAM, ${machine.os}, Node ${machine.node}; load average ${machine.loadStart.map((l) => l.toFixed(1)).join(' ')} at start, ${machine.loadEnd.map((l) => l.toFixed(1)).join(' ')} at the end`);
  for (const r of results) {
    out.push(`- Corpus ${n(r.size)} notes: ${n(r.truth.pages)} pages, ${(r.truth.bytes / 1e6).toFixed(1)} MB, ${n(r.truth.links)} links, ${r.truth.planted} planted problems (generator v${r.truth.generator}, seed ${r.truth.seed})`);
  }
  out.push('', '## Checking the whole workspace', '');
  out.push('Wall time of the whole process (start-up included), median of the runs; CPU is user + system (both cores count). Ratios are to VS Code\'s service on the same corpus in the same run. Precision and recall against the planted problems (see bench/README.md for how findings are matched).', '');
  out.push('| tool | notes | median time | min–max | CPU | peak RSS | time ÷ VS Code | RSS ÷ VS Code | precision | recall | runs |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    const vscode = r.tools.find((t) => t.id === 'vscode');
    const base = vscode ? summary(vscode.measures) : undefined;
    for (const t of r.tools) {
      const s = summary(t.measures);
      if (!s.runs && !s.failed) continue;
      const label = t.label + (t.sameAsCold === false ? ' ‡' : '');
      out.push(`| ${label} | ${n(r.size)} | ${fmtS(s.wall)} | ${fmtS(s.min)}–${fmtS(s.max)} | ${Number.isFinite(s.cpu) ? `${s.cpu.toFixed(1)} s` : '—'} | ${fmtMb(s.rss)} | ${base ? fmtRatio(s.wall / base.wall) : '—'} | ${base ? fmtRatio(s.rss / base.rss) : '—'} | ${fmtPct(t.score?.precision)} | ${fmtPct(t.score?.recall)} | ${s.runs}${s.failed ? ` (+${s.failed} failed)` : ''} |`);
    }
    if (!r.cacheSupported) out.push(`| kbnav CLI, warm | ${n(r.size)} | no persistent cache detected (\`KBNAV_CACHE_DIR\` left empty): cold only | | | | | | | | |`);
  }
  const toolNotes = [...new Set(results.flatMap((r) => r.tools.map((t) => t.note).filter((x): x is string => !!x)))];
  if (results.some((r) => r.tools.some((t) => t.sameAsCold === false))) toolNotes.push('‡ the warm run reported something other than the cold run on the same files.');
  if (toolNotes.length) out.push('', ...toolNotes.map((x) => `- ${x}`));

  const lspRows = results.filter((r) => r.lsp);
  if (lspRows.length) {
    out.push('', '## Language server over LSP (stdio, JSON-RPC)', '');
    out.push('From spawning `node dist/server.js --stdio`: `initialize` answered; first `publishDiagnostics` of a page opened right after `initialized` (and whether it already held that page\'s final list); the whole index ready (`kbnav/indexChanged`). Then edits, each undone: a heading renamed and a broken link added in one page → `publishDiagnostics` for that page, and for it and every page linking to that heading.', '');
    out.push('| notes | start | initialize | first diagnostics | first = final (held of final) | index ready | edit → page, median / p95 | edit → page + dependents, median / p95 | dependents per edit | samples | missed | server peak RSS |');
    out.push('| ---: | --- | ---: | ---: | :---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const r of lspRows) {
      const lsp = r.lsp!;
      if ('skipped' in lsp) {
        out.push(`| ${n(r.size)} | ${lsp.skipped} | | | | | | | | | | |`);
        continue;
      }
      if (lsp.error || !lsp.start) {
        out.push(`| ${n(r.size)} | failed: ${(lsp.error ?? 'no result').replace(/\|/g, '/').slice(0, 200)} | | | | | | | | | | |`);
        continue;
      }
      const i = lsp.incremental;
      for (const [which, s] of [['cold', lsp.start], ['again (warm)', lsp.warmStart]] as const) {
        if (!s) continue;
        const edits = which === 'cold' && i;
        out.push(`| ${n(r.size)} | ${which} | ${fmtMs(s.initializeMs)} | ${fmtMs(s.firstDiagnosticsMs)} | ${s.firstComplete ? 'yes' : 'no'} (${s.firstHeld ?? '?'} of ${s.finalCount ?? '?'}) | ${fmtS(s.readyMs)} | ${edits ? `${fmtMs(i.ownMedianMs)} / ${fmtMs(i.ownP95Ms)}` : '—'} | ${edits ? `${fmtMs(i.allMedianMs)} / ${fmtMs(i.allP95Ms)}` : '—'} | ${edits ? i.meanDependents.toFixed(1) : '—'} | ${edits ? i.samples : '—'} | ${edits ? i.missed : '—'} | ${fmtMb(s.peakRssMb)} |`);
      }
    }
    const missed = lspRows.flatMap((r) => (r.lsp && !('skipped' in r.lsp) ? (r.lsp.incremental?.missedExamples ?? []).map((m) => `${n(r.size)} notes: ${m}`) : []));
    if (missed.length) out.push('', 'Updates that never came:', '', ...missed.map((m) => `- ${m}`));
  }

  for (const r of results) {
    const scored = r.tools.filter((t) => t.score && !t.id.startsWith('kbnav-warm'));
    if (!scored.length) continue;
    out.push('', `## Recall by code, ${n(r.size)} notes (found / planted)`, '');
    out.push(`| code | ${scored.map((t) => t.label).join(' | ')} |`);
    out.push(`| --- | ${scored.map(() => '---:').join(' | ')} |`);
    for (const code of plantedCodes) out.push(`| ${code} | ${scored.map((t) => `${t.score!.perCode[code].found} / ${t.score!.perCode[code].planted}`).join(' | ')} |`);
    out.push(`| false positives | ${scored.map((t) => String(t.score!.falsePositives.length)).join(' | ')} |`);
  }

  const first = results[0];
  if (first) {
    out.push('', `## False positives, ${n(first.size)} notes (grouped by code and message)`, '');
    for (const t of first.tools.filter((x) => x.score && !x.id.startsWith('kbnav-warm'))) {
      const groups = groupFalsePositives(t.score!.falsePositives);
      out.push(`- **${t.label}**: ${groups.length ? '' : 'none'}`);
      for (const g of groups.slice(0, 8)) {
        const most = g.quoted.map(([text, count]) => `\`${text.replace(/[|`]/g, '/').slice(0, 60)}\` ×${count}`).join(', ');
        out.push(`  - ${g.count} × \`${g.examples[0].code}\`: ${g.examples[0].message.replace(/\|/g, '/').slice(0, 140)}; at ${g.examples.map((e) => `${e.file}:${e.line}`).join(', ')}${g.count > g.examples.length ? ', …' : ''}${most ? `; most frequent: ${most}` : ''}`);
      }
      const missed = t.score!.missed.filter((m) => t.id === 'kbnav-cold');
      if (missed.length) out.push(`  - missed: ${missed.slice(0, 8).map((m) => `${m.file}:${m.line} ${m.code}`).join('; ')}`);
    }
  }
  if (notes.length) out.push('', '## Notes', '', ...notes.map((x) => `- ${x}`));
  out.push('', `Reproduce: \`npm run bench -- --sizes ${results.map((r) => r.size).join(',')}\` (see bench/README.md).`, '');
  return out.join('\n');
}

// ---- Main ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!args) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  mkdirSync(benchCache, { recursive: true });
  if (!haveTime) {
    writeFileSync(rssHook, `process.on('exit', () => { const u = process.resourceUsage(); require('fs').writeFileSync(process.env.KBNAV_BENCH_RSS_FILE, JSON.stringify({ maxRSS: u.maxRSS, user: u.userCPUTime, sys: u.systemCPUTime })); });\n`);
  }
  if (!existsSync(nodePath.join(repoRoot, 'dist', 'cli.js'))) throw new Error('dist/cli.js is missing: run `node scripts/build.mjs` (npm run bench does)');
  snapshotDist();
  if (['vscode', 'vscode-insensitive', 'remark'].some((t) => args.tools.has(t))) ensureTools(log);

  const machine = machineFacts(); // After the snapshot: it names the measured build.
  const notes: string[] = [];
  const results: SizeResult[] = [];
  const runsDir = nodePath.join(benchCache, 'runs');
  mkdirSync(runsDir, { recursive: true });

  for (const size of args.sizes) {
    const { dir: corpus, truth } = ensureCorpus(size, args);
    const nice = size >= args.niceFrom;
    const cacheDir = nodePath.join(benchCache, `kbnav-cache-n${size}`);
    let cacheSupported = false;
    const list = tools(args, cacheDir, () => cacheSupported);
    const results_: ToolResult[] = list.map((t) => ({ id: t.id, label: t.label, measures: [], note: t.note }));
    const outputs = new Map<string, string>();
    for (let rep = 0; rep < args.reps; rep++) {
      for (const [k, tool] of list.entries()) {
        if (rep >= tool.runs(size, args.reps)) continue;
        const outFile = nodePath.join(runsDir, `${tool.id}-n${size}-rep${rep}.json`);
        rmSync(outFile, { force: true });
        tool.before?.(corpus, rep);
        const { args: toolArgs, env, stdout } = tool.command(corpus, outFile);
        let m: Measure;
        try {
          m = await measure(toolArgs, { env, stdout, nice, timeoutMs: args.timeoutMin * 60_000 });
        } finally {
          tool.after?.(corpus);
        }
        results_[k].measures.push(m);
        log(`${String(size).padStart(6)} notes  ${tool.id.padEnd(19)} rep ${rep + 1}: ${fmtS(m.wallMs)}, ${fmtMb(m.rssMb)}${m.exitCode !== null && m.exitCode >= 2 ? ' FAILED' : ''}`);
        if (m.exitCode !== null && m.exitCode < 2 && existsSync(outFile) && !outputs.has(tool.id)) outputs.set(tool.id, outFile);
        if (tool.id === 'kbnav-cold' && rep === 0) {
          cacheSupported = existsSync(cacheDir) && readdirSync(cacheDir).length > 0;
          if (!cacheSupported) log('kbnav left KBNAV_CACHE_DIR empty: no persistent cache, cold runs only');
        }
      }
    }
    for (const [k, tool] of list.entries()) {
      const file = outputs.get(tool.id);
      if (!file) continue;
      try {
        results_[k].score = score(truth, tool.findings(file), tool.family);
      } catch (error) {
        log(`${tool.id}: unreadable output ${file}: ${(error as Error).message}`);
      }
    }
    const cold = outputs.get('kbnav-cold');
    for (const id of ['kbnav-warm', 'kbnav-warm-edit']) {
      const warm = outputs.get(id);
      const result = results_.find((r) => r.id === id);
      if (cold && warm && result) {
        const key = (f: Finding[]) => JSON.stringify(f.map((x) => [x.file, x.line, x.code, x.message]));
        result.sameAsCold = key(kbnavFindings(cold)) === key(kbnavFindings(warm));
      }
    }

    const { problems, ...facts } = truth;
    const sizeResult: SizeResult = { size, corpus, truth: { ...facts, planted: problems.length }, tools: results_, cacheSupported };
    if (args.lsp) {
      const serverPath = nodePath.join(distSnapshot, 'server.js');
      if (!existsSync(serverPath) || !(await serverAnswers(serverPath))) {
        sizeResult.lsp = { skipped: 'dist/server.js missing or not answering initialize' };
      } else {
        try {
          sizeResult.lsp = await measureLsp({ serverPath, corpus, truth, edits: args.lspEdits, nice, cacheDir: nodePath.join(benchCache, `kbnav-server-cache-n${size}`), log });
        } catch (error) {
          sizeResult.lsp = { error: (error as Error).message };
        }
      }
    }
    results.push(sizeResult);
  }
  machine.loadEnd = os.loadavg();

  if (!haveTime) notes.push('`/usr/bin/time` is missing here: peak RSS and CPU come from each process\'s own resource usage.');
  notes.push('Peak RSS is that of the tool\'s process (worker threads included); the CLI and the drivers run one process each.');
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  const markdown = renderMarkdown(results, machine, command, notes);
  mkdirSync(nodePath.dirname(args.out), { recursive: true });
  writeFileSync(args.out, markdown);
  writeFileSync(args.out.replace(/\.md$/, '.json'), JSON.stringify({ machine, command, results }, (key, value) => (key === 'falsePositives' ? (value as Finding[]).slice(0, 10) : key === 'missed' && Array.isArray(value) ? value.slice(0, 10) : value), 1) + '\n');
  process.stdout.write(markdown);
  log(`written to ${nodePath.relative(repoRoot, args.out)}`);
}

main().catch((error) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? error}\n`);
  process.exitCode = 1;
});
