// The manifest and the strings, checked in the running editor: what VS Code loaded from package.json.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { extensionId, kbnav } from './kb';

function extensionPath(): string {
  return vscode.extensions.getExtension(extensionId)!.extensionPath;
}

function readJson(...parts: string[]): any {
  return JSON.parse(readFileSync(join(extensionPath(), ...parts), 'utf8'));
}

/** Every %key% placeholder in a JSON value. */
function placeholders(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') for (const m of value.matchAll(/^%([^%\s]+)%$/g)) into.add(m[1]);
  else if (Array.isArray(value)) value.forEach((v) => placeholders(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => placeholders(v, into));
  return into;
}

describe('Manifest and strings', () => {
  before(async () => {
    await kbnav();
  });

  it('registers every contributed command', async () => {
    const contributed: string[] = readJson('package.json').contributes.commands.map((c: { command: string }) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(contributed.filter((c) => !registered.has(c)), []);
    assert.ok(registered.has('kbnav.topics.focus'), 'the Topics view is contributed');
  });

  it('has English and Spanish text for every %key% of the manifest, and no unused text', () => {
    const used = placeholders(readJson('package.json'));
    for (const file of ['package.nls.json', 'package.nls.es.json']) {
      const nls = readJson(file);
      assert.deepEqual([...used].filter((k) => typeof nls[k] !== 'string' || nls[k].trim() === ''), [], `missing in ${file}`);
      assert.deepEqual(Object.keys(nls).filter((k) => !used.has(k)), [], `unused in ${file}`);
    }
  });

  it('has a Spanish translation for every runtime string of the client', () => {
    const bundle = readJson('l10n', 'bundle.l10n.es.json');
    const dir = join(extensionPath(), 'client', 'src');
    const sources = readdirSync(dir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(join(dir, f), 'utf8'));
    const strings = new Set(sources.flatMap((text) => [...text.matchAll(/\bt\(\s*'((?:[^'\\]|\\.)*)'/g)].map((m) => m[1])));
    assert.ok(strings.size > 10, `found only ${strings.size} strings`);
    assert.deepEqual([...strings].filter((s) => typeof bundle[s] !== 'string'), []);
    const placeholdersOf = (s: string) => [...s.matchAll(/\{\d+\}/g)].map((m) => m[0]).sort().join();
    assert.deepEqual([...strings].filter((s) => placeholdersOf(s) !== placeholdersOf(bundle[s])), [], 'the translations keep the {n} arguments');
  });

  it('binds next/previous page to keys that no default keybinding of VS Code uses', async () => {
    const ours: { command: string; key: string }[] = readJson('package.json').contributes.keybindings;
    assert.deepEqual(ours.map((k) => k.command).sort(), ['kbnav.nextPage', 'kbnav.previousPage']);
    await vscode.commands.executeCommand('workbench.action.openDefaultKeybindingsFile');
    const doc = vscode.window.activeTextEditor?.document;
    assert.ok(doc && doc.uri.scheme !== 'file', 'the default keybindings opened');
    const defaults = [...doc.getText().matchAll(/"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)]
      .map(([, key, command]) => ({ key, command }))
      .filter((k) => !k.command.startsWith('kbnav.'));
    assert.ok(defaults.length > 500, `read only ${defaults.length} default keybindings`);
    for (const { key } of ours) {
      const clash = defaults.filter((d) => d.key === key || d.key.startsWith(`${key} `));
      assert.deepEqual(clash, [], `${key} is already used`);
    }
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('ships the icon, the view icon and the walkthrough media it names', () => {
    const pkg = readJson('package.json');
    const icon = readFileSync(join(extensionPath(), pkg.icon));
    assert.equal(icon.subarray(1, 4).toString(), 'PNG');
    assert.deepEqual([icon.readUInt32BE(16), icon.readUInt32BE(20)], [128, 128]);
    const files = [
      ...pkg.contributes.viewsContainers.activitybar.map((c: { icon: string }) => c.icon),
      ...pkg.contributes.walkthroughs.flatMap((w: { steps: { media: { markdown: string } }[] }) => w.steps.map((s) => s.media.markdown)),
    ];
    assert.deepEqual(files.filter((f) => !existsSync(join(extensionPath(), f))), []);
  });
});
