import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { FACTS_VERSION, FactsCache, decodeCacheFile, encodeCacheFile, type FileStamp } from '../../server/src/engine/factsCache';
import { checkWorkspace } from '../../server/src/engine/checkWorkspace';
import { resultsJson } from '../../server/src/engine/runResults';
import { jsonArrayPieces } from '../../server/src/engine/jsonPieces';
import { defaultSettings } from '../../server/src/engine/config';
import { KnowledgeBase } from '../../server/src/engine/knowledgeBase';
import { loadWorkspace } from '../../server/src/engine/load';
import { MarkerSet, defaultMarkers, normalizeTitle } from '../../server/src/engine/navigation';
import { FactsReader, linkCount, packPage, unpackPage } from '../../server/src/engine/packedFacts';
import { ParsePool } from '../../server/src/engine/parsePool';
import { parsePage } from '../../server/src/engine/parse';
import { Code, noCancellation, type Heading, type KbDiagnostic, type LinkFacts, type PageFacts, type UndefinedReference } from '../../server/src/engine/types';
import { FileSystemWorkspace } from '../../server/src/engine/workspace';

const scratch = mkdtempSync(path.join(tmpdir(), 'kbnav-cache-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** An hour ago: older than any racy window, so that stamps are kept. */
const anHourAgo = new Date(Date.now() - 3600_000);

/** Pages that exercise every field of the facts, optional ones present, absent and undefined. */
const pages: Record<string, string> = {
  'README.md': '# Inicio\n\n[Tema uno ➡️](temas/uno.md) y [sin cierre](temas/dos.md "t")\n\n<https://example.org> www.example.com !<https://example.org/b>\n',
  'temas/uno.md': '---\ntitle: Uno\n---\n\n[⬅️ Inicio](../README.md)\n\n## Sección *uno*\n\n<a id="ancla"></a><a href="dos.md#x">dos</a>\n\n[ref][def] [falta][nada]\n\n[def]:\n  dos.md\n',
  'temas/dos.md': 'Sin título\r\n\r\n![imagen](../img.png)\r\n\r\n```\r\nabierto',
  'img.png': 'not text',
};

function writeTree(files: Record<string, string>, mtime = anHourAgo): string {
  const dir = mkdtempSync(path.join(scratch, 'kb-'));
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
    utimesSync(file, mtime, mtime);
  }
  return dir;
}

/**
 * A workspace on disk that counts the pages it reads. Its stamps are dated an hour later unless
 * `now`: a file written by a test has just changed (its ctime is now, whatever utimes says), and
 * its stamp would be refused as racy; an hour later it no longer is.
 */
class CountingWorkspace extends FileSystemWorkspace {
  readonly read: string[] = [];
  constructor(
    root: string,
    private readonly now: boolean,
  ) {
    super(root);
  }
  override async readFile(p: string): Promise<string> {
    this.read.push(p);
    return super.readFile(p);
  }
  override async stamp(p: string): Promise<FileStamp | undefined> {
    const stamp = await super.stamp(p);
    return stamp && !this.now ? { ...stamp, takenAt: stamp.takenAt + 3600_000 } : stamp;
  }
}

/** Indexes `root` with the cache in `cacheDir` (no workers: pages are read here, and counted), then saves the cache. */
async function load(root: string, cacheDir: string, { now = false } = {}) {
  const kb = new KnowledgeBase(root, defaultSettings('es'));
  const workspace = new CountingWorkspace(root, now);
  const cache = await FactsCache.open(cacheDir, defaultMarkers);
  const problems = await loadWorkspace(kb, workspace, { token: noCancellation, cache });
  assert.equal(await cache.save(kb.pagePaths().map((p) => kb.page(p)!.facts)), true);
  return { kb, read: workspace.read.sort(), problems: [...workspace.problems, ...problems], cache };
}

/** `pages` indexed once with a cache in its own folder, and that cache's file decoded (to damage it). */
async function indexedWithCache(name: string) {
  const root = writeTree(pages);
  const cacheDir = path.join(scratch, name);
  const cold = await load(root, cacheDir);
  const data = decodeCacheFile(readFileSync(cacheFile(cacheDir)));
  return { root, cacheDir, cold, data, numbers: data.numbers as Int32Array };
}

function diagnosticsOf(kb: KnowledgeBase) {
  return JSON.stringify([...kb.allDiagnostics()]);
}

/** Facts as plain data, fields that are undefined left out: cached facts make their ranges on demand. */
// Every field, checked by the compiler: a field added to the facts is compared here too.
const factKeys = <T>(fields: Record<keyof T, true>) => Object.keys(fields) as (keyof T)[];
const pageKeys = factKeys<Omit<PageFacts, 'headings' | 'links' | 'undefinedReferences'>>({ hash: true, headingTitle: true, anchors: true, end: true, afterFrontMatter: true, openAtEnd: true, eol: true });
const headingKeys = factKeys<Heading>({ depth: true, text: true, id: true, range: true });
const linkKeys = factKeys<LinkFacts>({ kind: true, image: true, raw: true, rawRange: true, url: true, label: true, labelRange: true, labelMarks: true, rawLineStart: true, glued: true, range: true, nav: true, reference: true });
const referenceKeys = factKeys<UndefinedReference>({ reference: true, range: true });

function plain(facts: PageFacts): unknown {
  const pick = <T extends object>(object: T, keys: (keyof T)[]) => Object.fromEntries(keys.filter((k) => object[k] !== undefined).map((k) => [k, object[k]]));
  return {
    ...pick(facts, pageKeys),
    headings: facts.headings.map((h) => pick(h, headingKeys)),
    links: facts.links.map((l) => pick(l, linkKeys)),
    undefinedReferences: facts.undefinedReferences.map((u) => pick(u, referenceKeys)),
  };
}

function cacheFile(cacheDir: string): string {
  return path.join(cacheDir, `facts-v${FACTS_VERSION}.bin`);
}

describe('facts cache', () => {
  test('facts come back from disk as parsePage gave them, and again after being saved from the cache', async () => {
    const markers = new MarkerSet(defaultMarkers);
    const facts = Object.values(pages).map((text) => parsePage(text, markers));
    const dir = path.join(scratch, 'roundtrip');
    const cache = await FactsCache.open(dir, defaultMarkers);
    assert.equal(await cache.save(facts.slice(1)), true);
    const again = await FactsCache.open(dir, defaultMarkers);
    assert.equal(again.size, facts.length - 1);
    // Saved from facts that came from the cache, with one parsed page more.
    assert.equal(await again.save([...facts.slice(1).map((f) => again.get(f.hash)!), facts[0]]), true);
    const third = await FactsCache.open(dir, defaultMarkers);
    for (const f of facts) assert.deepStrictEqual(plain(third.get(f.hash)!), plain(f));

    // Read into a buffer at an odd offset, the arrays are copies instead of views, and equal.
    const bytes = readFileSync(cacheFile(dir));
    const shifted = Buffer.alloc(bytes.length + 1).subarray(1);
    bytes.copy(shifted);
    const [a, b] = [decodeCacheFile(bytes), decodeCacheFile(shifted)];
    assert.deepStrictEqual([...(b.numbers as Int32Array)], [...(a.numbers as Int32Array)]);
    assert.deepStrictEqual([b.strings, [...b.stampValues], [...b.pageStarts]], [a.strings, [...a.stampValues], [...a.pageStarts]]);
    assert.ok(a.numbers.length > 0);
  });

  test('a save too large to hold goes to disk in pieces, and the file is byte for byte the one encodeCacheFile makes', async () => {
    const markers = new MarkerSet(defaultMarkers);
    // 15,000 links: more numbers than the writer holds before it writes (2^18), so the file is written in parts.
    const large = parsePage(`# Grande\n\n${Array.from({ length: 15_000 }, (_, i) => `[enlace ${i}](temas/nota${i}.md#s${i})`).join('\n')}\n`, markers);
    const facts = [parsePage(pages['README.md'], markers), large, parsePage(pages['temas/uno.md'], markers)];
    const dir = path.join(scratch, 'streamed');
    assert.equal(await (await FactsCache.open(dir, defaultMarkers)).save(facts), true);
    const bytes = readFileSync(cacheFile(dir));
    assert.ok(bytes.length > 4 * (1 << 18));
    assert.ok(bytes.equals(encodeCacheFile(decodeCacheFile(bytes))));
    const again = await FactsCache.open(dir, defaultMarkers);
    for (const f of facts) assert.deepStrictEqual(plain(again.get(f.hash)!), plain(f));
  });

  test('facts packed for a message come back as parsePage gave them; strings shared between pages go through one table', () => {
    const markers = new MarkerSet(defaultMarkers);
    const intern = new Map<string, string>();
    const [a, b] = ['[Docker ➡️](Docker/Docker.md) [VM](VM/QueSon.md)', '[Docker ➡️](Docker/Docker.md)'].map((text) => {
      const facts = parsePage(text, markers);
      const packed = packPage(facts);
      const unpacked = unpackPage(structuredClone(packed), intern);
      assert.deepStrictEqual(plain(unpacked), plain(facts));
      return unpacked;
    });
    for (const f of Object.values(pages).map((text) => parsePage(text, markers))) assert.deepStrictEqual(plain(unpackPage(packPage(f))), plain(f));
    assert.equal(a.links[0].label, b.links[0].label);
    assert.ok(intern.has('Docker/Docker.md'));
    const packed = packPage(a);
    assert.throws(() => unpackPage({ numbers: packed.numbers.subarray(0, packed.numbers.length - 1), strings: packed.strings }));
    assert.throws(() => unpackPage({ numbers: packed.numbers, strings: packed.strings.slice(1) }));
    // A number left over after the page is damage too.
    assert.throws(() => unpackPage({ numbers: Int32Array.of(...packed.numbers, 0), strings: packed.strings }));
  });

  test('an unchanged page is not read again; a page edited is, and the findings are those of a run without cache', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'warm');
    const cold = await load(root, cacheDir);
    assert.deepEqual(cold.read, ['README.md', 'temas/dos.md', 'temas/uno.md']);
    const warm = await load(root, cacheDir);
    assert.deepEqual(warm.read, []);
    assert.equal(diagnosticsOf(warm.kb), diagnosticsOf(cold.kb));

    writeFileSync(path.join(root, 'temas/uno.md'), pages['temas/uno.md'].replace('## Sección', '## Otra'));
    const edited = await load(root, cacheDir);
    assert.deepEqual(edited.read, ['temas/uno.md']);
    const fresh = await load(root, path.join(scratch, 'fresh'));
    assert.equal(diagnosticsOf(edited.kb), diagnosticsOf(fresh.kb));
  });

  test('a page whose text changed with its size and modification time kept is read again', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'same-size');
    await load(root, cacheDir);
    const file = path.join(root, 'README.md');
    const before = statSync(file);
    // Same length, same mtime: only the change time (which no one can set) tells.
    writeFileSync(file, pages['README.md'].replace('Inicio', 'Inicia'));
    utimesSync(file, before.atime, before.mtime);
    assert.equal(statSync(file).size, before.size);
    assert.equal(statSync(file).mtimeMs, before.mtimeMs);
    const warm = await load(root, cacheDir);
    assert.deepEqual(warm.read, ['README.md']);
    assert.equal(warm.kb.page('README.md')!.title, 'Inicia');
  });

  test('a page changed within the racy window of its stamp is read again on the next run', async () => {
    const root = writeTree(pages, new Date());
    const cacheDir = path.join(scratch, 'racy');
    await load(root, cacheDir, { now: true });
    const warm = await load(root, cacheDir, { now: true });
    assert.deepEqual(warm.read, ['README.md', 'temas/dos.md', 'temas/uno.md']);

    // The guard itself: a stamp whose times are as recent as the moment it was taken is not kept.
    const cache = await FactsCache.open(path.join(scratch, 'racy-direct'), defaultMarkers);
    const facts = parsePage('# A\n', new MarkerSet(defaultMarkers));
    const now = Date.now();
    const racy: FileStamp = { size: 4, mtimeMs: now - 10, ctimeMs: now - 10, ino: 7, takenAt: now };
    const settled: FileStamp = { size: 4, mtimeMs: now - 3600_000, ctimeMs: now - 3600_000, ino: 8, takenAt: now };
    cache.stamp('racy.md', racy, facts.hash);
    cache.stamp('settled.md', settled, facts.hash);
    await cache.save([facts]);
    const reopened = await FactsCache.open(path.join(scratch, 'racy-direct'), defaultMarkers);
    assert.equal(reopened.unchanged('racy.md', racy), undefined);
    assert.deepStrictEqual(plain(reopened.unchanged('settled.md', settled)!), plain(facts));
    assert.equal(reopened.unchanged('settled.md', { ...settled, ino: 9 }), undefined);
    assert.equal(reopened.unchanged('settled.md', { ...settled, size: 5 }), undefined);
  });

  test('a page that is not valid UTF-8 is read (and reported) on every run', async () => {
    const root = writeTree({ 'README.md': '# A\n' });
    const file = path.join(root, 'mal.md');
    writeFileSync(file, Buffer.from([0x23, 0x20, 0xff, 0xfe, 0x0a]));
    utimesSync(file, anHourAgo, anHourAgo);
    const cacheDir = path.join(scratch, 'utf8');
    await load(root, cacheDir);
    const warm = await load(root, cacheDir);
    assert.deepEqual(warm.read, ['mal.md']);
    assert.equal(warm.problems.filter((p) => p.path === 'mal.md' && /UTF-8/.test(p.message)).length, 1);
  });

  for (const [name, damage] of [
    ['garbage', () => Buffer.from('not a cache at all')],
    ['truncated', (bytes: Buffer) => bytes.subarray(0, Math.floor(bytes.length / 2))],
    ['an index out of the string table', (bytes: Buffer) => {
      const data = decodeCacheFile(bytes);
      (data.numbers as Int32Array)[0] = 1e9;
      return encodeCacheFile(data);
    }],
    ['a page start past the end', (bytes: Buffer) => {
      const data = decodeCacheFile(bytes);
      data.pageStarts[0] = data.numbers.length + 5;
      return encodeCacheFile(data);
    }],
    ['another version', (bytes: Buffer) => encodeCacheFile({ ...decodeCacheFile(bytes), version: FACTS_VERSION - 1 })],
  ] as [string, (bytes: Buffer) => Buffer][]) {
    test(`a cache file with ${name} is ignored: every page is read, the findings are right, and the file is replaced`, async () => {
      const root = writeTree(pages);
      const cacheDir = path.join(scratch, `damaged-${name.replace(/\W/g, '')}`);
      const cold = await load(root, cacheDir);
      writeFileSync(cacheFile(cacheDir), damage(readFileSync(cacheFile(cacheDir))));
      const opened = await FactsCache.open(cacheDir, defaultMarkers);
      assert.equal(opened.size, 0);
      const warm = await load(root, cacheDir);
      assert.deepEqual(warm.read, ['README.md', 'temas/dos.md', 'temas/uno.md']);
      assert.equal(diagnosticsOf(warm.kb), diagnosticsOf(cold.kb));
      assert.deepEqual((await load(root, cacheDir)).read, []);
    });
  }

  test('a page whose facts do not decode is read and parsed again; the others still come from the cache', async () => {
    const { root, cacheDir, cold, data, numbers } = await indexedWithCache('damaged-page');
    const start = data.pageStarts[0];
    const hash = data.strings[numbers[start]];
    let damaged = '';
    for (let i = 0; i < data.stampKeys.length; i += 2) if (data.strings[data.stampKeys[i + 1]] === hash) damaged = data.strings[data.stampKeys[i]];
    // The number of headings: after the hash, title, eol, open-at-end, end (2) and front matter (flag, and 2 if set).
    numbers[start + (numbers[start + 6] === 1 ? 9 : 7)] = 1e9;
    writeFileSync(cacheFile(cacheDir), encodeCacheFile(data));
    const warm = await load(root, cacheDir);
    assert.deepEqual(warm.read, [damaged]);
    assert.equal(diagnosticsOf(warm.kb), diagnosticsOf(cold.kb));
    assert.deepEqual((await load(root, cacheDir)).read, []);
  });

  test('a page read from the cache makes its lists when they are read, but is checked whole when it is read: damage in its last link drops it', async () => {
    const { root, cacheDir, cold, data, numbers } = await indexedWithCache('damaged-link');
    const ends = [...data.pageStarts.slice(1), numbers.length];
    // A page with links and no undefined reference: its last numbers are its last link's reference and flags, then a 0.
    const page = [...data.pageStarts].findIndex((start) => {
      const facts = new FactsReader(data.strings, numbers, start).page();
      return facts.links.length > 0 && facts.undefinedReferences.length === 0;
    });
    const hash = data.strings[numbers[data.pageStarts[page]]];
    const facts = (await FactsCache.open(cacheDir, defaultMarkers)).get(hash)!;
    assert.equal(linkCount(facts), parsePage(pages[cold.kb.pagePaths().find((p) => cold.kb.page(p)!.facts.hash === hash)!], new MarkerSet(defaultMarkers)).links.length);
    numbers[ends[page] - 3] = 1e9;
    writeFileSync(cacheFile(cacheDir), encodeCacheFile(data));
    assert.equal((await FactsCache.open(cacheDir, defaultMarkers)).get(hash), undefined);
    const warm = await load(root, cacheDir);
    assert.equal(warm.read.length, 1);
    assert.equal(diagnosticsOf(warm.kb), diagnosticsOf(cold.kb));
  });

  test('other navigation markers make another cache: facts parsed with the old ones are not used', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'markers');
    await load(root, cacheDir);
    const other = await FactsCache.open(cacheDir, { ...defaultMarkers, forward: ['→'] });
    assert.equal(other.size, 0);
  });

  test('the cache folder may be deleted between runs; no temporary file is left', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'deleted');
    const expected = (await checkWorkspace(root, 'es', { cacheDir: false, workers: false })).diagnostics;
    const first = await checkWorkspace(root, 'es', { cacheDir, workers: false });
    assert.deepEqual(first.diagnostics, expected);
    rmSync(cacheDir, { recursive: true });
    const second = await checkWorkspace(root, 'es', { cacheDir, workers: false });
    assert.deepEqual(second.diagnostics, expected);
    const warm = await checkWorkspace(root, 'es', { cacheDir, workers: false });
    assert.deepEqual(warm.diagnostics, expected);
    assert.deepEqual(readdirSync(cacheDir).sort(), [`facts-v${FACTS_VERSION}.bin`, `results-v${FACTS_VERSION}.json`]);
  });

  test('the results of a run are written in pieces that make the JSON of the whole', () => {
    const diagnostic = (i: number): KbDiagnostic => ({ path: `p${i}.md`, range: { start: { line: i, character: 0 }, end: { line: i, character: 1 } }, severity: 'error', code: Code.MissingFile, message: `«${i}» ⬅️`, fixes: [] });
    for (const count of [0, 1, 1024, 1025, 4100]) {
      const inputs: [string, string][] = Array.from({ length: count }, (_, i) => [`p${i}.md`, i % 3 ? `h${i}` : '']);
      const stamps = inputs.map(([, hash], i): [number, number, number, number] | 0 => (hash ? [i, i + 0.5, i + 0.25, i * 7] : 0));
      const diagnostics = new Map(inputs.map(([p], i) => [p, i % 2 ? [diagnostic(i)] : []]));
      const results = { key: `k"${count}`, filesChecked: count, inputs, stamps, diagnostics };
      const pieces = [...resultsJson(results)];
      assert.equal(pieces.join(''), JSON.stringify({ ...results, diagnostics: [...diagnostics] }), `${count} pages`);
      // Bounded by size (V8 keeps a string past 128 KB among the large objects), whatever the number of items.
      assert.ok(pieces.every((piece) => piece.length < 1.25 * (1 << 14) + 200), `${count} pages: pieces of ${Math.max(...pieces.map((p) => p.length))} characters`);
      if (count > 4096) assert.ok(pieces.length > 10);
    }
    const old = { key: 'k', filesChecked: 0, inputs: [], diagnostics: new Map() };
    assert.equal([...resultsJson(old)].join(''), JSON.stringify({ ...old, diagnostics: [] }));
  });

  test('JSON in pieces: each about the size asked for, joined the JSON of the array', () => {
    const items = [1, undefined, 'dos «é»', { b: [2, null] }, () => 3, 'x'.repeat(40), [], 'fin'];
    for (const size of [1, 8, 30, 1 << 14]) {
      const pieces = [...jsonArrayPieces(items, size)];
      assert.equal(pieces.join(''), JSON.stringify(items), `pieces of ${size}`);
      // Only an item longer than the size makes a longer piece.
      assert.ok(pieces.every((piece) => piece.length <= Math.max(size, 42) + 44), `pieces of ${size}: ${JSON.stringify(pieces)}`);
    }
    assert.deepEqual([...jsonArrayPieces([], 8)], ['[]']);
    // Many short items, turned into JSON a few at a time: still pieces of about the size asked for.
    const many = Array.from({ length: 5000 }, (_, i) => (i % 7 ? `s${i}` : { n: i, t: 'x'.repeat(i % 50) }));
    const pieces = [...jsonArrayPieces(many, 1000)];
    assert.equal(pieces.join(''), JSON.stringify(many));
    assert.ok(pieces.every((piece) => piece.length <= 1.25 * 1000 + 70), `pieces of ${Math.max(...pieces.map((p) => p.length))} characters`);
    assert.equal([...jsonArrayPieces(items, 8)].length > 4, true);
  });

  test('a save after a few pages changed keeps the rest of the file; the table is written anew once it has grown', async () => {
    // Enough other pages that one page is a small part of the file.
    const filler = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`relleno/p${i}.md`, `# Página ${i}\n\n[Inicio ⬆️](../README.md) [siguiente ➡️](p${i + 1}.md)\n`]));
    const root = writeTree({ ...pages, ...filler });
    const cacheDir = path.join(scratch, 'incremental');
    await load(root, cacheDir);
    const markers = new MarkerSet(defaultMarkers);
    const appended: number[] = [];
    for (let i = 0; i < 40; i++) {
      const text = `${pages['temas/uno.md']}\n## Sección ${i}\n\n[Tema ${i} ➡️](t${i}.md)\n`;
      writeFileSync(path.join(root, 'temas/uno.md'), text);
      await load(root, cacheDir);
      const data = decodeCacheFile(readFileSync(cacheFile(cacheDir)));
      appended.push(data.appended);
      const cache = await FactsCache.open(cacheDir, defaultMarkers);
      assert.equal(cache.size, 33);
      for (const page of [text, pages['README.md'], pages['temas/dos.md'], ...Object.values(filler)]) {
        const facts = parsePage(page, markers);
        assert.deepStrictEqual(plain(cache.get(facts.hash)!), plain(facts));
      }
    }
    assert.ok(appended.some((n) => n > 0), `no save appended: ${appended}`);
    assert.ok(appended.slice(1).some((n, i) => n < appended[i]), `the table was never written anew: ${appended}`);
  });

  test('a save that keeps the string table copies its bytes from the file read while that file is there; one replaced meanwhile is not copied from', async () => {
    const filler = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`relleno/p${i}.md`, `# Página ${i}\n\n[Inicio ⬆️](../README.md)\n`]));
    const root = writeTree({ ...pages, ...filler });
    const cacheDir = path.join(scratch, 'table-copy');
    const file = cacheFile(cacheDir);
    await load(root, cacheDir);
    /** Opens the cache, does `meanwhile`, then indexes `root` with one page edited and saves: the table of the file saved. */
    const saveAfter = async (edit: string, meanwhile: () => void) => {
      const cache = await FactsCache.open(cacheDir, defaultMarkers);
      meanwhile();
      writeFileSync(path.join(root, 'temas/uno.md'), `${pages['temas/uno.md']}\n## ${edit}\n`);
      const kb = new KnowledgeBase(root, defaultSettings('es'));
      await loadWorkspace(kb, new CountingWorkspace(root, false), { token: noCancellation, cache });
      assert.equal(await cache.save(kb.pagePaths().map((p) => kb.page(p)!.facts)), true);
      const data = decodeCacheFile(readFileSync(file));
      assert.equal(data.appended > 0, true, 'the table was kept and continued');
      return data.strings;
    };
    // Files are replaced, never changed: a string changed in place in the file read only shows where the bytes come from.
    const inPlace = () => {
      const bytes = readFileSync(file);
      const at = bytes.lastIndexOf('Página 7');
      bytes.write('Pàgina 7', at, 'utf8');
      writeFileSync(file, bytes);
    };
    const copied = await saveAfter('Uno', inPlace);
    assert.ok(copied.includes('Pàgina 7') && !copied.includes('Página 7'), 'the kept table was copied from the file');
    assert.ok(copied.includes('Uno'), 'the new strings follow it');
    // Replaced by another file (another run saved it, with another id): the table is written from what was read.
    const replaced = () => {
      const data = decodeCacheFile(readFileSync(file));
      const strings = data.strings.map((s) => (s === 'Página 9' ? 'Pägina 9' : s));
      writeFileSync(`${file}.other`, encodeCacheFile({ ...data, strings, id: 'another' }));
      renameSync(`${file}.other`, file);
    };
    const anew = await saveAfter('Dos', replaced);
    assert.ok(anew.includes('Página 9') && !anew.includes('Pägina 9'), 'the table was not copied from another file');
    assert.ok(anew.includes('Pàgina 7') && anew.includes('Dos'));
  });

  test('the results of a run are printed again when nothing changed, and only then', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'results');
    const run = () => checkWorkspace(root, 'es', { cacheDir, workers: false });
    const resultsFile = path.join(cacheDir, `results-v${FACTS_VERSION}.json`);
    const first = await run();
    // Marked, to tell results read back from results worked out again.
    const stored = JSON.parse(readFileSync(resultsFile, 'utf8'));
    const [marked, list] = stored.diagnostics.find(([, l]: [string, unknown[]]) => l.length > 0);
    list[0].message = 'read back';
    writeFileSync(resultsFile, JSON.stringify(stored));
    const again = await run();
    assert.equal(again.diagnostics.get(marked)![0].message, 'read back');
    assert.equal(again.filesChecked, first.filesChecked);
    // The index is there for whoever asks (--fix), built on demand.
    assert.equal(again.kb.page('README.md')!.title, 'Inicio');

    writeFileSync(path.join(root, 'temas/uno.md'), pages['temas/uno.md'].replace('## Sección', '## Otra'));
    const edited = await run();
    assert.ok(![...edited.diagnostics.values()].flat().some((d) => d.message === 'read back'));
    assert.deepEqual(edited.diagnostics, (await checkWorkspace(root, 'es', { cacheDir: false, workers: false })).diagnostics);

    // Settings are part of the key.
    const before = await run();
    writeFileSync(path.join(root, '.kbnav.json'), JSON.stringify({ severity: { 'undefined-reference': 'off' } }));
    const withSettings = await run();
    assert.notDeepEqual(withSettings.diagnostics, before.diagnostics);
    assert.deepEqual(withSettings.diagnostics, (await checkWorkspace(root, 'es', { cacheDir: false, workers: false })).diagnostics);

    // A damaged results file is ignored, and replaced.
    writeFileSync(resultsFile, '{"key": 1, "diagnostics": ');
    assert.deepEqual((await run()).diagnostics, withSettings.diagnostics);
    assert.doesNotThrow(() => JSON.parse(readFileSync(resultsFile, 'utf8')));
  });

  test('after a few pages changed, the results of the run before are replayed: only what the changes affect is checked again', async () => {
    // Pages far from each other, each with a broken link. Not to one same page: a page that leads where
    // others lead is named in their messages (a new title, or a page removed, checks them again); not
    // into their own folder: "did you mean" makes a broken link depend on the names there.
    const filler = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`relleno/p${i}.md`, `# Página ${i}\n\n[roto](../faltan/p${i}.md)\n`]));
    const root = writeTree({ ...pages, ...filler });
    const cacheDir = path.join(scratch, 'replay');
    const resultsFile = path.join(cacheDir, `results-v${FACTS_VERSION}.json`);
    const run = () => checkWorkspace(root, 'es', { cacheDir, workers: false });
    const fromScratch = async () => (await checkWorkspace(root, 'es', { cacheDir: false, workers: false })).diagnostics;
    /** Marks every stored message: a marked message in a later run was not worked out again. */
    const markStored = () => {
      const stored = JSON.parse(readFileSync(resultsFile, 'utf8'));
      for (const [, list] of stored.diagnostics) for (const d of list) d.message += ' [replayed]';
      writeFileSync(resultsFile, JSON.stringify(stored));
    };
    const marked = (diagnostics: Map<string, KbDiagnostic[]>, page: string) => diagnostics.get(page)!.some((d) => d.message.endsWith(' [replayed]'));
    const unmarked = (diagnostics: Map<string, KbDiagnostic[]>) => new Map([...diagnostics].map(([p, l]) => [p, l.map((d) => ({ ...d, message: d.message.replaceAll(' [replayed]', '') }))]));

    await run();
    markStored();
    // One page edited: its link repaired, a new one broken.
    writeFileSync(path.join(root, 'relleno/p3.md'), `# Página 3\n\n[roto](p4.md) [otro](nada.md)\n`);
    const edited = await run();
    assert.ok(!marked(edited.diagnostics, 'relleno/p3.md'));
    assert.ok(marked(edited.diagnostics, 'relleno/p20.md'), 'a page the edit does not affect keeps the results of the run before');
    assert.deepEqual(unmarked(edited.diagnostics), await fromScratch());

    // The links' resolutions are kept with the results; damaged, the replay resolves the links again.
    const kept = JSON.parse(readFileSync(resultsFile, 'utf8'));
    assert.equal(kept.resolutions.pages.length, kept.inputs.length);
    for (const damage of [(r: { table: unknown[] }) => r.table.fill({ kind: 'found' }), (r: { pages: unknown[] }) => r.pages.fill([1e9])]) {
      const stored = JSON.parse(JSON.stringify(kept));
      damage(stored.resolutions);
      for (const [, list] of stored.diagnostics) for (const d of list) d.message += ' [replayed]';
      writeFileSync(resultsFile, JSON.stringify(stored));
      writeFileSync(path.join(root, 'relleno/p3.md'), `# Página 3\n\n[roto](p5.md) [otro](nada.md)\n`);
      const again = await run();
      assert.ok(marked(again.diagnostics, 'relleno/p20.md'));
      assert.deepEqual(unmarked(again.diagnostics), await fromScratch());
      writeFileSync(path.join(root, 'relleno/p3.md'), `# Página 3\n\n[roto](p4.md) [otro](nada.md)\n`);
      await run();
    }

    // A page added, one removed, one with a new title: the same.
    markStored();
    writeFileSync(path.join(root, 'temas/tres.md'), '# Tres\n');
    rmSync(path.join(root, 'relleno/p9.md'));
    writeFileSync(path.join(root, 'relleno/p5.md'), '# Quinta página\n\n[roto](../faltan/p5.md)\n');
    const changed = await run();
    assert.ok(marked(changed.diagnostics, 'relleno/p20.md'));
    assert.deepEqual(unmarked(changed.diagnostics), await fromScratch());

    // More than a tenth of the files changed: everything is checked again.
    markStored();
    for (let i = 10; i < 16; i++) writeFileSync(path.join(root, `relleno/p${i}.md`), `# Página ${i}\n\n[roto](otra${i}.md)\n`);
    const many = await run();
    assert.ok(![...many.diagnostics.keys()].some((page) => marked(many.diagnostics, page)));
    assert.deepEqual(many.diagnostics, await fromScratch());

    // Results stored with inputs that do not give their key (another engine, other settings) are not replayed.
    markStored();
    const stored = JSON.parse(readFileSync(resultsFile, 'utf8'));
    stored.key = 'another';
    writeFileSync(resultsFile, JSON.stringify(stored));
    writeFileSync(path.join(root, 'relleno/p20.md'), '# Página 20\n\n[roto](otra.md)\n');
    const other = await run();
    assert.ok(![...other.diagnostics.keys()].some((page) => marked(other.diagnostics, page)));
    assert.deepEqual(other.diagnostics, await fromScratch());
  });

  test('without the index (index: false), an unchanged workspace gives the last results without reading the facts file (a page whose stamp differs is read); any change loads them', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'quick');
    const expected = (await checkWorkspace(root, 'es', { cacheDir: false, workers: false })).diagnostics;
    await checkWorkspace(root, 'es', { cacheDir, workers: false });
    // Stamps taken now are racy: dated as an hour ago, the files are as old as the stamps need.
    for (const name of Object.keys(pages)) utimesSync(path.join(root, name), anHourAgo, anHourAgo);
    await new Promise((resolve) => setTimeout(resolve, 3100));
    await checkWorkspace(root, 'es', { cacheDir, workers: false });
    // The results hold the pages' stamps: the facts file is not even read (left damaged, it stays as it is).
    writeFileSync(cacheFile(cacheDir), 'damaged');
    const quick = await checkWorkspace(root, 'es', { cacheDir, workers: false, index: false });
    assert.deepEqual(quick.diagnostics, expected);
    assert.throws(() => quick.kb);
    assert.equal(readFileSync(cacheFile(cacheDir), 'utf8'), 'damaged');
    // A page touched, its text the same: its stamp differs (and would not be kept, too recent), its text is read and hashed.
    utimesSync(path.join(root, 'temas/uno.md'), new Date(), new Date());
    const touched = await checkWorkspace(root, 'es', { cacheDir, workers: false, index: false });
    assert.deepEqual(touched.diagnostics, expected);
    assert.throws(() => touched.kb);
    assert.equal(readFileSync(cacheFile(cacheDir), 'utf8'), 'damaged');
    // A page edited: its stamp differs, the facts are loaded and the index is there.
    writeFileSync(path.join(root, 'README.md'), pages['README.md'] + '\n[nueva](nueva.md)\n');
    const edited = await checkWorkspace(root, 'es', { cacheDir, workers: false, index: false });
    assert.deepEqual(edited.diagnostics, (await checkWorkspace(root, 'es', { cacheDir: false, workers: false })).diagnostics);
    assert.ok(edited.kb.page('README.md'));
  });

  test('files of other cache versions are removed when the cache is written', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'versions');
    mkdirSync(cacheDir, { recursive: true });
    writeFileSync(path.join(cacheDir, 'facts-v1.bin'), 'old');
    writeFileSync(path.join(cacheDir, 'results-v1.json'), 'old');
    writeFileSync(path.join(cacheDir, 'notes.txt'), 'not ours');
    await checkWorkspace(root, 'es', { cacheDir, workers: false });
    assert.deepEqual(readdirSync(cacheDir).sort(), [`facts-v${FACTS_VERSION}.bin`, 'notes.txt', `results-v${FACTS_VERSION}.json`]);
  });

  test('stamps of pages that are gone are dropped on save', async () => {
    const root = writeTree(pages);
    const cacheDir = path.join(scratch, 'gone');
    await load(root, cacheDir);
    rmSync(path.join(root, 'temas/dos.md'));
    await load(root, cacheDir);
    const data = decodeCacheFile(readFileSync(cacheFile(cacheDir)));
    assert.equal(data.stampKeys.length / 2, 2);
    assert.equal(data.pageStarts.length, 2);
  });
});

