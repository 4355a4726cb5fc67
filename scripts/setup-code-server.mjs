#!/usr/bin/env node
// Installs code-server 4.100.3 (= VS Code 1.100.3) into .cache/code-server/ of the repo, following
// shared/docs/real-vscode-testing.md. It is the "real VS Code" for the e2e tests and for `npm start`:
// no desktop VS Code or Electron can be downloaded on these machines, only npm and Debian packages.
//
//   node scripts/setup-code-server.mjs            install if needed (a second call is instant)
//   node scripts/setup-code-server.mjs --force    reinstall
//
// Also importable: `await ensureCodeServer()` returns the path of code-server's entry.js.
// Debian packages (chromium, ripgrep, libkrb5-dev) are installed with apt-get only when they are missing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync, readFileSync, rmSync, copyFileSync, symlinkSync, lstatSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const CODE_SERVER_VERSION = '4.100.3';
export const VSCODE_VERSION = '1.100.3';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where code-server lives; KBNAV_CODE_SERVER_DIR overrides it (for sharing one install between clones). */
export const codeServerDir = resolve(process.env.KBNAV_CODE_SERVER_DIR || join(repoRoot, '.cache', 'code-server'));
export const codeServerEntry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const vscodeDir = join(codeServerDir, 'node_modules', 'code-server', 'lib', 'vscode');
// The marker is written last, so its presence means every step below finished.
const marker = join(codeServerDir, `.installed-${CODE_SERVER_VERSION}`);

/** Debian packages the tests need, with a file that shows each one is installed. */
const APT_PACKAGES = [
  { pkg: 'chromium', file: '/usr/bin/chromium' },
  { pkg: 'ripgrep', file: '/usr/bin/rg' },
  // kerberos (a native module of VS Code's server) compiles against these headers.
  { pkg: 'libkrb5-dev', file: '/usr/include/gssapi/gssapi_krb5.h' },
];

export class SetupError extends Error {}

function log(msg) {
  process.stderr.write(`[setup-code-server] ${msg}\n`);
}

/** Runs a command; its output is kept and shown only if it fails, so progress stays readable. */
function run(cmd, args, opts = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts, env: { ...process.env, ...opts.env } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', (err) => reject(new SetupError(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolvePromise(out);
      const tail = out.trim().split('\n').slice(-40).join('\n');
      reject(new SetupError(`\`${cmd} ${args.join(' ')}\` failed with exit code ${code} (in ${opts.cwd ?? process.cwd()}):\n${tail}`));
    });
  });
}

