import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  test('a key no setting has is a problem (a misspelt key is no silent default); $schema is allowed', () => {
    const { settings, problems } = settingsOf(kbWith(JSON.stringify({ $schema: './kbnav.schema.json', entrypages: ['X.md'], locale: 'es', ignore: ['b/**'] })), 'en');
    assert.deepEqual(problems, ['.kbnav.json: entrypages: unknown setting', '.kbnav.json: locale: unknown setting']);
    assert.deepEqual([settings.locale, settings.entryPages.includes('X.md'), settings.ignore.includes('b/**')], ['en', false, true]);
    assert.deepEqual(settingsOf(kbWith('[]'), 'en').problems, ['.kbnav.json: expected an object']);
  });

  test('its JSON schema (dist/kbnav.schema*.json, made from the manifest) has the keys the engine reads, in English and Spanish', () => {
    const schemas = ['dist/kbnav.schema.json', 'dist/kbnav.schema.es.json'].map((f) => JSON.parse(readFileSync(f, 'utf8')));
    for (const schema of schemas) {
      assert.deepEqual(Object.keys(schema.properties).sort(), ['$schema', 'entryPages', 'ignore', 'markers', 'severity']);
      assert.deepEqual(Object.keys(schema.properties.severity.properties).sort(), Object.values(Code).sort());
      assert.equal(schema.additionalProperties, false);
      assert.ok(!JSON.stringify(schema).includes('%config.'), 'every description is filled in');
    }
    assert.notEqual(schemas[0].properties.ignore.markdownDescription, schemas[1].properties.ignore.markdownDescription);
    const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
    assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: '.kbnav.json', url: '%settingsFile.schema%' }]);
    for (const [nls, schema] of [['package.nls.json', 'dist/kbnav.schema.json'], ['package.nls.es.json', 'dist/kbnav.schema.es.json']]) {
      assert.equal(JSON.parse(readFileSync(nls, 'utf8'))['settingsFile.schema'], `./${schema}`);
    }
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