describe('parse workers', () => {
  // The bundled worker script: dist/ is built with the tests (three levels above out/test/unit/).
  const script = path.resolve(__dirname, '..', '..', '..', 'dist', 'parseWorker.js');
  const smallPages = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`p${i}.md`, `# P ${i}\n\n[siguiente ➡️](p${i + 1}.md)\n`]));

  test('a host is told when parse workers start and once they are done; not when none is made', { skip: availableParallelism() < 2 || !existsSync(script) ? 'needs two cores and dist/' : false }, async () => {
    const root = writeTree(smallPages);
    const events: [boolean, number][] = [];
    const kb = new KnowledgeBase(root, defaultSettings());
    let parsed = 0;
    await loadWorkspace(kb, new FileSystemWorkspace(root, []), {
      token: noCancellation,
      createPool: (pages) => ParsePool.create(pages, defaultMarkers, { script }),
      progress: (done) => (parsed = done),
      onWorkers: (running) => events.push([running, parsed]),
    });
    // Started before the first page, done after the last.
    assert.deepEqual(events, [[true, 0], [false, 400]]);
    assert.equal(kb.pagePaths().length, 400);
    events.length = 0;
    await loadWorkspace(new KnowledgeBase(root, defaultSettings()), new FileSystemWorkspace(root, []), { token: noCancellation, createPool: () => undefined, onWorkers: (running) => events.push([running, 0]) });
    assert.deepEqual(events, []);
  });

  /** Indexes `files` with `createPool`, and again in this thread; returns the problems and whether each page indexed has the same facts both ways. */
  async function loadBothWays(files: Record<string, string>, createPool: (pages: number, size?: number) => ParsePool | undefined) {
    const root = writeTree(files);
    const pooled = new KnowledgeBase(root, defaultSettings());
    const problems = await loadWorkspace(pooled, new FileSystemWorkspace(root, []), { token: noCancellation, createPool });
    const single = new KnowledgeBase(root, defaultSettings());
    await loadWorkspace(single, new FileSystemWorkspace(root, []), { token: noCancellation });
    const same = pooled.pagePaths().every((p) => JSON.stringify(plain(pooled.page(p)!.facts)) === JSON.stringify(plain(single.page(p)!.facts)));
    return { problems, pages: pooled.pagePaths().length, same, pooled };
  }

  test('a page a worker runs out of memory on is reported and kept as a file; its other pages go to a new worker', { skip: availableParallelism() < 2 || !existsSync(script) ? 'needs two cores and dist/' : false }, async () => {
    // 20,000 links: micromark's events for them need far more than a 48 MB heap.
    const files = { ...smallPages, 'grande.md': `# Grande\n\n${'[a](p1.md) '.repeat(20_000)}\n` };
    const { problems, pages, same, pooled } = await loadBothWays(files, (count) => ParsePool.create(count, defaultMarkers, { script, maxOldGenerationSizeMb: 48 }));
    assert.deepEqual(problems.map((p) => p.path), ['grande.md']);
    assert.match(problems[0].message, /^could not be parsed \(.*memory.*\): kept as a file, not indexed$/);
    assert.equal(pages, 400);
    assert.ok(pooled.files.hasFile('grande.md') && !pooled.isPage('grande.md'));
    assert.ok(same);
  });

  test('the text of an open page: parsed by a single worker; after that worker died of a page, by a new one; dispose rejects what is pending', { skip: !existsSync(script) ? 'needs dist/' : false, timeout: 120_000 }, async () => {
    const text = '# Abierta\n\n[siguiente ➡️](p1.md) [roto](falta.md#x)\n';
    const expected = JSON.stringify(plain(parsePage(text, new MarkerSet(defaultMarkers))));
    const pool = ParsePool.create(1, defaultMarkers, { script, size: 1, maxOldGenerationSizeMb: 48 })!;
    try {
      assert.ok(pool, 'one worker when asked for, even for one page');
      assert.equal(JSON.stringify(plain((await pool.parseText('abierta.md', text)).facts)), expected);
      await assert.rejects(pool.parseText('grande.md', `# Grande\n\n${'[a](p1.md) '.repeat(20_000)}\n`), /^Error: could not be parsed \(.*memory.*\)/);
      assert.equal(JSON.stringify(plain((await pool.parseText('abierta.md', text)).facts)), expected);
      const pending = [pool.parseText('grande.md', `${'[a](p1.md) '.repeat(5_000)}\n`), pool.parseText('abierta.md', text)].map((page) => assert.rejects(page, /disposed/));
      await pool.dispose();
      await Promise.all(pending);
      await assert.rejects(pool.parseText('abierta.md', text), /disposed/);
    } finally {
      await pool.dispose();
    }
  });

  test('in a workspace too small for a pool, a long page is parsed on a worker: one that exhausts it is reported, the others are indexed here', { skip: !existsSync(script) ? 'needs dist/' : false }, async () => {
    const few = Object.fromEntries(Object.entries(smallPages).slice(0, 20));
    // Past longPageChars, and far more than a 48 MB heap can parse.
    const files = { ...few, 'indice.md': `# Índice\n\n${'[a](p1.md) '.repeat(30_000)}\n` };
    const sizes: (number | undefined)[] = [];
    const { problems, pages, same, pooled } = await loadBothWays(files, (count, size) => {
      sizes.push(size);
      return ParsePool.create(count, defaultMarkers, { script, size, maxOldGenerationSizeMb: 48 });
    });
    // The usual pool (none for 21 pages), then one worker for the long page.
    assert.equal(sizes.at(-1), 1);
    assert.ok(sizes.slice(0, -1).every((size) => size === undefined));
    assert.deepEqual(problems.map((p) => p.path), ['indice.md']);
    assert.match(problems[0].message, /^could not be parsed \(.*memory.*\): kept as a file, not indexed$/);
    assert.equal(pages, 20);
    assert.ok(pooled.files.hasFile('indice.md') && !pooled.isPage('indice.md'));
    assert.ok(same);
  });

  test('pages given to a worker that cannot start are parsed by the others, or in the calling thread', { skip: availableParallelism() < 2 ? 'needs two cores' : false }, async () => {
    const broken = path.join(scratch, 'broken-worker.js');
    writeFileSync(broken, 'throw new Error("cannot start");\n');
    const { problems, pages, same } = await loadBothWays(smallPages, (count) => ParsePool.create(count, defaultMarkers, { script: broken }));
    assert.deepEqual(problems, []);
    assert.equal(pages, 400);
    assert.ok(same);
  });
});