async function step(label, fn) {
  const t0 = Date.now();
  log(`${label} ...`);
  await fn();
  log(`${label}: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/** Installs the missing Debian packages (apt-get only if something is missing). */
export async function ensureAptPackages() {
  const missing = APT_PACKAGES.filter((p) => !existsSync(p.file));
  if (missing.length === 0) return;
  const names = missing.map((p) => p.pkg);
  if (process.getuid?.() !== 0) {
    throw new SetupError(`missing Debian packages: ${names.join(' ')}. Install them with: sudo apt-get install -y ${names.join(' ')}`);
  }
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await step(`apt-get update`, () => run('apt-get', ['update'], { env }));
  await step(`apt-get install -y ${names.join(' ')}`, () => run('apt-get', ['install', '-y', '--no-install-recommends', ...names], { env }));
  const still = missing.filter((p) => !existsSync(p.file));
  if (still.length) throw new SetupError(`apt-get finished but these files are still missing: ${still.map((p) => p.file).join(', ')}`);
}

/** Replaces `path` with a symlink to `target` (what code-server's postinstall.sh would do). */
function forceSymlink(target, path) {
  try {
    lstatSync(path);
    unlinkSync(path);
  } catch {
    /* did not exist */
  }
  symlinkSync(target, path);
}

/**
 * A lock so that two test runs started at once do not install into the same folder together.
 * mkdir is atomic; a lock left by a dead process is taken over.
 */
async function withLock(fn) {
  const lockDir = `${codeServerDir}.lock`;
  mkdirSync(dirname(lockDir), { recursive: true });
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
      let owner = 0;
      try {
        owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8'));
      } catch {
        /* being created right now */
      }
      if (owner && !isAlive(owner)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new SetupError(`timed out waiting for the lock ${lockDir}`);
      if (owner) log(`waiting for another install (pid ${owner}) to finish ...`);
      // Polling a lock owned by another process: there is no event to wait for.
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

async function installCodeServer() {
  const t0 = Date.now();
  log(`installing code-server ${CODE_SERVER_VERSION} (VS Code ${VSCODE_VERSION}) into ${codeServerDir} (about a minute)`);
  rmSync(marker, { force: true });
  mkdirSync(codeServerDir, { recursive: true });
  // A package.json of its own, so npm installs here and not into the repo's node_modules.
  writeFileSync(join(codeServerDir, 'package.json'), '{"private":true}\n');
  const npm = 'npm';
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  // npm 11 asks before running install scripts of dependencies; rebuild needs them.
  const yes = { npm_config_yes: 'true' };

  await step(`1/5 npm install code-server@${CODE_SERVER_VERSION}`, () =>
    run(npm, ['install', `code-server@${CODE_SERVER_VERSION}`, '--ignore-scripts', ...quiet], { cwd: codeServerDir }));
  await step('2/5 npm install of the bundled VS Code server', () =>
    run(npm, ['install', '--omit=dev', '--ignore-scripts', ...quiet], { cwd: vscodeDir }));
  // @vscode/ripgrep's postinstall would download rg from GitHub; it skips when bin/ already exists,
  // so the system rg must be copied in BEFORE `npm rebuild`.
  const rgBin = join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  mkdirSync(rgBin, { recursive: true });
  copyFileSync('/usr/bin/rg', join(rgBin, 'rg'));
  await step('3/5 npm rebuild (native modules: node-pty, spdlog, kerberos, ...; ~30 s)', () =>
    run(npm, ['rebuild', ...quiet], { cwd: vscodeDir, env: yes }));
  await step('4/5 npm rebuild argon2', () => run(npm, ['rebuild', 'argon2', ...quiet], { cwd: codeServerDir, env: yes }));
  // The three links that code-server's postinstall.sh would make (we skipped install scripts).
  forceSymlink('node_modules', join(vscodeDir, 'node_modules.asar'));
  forceSymlink('code-linux.sh', join(vscodeDir, 'bin', 'remote-cli', 'code-server'));
  forceSymlink('browser-linux.sh', join(vscodeDir, 'bin', 'helpers', 'browser.sh'));

  let version = '';
  await step('5/5 check', async () => {
    // An empty --config: without it code-server writes ~/.config/code-server/config.yaml.
    const emptyConfig = join(codeServerDir, 'empty-config.yaml');
    writeFileSync(emptyConfig, '');
    const out = await run(process.execPath, [codeServerEntry, '--version', '--config', emptyConfig]);
    version = out.split('\n').find((l) => l.includes(' with Code ')) ?? out.trim();
  });
  if (!version.includes(CODE_SERVER_VERSION) || !version.includes(VSCODE_VERSION)) {
    throw new SetupError(`code-server --version printed an unexpected version: ${version}`);
  }
  writeFileSync(marker, `${version}\n`);
  log(`installed ${version} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

/**
 * Makes sure code-server and the Debian packages are installed; returns the path of code-server's entry.js.
 * Instant when the marker file is present.
 */
export async function ensureCodeServer({ force = false } = {}) {
  await ensureAptPackages();
  if (!force && existsSync(marker) && existsSync(codeServerEntry)) return codeServerEntry;
  await withLock(async () => {
    // Another process may have finished the install while we waited for the lock.
    if (!force && existsSync(marker) && existsSync(codeServerEntry)) return;
    await installCodeServer();
  });
  return codeServerEntry;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const entry = await ensureCodeServer({ force: process.argv.includes('--force') });
    log(`ready: ${entry}`);
  } catch (err) {
    log(`FAILED: ${err instanceof SetupError ? err.message : err.stack}`);
    process.exit(1);
  }
}
