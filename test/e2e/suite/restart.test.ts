// The language server's lifecycle: a server that dies is started again; kbnav.restartServer starts a fresh one.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { kbnav, page, waitForPlantedProblems, waitUntil, type KbnavApi } from './kb';

/** PIDs of the KB Navigator servers this extension host started (its child processes running dist/server.js). */
function serverPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent's pid; the command name (field 2) may hold spaces, so split after it.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((arg) => arg.endsWith('dist/server.js'))) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

function waitForNewServer(api: KbnavApi, old: number): Promise<number> {
  return waitUntil(
    'a new running server',
    () => {
      const pids = serverPids();
      return api.client.state === 'running' && pids.length === 1 && pids[0] !== old ? pids[0] : undefined;
    },
    [api.client.onStateChanged, api.client.onIndexChanged],
    30_000,
    () => `State ${api.client.state}, servers ${JSON.stringify(serverPids())}.`,
  );
}

describe('Server lifecycle', function () {
  if (process.platform !== 'linux') return; // reads /proc

  let api: KbnavApi;
  before(async () => {
    api = await kbnav();
    await waitForPlantedProblems();
  });

  it('starts the server again when it dies, and the diagnostics come back', async () => {
    const [pid] = serverPids();
    assert.ok(pid, 'the server runs as a child of the extension host');
    // The client keeps the old diagnostics over a restart: wait for the new server to publish those of a page again.
    const imagenes = page('Docker/Imagenes.md').toString();
    const republished = new Promise<void>((resolve) => {
      const sub = vscode.languages.onDidChangeDiagnostics((e) => {
        if (serverPids()[0] !== pid && e.uris.some((u) => u.toString() === imagenes)) {
          sub.dispose();
          resolve();
        }
      });
    });
    process.kill(pid, 'SIGKILL');
    const replacement = await waitForNewServer(api, pid);
    assert.notEqual(replacement, pid);
    await republished;
    await waitForPlantedProblems();
    const tree = await api.topics.refresh();
    assert.ok(tree.some((n) => n.label === 'Docker'), 'the restarted server answers the topic-tree request');
  });

  it('kbnav.restartServer replaces the server', async () => {
    const [pid] = serverPids();
    await vscode.commands.executeCommand('kbnav.restartServer');
    await waitForNewServer(api, pid);
    await waitForPlantedProblems();
  });
});