describe('runs after runs', () => {
  // Enough files that one change is a tenth of them or less (the run before is replayed), and sometimes more.
  const paths = ['README.md', 'a/uno.md', 'a/dos.md', 'a/Tres.md', 'b/cuatro.md', 'b/cinco.md', 'b/Conclusión.md'.normalize('NFD'), 'c/seis.md', 'c/siete.md', 'c/ocho.md', 'c/nueve.md', 'img/x.png'];
  const titles = ['Inicio', 'Uno', 'Dos', 'Tres', 'Cuatro', 'Conclusión', 'Seis'];
  const destinations = ['a/uno.md', '../a/dos.md', 'dos.md#sección', 'tres.md', '../b/cuatro.md', 'cinco.md#nada', '/c/seis.md', 'Conclusión.md', '../img/x.png', 'falta.md', '../README.md', 'siete.md', 'c\\ocho.md'];
  const markers = ['⬅️', '➡️', '⬆️', ''];
  const page = fc
    .record({
      title: fc.constantFrom(...titles),
      section: fc.boolean(),
      links: fc.array(fc.record({ label: fc.constantFrom(...titles), marker: fc.constantFrom(...markers), destination: fc.constantFrom(...destinations) }), { maxLength: 4 }),
    })
    .map((p) => [`# ${p.title}`, p.section ? '\n## Sección\n' : '', ...p.links.map((l) => `[${l.label} ${l.marker}](${l.destination})`)].join('\n') + '\n');
  const change = fc.oneof(
    { weight: 4, arbitrary: fc.record({ path: fc.constantFrom(...paths), text: page }) },
    { weight: 1, arbitrary: fc.record({ path: fc.constantFrom(...paths), text: fc.constant(null) }) },
  );

  test('each run with the cache (results reprinted, replayed or worked out) reports what a run from scratch reports', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(page, { minLength: paths.length, maxLength: paths.length }), fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 6 }), async (initial, steps) => {
        const root = mkdtempSync(path.join(scratch, 'runs-'));
        const cacheDir = path.join(scratch, `runs-cache-${n++}`);
        const write = (p: string, text: string | null) => {
          const file = path.join(root, p);
          if (text === null) return rmSync(file, { force: true });
          mkdirSync(path.dirname(file), { recursive: true });
          writeFileSync(file, text);
        };
        paths.forEach((p, i) => write(p, initial[i]));
        for (const step of [[], ...steps, []]) {
          for (const { path: p, text } of step) write(p, text);
          const expected = (await checkWorkspace(root, 'es', { cacheDir: false, workers: false })).diagnostics;
          const cached = await checkWorkspace(root, 'es', { cacheDir, workers: false, index: n % 2 === 0 });
          assert.deepEqual(cached.diagnostics, expected);
        }
      }),
      { numRuns: Number(process.env.KBNAV_PROPERTY_RUNS ?? 40) },
    );
  });
});

