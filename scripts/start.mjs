#!/usr/bin/env node
// `npm start`: builds the extension and serves VS Code 1.100.3 (code-server 4.100.3) on 127.0.0.1 with KB Navigator
// loaded as a development extension and examples/apuntes open. Open the printed URL in a browser; Ctrl+C stops it.
//
//   npm start                  port 8080 if free, else a free one
//   PORT=9000 npm start        that port (fails if it is taken)
//   npm start -- FOLDER        open another folder
//
// The extension is loaded through the web workbench's `payload` URL parameter (code-server's CLI has no
// --extensionDevelopmentPath), so the URL to open is long: it carries the payload. Its vscode-remote:// URIs name
// 127.0.0.1:PORT, the address the browser must use; through a tunnel or proxy, keep the same host and port.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureCodeServer, SetupError } from './setup-code-server.mjs';
import { startCodeServer, portIsFree, freePort, killProcessGroupSync, HOST } from '../test/e2e/codeServer.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (msg) => process.stderr.write(`[start] ${msg}\n`);

async function choosePort() {
  if (process.env.PORT) {
    const port = Number(process.env.PORT);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT=${process.env.PORT} is not a port number`);
    if (!(await portIsFree(port))) throw new Error(`PORT=${port} is already in use on ${HOST}`);
    return port;
  }
  return (await portIsFree(8080)) ? 8080 : freePort();
}

async function main() {
  const folder = resolve(process.argv[2] ?? join(repo, 'examples', 'apuntes'));
  if (!existsSync(folder)) throw new Error(`folder not found: ${folder}`);

  log('building the extension (node scripts/build.mjs) ...');
  const build = spawnSync(process.execPath, [join(repo, 'scripts', 'build.mjs')], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the build failed');

  const entry = await ensureCodeServer(); // prints progress when it has to install (about a minute, once)
  const port = await choosePort();
  const workDir = mkdtempSync(join(tmpdir(), 'kbnav-start-'));
  const server = await startCodeServer({ entry, port, workDir });

  let stopping = false;
  const stop = async (why, code) => {
    if (stopping) return;
    stopping = true;
    log(`${why}: stopping code-server ...`);
    await server.stop();
    server.removeWorkDir();
    process.exit(code);
  };
  process.on('SIGINT', () => stop('Ctrl+C', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGHUP', () => stop('SIGHUP', 0));
  // If we die some other way, the detached group must not outlive us.
  process.on('exit', () => killProcessGroupSync(server.pid));
  server.exited.then(({ code, signal }) => {
    if (!stopping) {
      log(`code-server exited unexpectedly (code ${code}, signal ${signal}); its log: ${server.logFile}`);
      stopping = true;
      process.exit(1);
    }
  });

  const url = server.url({
    folder,
    payload: [
      ['extensionDevelopmentPath', server.remoteUri(repo)],
      ['skipWelcome', 'true'],
      ['skipReleaseNotes', 'true'],
    ],
  });
  process.stdout.write(
    [
      '',
      `VS Code 1.100.3 (code-server) with KB Navigator, folder ${folder}`,
      `code-server log: ${server.logFile}`,
      '',
      'Open this URL in a browser (the whole line: it carries the extension to load):',
      '',
      url,
      '',
      'Ctrl+C stops it.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  log(`failed: ${err instanceof SetupError ? err.message : (err?.stack ?? err)}`);
  process.exit(1);
});
