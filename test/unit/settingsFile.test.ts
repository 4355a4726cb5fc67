import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { settingsOf } from '../../server/src/engine/settingsFile';
import { Code } from '../../server/src/engine/types';

const scratch = mkdtempSync(path.join(tmpdir(), 'kbnav-settings-'));

function kbWith(file: string | undefined): string {
  const root = mkdtempSync(path.join(scratch, 'kb-'));
  if (file !== undefined) writeFileSync(path.join(root, '.kbnav.json'), file);
  return root;
}

describe('.kbnav.json', () => {
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('its keys win over the editor settings; markers and severity are layered direction by direction, code by code', () => {
    const root = kbWith('\uFEFF' + JSON.stringify({ entryPages: ['Inicio.md'], markers: { forward: ['👉'] }, severity: { [Code.OrphanPage]: 'off' } }));
    const editor = { entryPages: ['README.md', 'Indice.md'], ignore: ['borradores/**'], markers: { back: ['👈'] }, severity: { [Code.OrphanPage]: 'hint', [Code.MissingFile]: 'warning' } };
    const { settings, problems } = settingsOf(root, 'en', editor);
    assert.deepEqual(problems, []);
    assert.deepEqual(settings.entryPages, ['Inicio.md']);
    assert.ok(settings.ignore.includes('borradores/**'), 'a key the file leaves out is the editor’s');
    assert.deepEqual([settings.markers.forward, settings.markers.back], [['👉'], ['👈']]);
    assert.deepEqual([settings.severity[Code.OrphanPage], settings.severity[Code.MissingFile]], ['off', 'warning']);
  });

  test('no file: the editor settings, or the defaults', () => {
    const root = kbWith(undefined);
    assert.deepEqual(settingsOf(root, 'en', { entryPages: ['X.md'] }).settings.entryPages, ['X.md']);
    assert.deepEqual(settingsOf(root, 'en'), settingsOf(kbWith('{}'), 'en'));
  });

  test('its problems name it, and what it names wrongly is left at the editor’s or the default value', () => {
    const { settings, problems } = settingsOf(kbWith(JSON.stringify({ severity: { 'missing-files': 'off', [Code.MissingFile]: 'loud' }, entryPages: 'README.md' })), 'en');
    assert.deepEqual(problems, ['.kbnav.json: entryPages: expected a list of strings', '.kbnav.json: severity.missing-files: unknown code', '.kbnav.json: severity.missing-file: expected one of error, warning, information, hint, off']);
    assert.equal(settings.severity[Code.MissingFile], 'error');
    assert.deepEqual(settingsOf(kbWith('{ "ignore": ['), 'en').problems.length, 1);
    const folder = kbWith(undefined);
    mkdirSync(path.join(folder, '.kbnav.json'));
    assert.match(settingsOf(folder, 'en').problems[0], /^\.kbnav\.json: .*EISDIR/);
  });

  test('a link to a file inside the knowledge base is followed; one that leads out of it is not', () => {
    const root = kbWith(undefined);
    writeFileSync(path.join(root, 'kbnav-settings.json'), JSON.stringify({ entryPages: ['Dentro.md'] }));
    symlinkSync('kbnav-settings.json', path.join(root, '.kbnav.json'));
    assert.deepEqual(settingsOf(root, 'en').settings.entryPages, ['Dentro.md']);

    const other = kbWith(JSON.stringify({ entryPages: ['Fuera.md'] }));
    const linked = kbWith(undefined);
    symlinkSync(path.join(other, '.kbnav.json'), path.join(linked, '.kbnav.json'));
    const { settings, problems } = settingsOf(linked, 'en');
    assert.deepEqual(problems, ['.kbnav.json: leads outside the workspace, not read']);
    assert.notDeepEqual(settings.entryPages, ['Fuera.md']);
  });
});