describe('navigation labels and links', () => {
  test('finding a link’s direction does not hide the marker from the next look at its label', () => {
    const markers = new MarkerSet(defaultMarkers);
    assert.equal(markers.direction('Curso ⏭️ y más'), 'forward');
    assert.deepEqual(markers.occurrences('Curso ⏭️'), [[6, 8]]);
    assert.equal(markers.direction('⬅️ Inicio'), 'back');
    assert.deepEqual(markers.occurrences('⬅️ Inicio'), [[0, 2]]);
  });
});

describe('normalized titles', () => {
  test('a Latin-1 title normalizes as through the Unicode steps (decomposition, marks, case, separators)', () => {
    const unicode = (text: string) => text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
    const texts = ['Línea de órdenes', '  Ñandú — ÆØ ß ²³ µ ÿ ', '¡Hola! ¿Qué tal?', 'a--b', '', ' ', 'Ünïcödé 2º', 'x\u00a0y'];
    for (let code = 0; code < 256; code++) texts.push(`A${String.fromCharCode(code)}b ${String.fromCharCode(code)}`);
    for (const text of texts) assert.equal(normalizeTitle(text), unicode(text), JSON.stringify(text));
  });
});

describe('links', () => {
  test('a backslash that only an entity wrote is resolved like any other character, not a crash', () => {
    const kb = new KnowledgeBase('/kb', defaultSettings('en'));
    kb.setPage('README.md', '# A\n\n[x](b&#92;c.md)\n');
    kb.commit();
    assert.deepEqual(kb.diagnostics('README.md').map((d) => d.code), ['missing-file']);
  });
});
