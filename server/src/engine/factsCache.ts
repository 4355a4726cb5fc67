import { randomBytes, createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import * as nodePath from 'node:path';
import type { NavMarkers } from './navigation';
import { jsonArrayPieces } from './jsonPieces';
import { FactsReader, FactsWriter } from './packedFacts';
import type { PageFacts } from './types';

/**
 * Bumped whenever what `parsePage` produces changes, or the file's layout: older caches are then ignored.
 * 9: facts as a stream of numbers and a table of strings (were the facts objects, v8-serialized);
 * the size, times and inode of each page when it was read; saves that append to the string table.
 * 10: where each page's numbers start, so that a page is decoded only when asked for.
 * 11: whether a link's label holds a backtick.
 * 12: a backslash before a space or a line ending ends a destination (it escaped them).
 * 13: whether a link's destination begins its line; whether an autolink follows `]` or `!`.
 * 14: the file is the numbers and the string table themselves (`writeCacheFile`), written piece by piece
 * (was one v8-serialized object: a save built a copy of the whole file in memory, 250 MB at 50,000 pages).
 * 15: a tag inside an HTML comment, processing instruction or CDATA section is no link and no anchor.
 * 16: `labelMarks` (was `labelBacktick`): a label written with a backtick or a pipe.
 * 17: `glued` also after a run of characters where a literal URL may end.
 */
export const FACTS_VERSION = 17;

/** What tells, without reading it, that a file is the one read before: any difference means read it again. */
export interface FileStamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  /** When the stamp was taken (Date.now()), to refuse stamps of files changed in the same clock tick. */
  takenAt: number;
}

/** A stamp as kept on disk (in the facts file and with the results of a run): size, mtimeMs, ctimeMs, ino. */
export type StampNumbers = [size: number, mtimeMs: number, ctimeMs: number, ino: number];

export const stampNumbers = (s: FileStamp): StampNumbers => [s.size, s.mtimeMs, s.ctimeMs, s.ino];

/** A stamp read back from disk (`takenAt` 0: it was not racy when it was kept). */
export const stampOf = ([size, mtimeMs, ctimeMs, ino]: Iterable<number>): FileStamp => ({ size, mtimeMs, ctimeMs, ino, takenAt: 0 });

/**
 * A file changed within this long before it was stamped may change again without its times moving
 * (file systems keep times at 1 s or 2 s resolution, the clock may jump): such a stamp is not kept,
 * and the file is read on the next run. Git calls this "racily clean".
 */
const racyMs = 3000;

export interface CacheFile {
  format: 'kbnav-facts';
  version: number;
  markers: string;
  /** Every distinct string, once: facts refer to them by index. */
  strings: string[];
  /** The facts of each page in turn (see `FactsWriter`); written from pieces, read as one array. */
  numbers: Int32Array | Int32Array[];
  /** Where each page's numbers start. */
  pageStarts: Int32Array;
  /** Strings appended to the table by saves that kept the rest of it (some may be dead): past a quarter, the file is written anew. */
  appended: number;
  /** Per stamp: the path and the text hash (indexes into `strings`). */
  stampKeys: Int32Array;
  /** Per stamp: size, mtimeMs, ctimeMs, ino. */
  stampValues: Float64Array;
  /** New at each save: a file with the id read is the file read (a file is replaced, never changed). Absent in tests' files. */
  id?: string;
  /** Where the string table is in the file read (`readCacheFile`): a save that keeps it copies its bytes. */
  table?: TableSpan;
}

interface TableSpan {
  offset: number;
  bytes: number;
}

/**
 * Page facts kept on disk between runs, keyed by the hash of each page's text: a page whose text
 * is unchanged is not parsed again. With each page's stamp (size, times, inode) when it was read:
 * a page whose stamp is unchanged is not even read. It is only a cache: versioned, checked on load,
 * safe to delete, and any file that does not look exactly right is ignored (and replaced on the next save).
 */
export class FactsCache {
  /** Facts decoded, by text hash. */
  private readonly byHash = new Map<string, PageFacts>();
  /** Pages of the file not decoded yet: text hash → page number. A run that reuses its results decodes none. */
  private readonly pending = new Map<string, number>();
  /** path → its stamp and the hash of the text read then. */
  private readonly stamps = new Map<string, { stamp: FileStamp; hash: string }>();
  /** Paths looked up or stamped since the cache was opened: the others are gone from the workspace. */
  private readonly seen = new Set<string>();
  private stampsChanged = false;
  /**
   * What was read from the file, for a save that changes little: the facts of unchanged pages are
   * copied as they are (their numbers, which index this string table), not written out again.
   */
  private source?: {
    strings: string[];
    numbers: Int32Array;
    pageStarts: Int32Array;
    appended: number;
    /** The file's id and where its string table is (see `CacheFile`). */
    id?: string;
    table?: TableSpan;
    /** Loaded facts → where their numbers are. */
    spans: Map<PageFacts, [number, number]>;
    /** Path of a stamp → its index in `strings`. */
    paths: Map<string, number>;
  };

  private constructor(
    readonly file: string,
    private readonly markersKey: string,
  ) {}

  get size(): number {
    return this.byHash.size + this.pending.size;
  }

  /** Opens the cache of one workspace in `dir` (created on save). Never throws. */
  static async open(dir: string, markers: NavMarkers): Promise<FactsCache> {
    const markersKey = createHash('sha1').update(JSON.stringify(markers)).digest('base64url');
    const cache = new FactsCache(nodePath.join(dir, `facts-v${FACTS_VERSION}.bin`), markersKey);
    try {
      cache.read(await readCacheFile(cache.file));
    } catch {
      // Missing, unreadable or damaged: start empty.
      cache.byHash.clear();
      cache.pending.clear();
      cache.stamps.clear();
      cache.source = undefined;
    }
    return cache;
  }

  private read(data: CacheFile): void {
    if (data?.format !== 'kbnav-facts' || data.version !== FACTS_VERSION || data.markers !== this.markersKey) return;
    const { strings, numbers, pageStarts, stampKeys, stampValues } = data;
    if (!Array.isArray(strings) || !strings.every((s) => typeof s === 'string')) throw new Error('damaged');
    if (!(numbers instanceof Int32Array) || !(pageStarts instanceof Int32Array) || !(stampKeys instanceof Int32Array) || !(stampValues instanceof Float64Array)) throw new Error('damaged');
    if (!Number.isInteger(data.appended) || stampValues.length !== stampKeys.length * 2) throw new Error('damaged');
    const id = typeof data.id === 'string' ? data.id : undefined;
    const source = { strings, numbers, pageStarts, appended: data.appended, id, table: data.table, spans: new Map<PageFacts, [number, number]>(), paths: new Map<string, number>() };
    const reader = new FactsReader(strings, numbers);
    // Only each page's hash (its first number) now; the rest when the page is asked for.
    for (let i = 0; i < pageStarts.length; i++) {
      if (pageStarts[i] < (i ? pageStarts[i - 1] + 1 : 0) || pageStarts[i] >= numbers.length) throw new Error('damaged');
      this.pending.set(reader.string(numbers[pageStarts[i]]), i);
    }
    for (let i = 0; i < stampKeys.length; i += 2) {
      const path = reader.string(stampKeys[i]);
      const hash = reader.string(stampKeys[i + 1]);
      this.stamps.set(path, { stamp: stampOf(stampValues.subarray(i * 2, i * 2 + 4)), hash });
      source.paths.set(path, stampKeys[i]);
    }
    this.source = source;
  }

  get(hash: string): PageFacts | undefined {
    return this.byHash.get(hash) ?? this.decode(hash);
  }

  /** Decodes a page of the file; a page that does not decode exactly is dropped (it is then parsed again). */
  private decode(hash: string): PageFacts | undefined {
    const page = this.pending.get(hash);
    const source = this.source;
    if (page === undefined || !source) return undefined;
    this.pending.delete(hash);
    const start = source.pageStarts[page];
    const end = page + 1 < source.pageStarts.length ? source.pageStarts[page + 1] : source.numbers.length;
    try {
      const reader = new FactsReader(source.strings, source.numbers, start);
      const facts = reader.lazyPage();
      if (reader.at !== end || facts.hash !== hash) return undefined;
      this.byHash.set(hash, facts);
      source.spans.set(facts, [start, end]);
      return facts;
    } catch {
      return undefined;
    }
  }

  /** The stamp recorded for the page at `path` when it was read with text of hash `hash` (none if racy then). */
  recordedStamp(path: string, hash: string): FileStamp | undefined {
    const known = this.stamps.get(path);
    return known?.hash === hash ? known.stamp : undefined;
  }

  /**
   * The facts of the page at `path` when its stamp is the one recorded when it was last read, and
   * those facts are still cached; otherwise undefined, and the page must be read.
   */
  unchanged(path: string, stamp: FileStamp): PageFacts | undefined {
    this.seen.add(path);
    const known = this.stamps.get(path);
    if (!known || !sameStamp(known.stamp, stamp)) return undefined;
    return this.get(known.hash);
  }

  /** Records that the file at `path`, stamped `stamp` before it was read, had text of hash `hash`. */
  stamp(path: string, stamp: FileStamp, hash: string): void {
    this.seen.add(path);
    const known = this.stamps.get(path);
    if (Math.max(stamp.mtimeMs, stamp.ctimeMs) > stamp.takenAt - racyMs) {
      // Changed too recently to be told apart from a change to come: read it again next time.
      if (known) {
        this.stamps.delete(path);
        this.stampsChanged = true;
      }
      return;
    }
    if (known && known.hash === hash && sameStamp(known.stamp, stamp)) return;
    this.stamps.set(path, { stamp, hash });
    this.stampsChanged = true;
  }

  /**
   * Writes the facts of the live pages (the rest is dropped) and the stamps of the pages seen since
   * the cache was opened, atomically. Skipped when the file already holds exactly these (writing
   * 10k pages' facts costs more than reading them). Returns false if it could not write.
   */
  async save(live: Iterable<PageFacts>): Promise<boolean> {
    const facts = new Map<string, PageFacts>();
    for (const f of live) facts.set(f.hash, f);
    let stampsChanged = this.stampsChanged;
    for (const [path, { hash }] of this.stamps) {
      if (this.seen.has(path) && facts.has(hash)) continue;
      this.stamps.delete(path);
      stampsChanged = true;
    }
    // Pages never asked for are not live: they are dropped.
    if (!stampsChanged && this.pending.size === 0 && facts.size === this.byHash.size && [...facts.values()].every((f) => this.byHash.get(f.hash) === f)) return true;

    // One page edited need not cost writing ten thousand: the unchanged pages' numbers are copied,
    // with the string table they index, and only new strings are appended. When most of the file
    // would be dropped, or the table has grown by a quarter since it was last written anew, it is.
    const source = this.source;
    let kept = 0;
    if (source) for (const f of facts.values()) kept += spanLength(source.spans.get(f));
    const reuse = source && kept >= 0.75 * source.numbers.length && source.appended <= 0.25 * source.strings.length ? source : undefined;
    const writer = new FactsWriter(reuse?.strings);
    const temporary = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    let sink: CacheFileSink | undefined;
    try {
      await fs.mkdir(nodePath.dirname(this.file), { recursive: true });
      sink = await CacheFileSink.create(temporary);
      /** hash → its index in the table. */
      const hashes = new Map<string, number>();
      const pageStarts = new Int32Array(facts.size);
      let page = 0;
      for (const f of facts.values()) {
        pageStarts[page++] = writer.size;
        const span = reuse?.spans.get(f);
        if (span) {
          writer.copy(reuse!.numbers.subarray(span[0], span[1]));
          hashes.set(f.hash, reuse!.numbers[span[0]]);
        } else {
          hashes.set(f.hash, writer.string(f.hash));
          writer.page(f);
        }
        // To disk as they come: 50,000 pages' numbers are 60 MB.
        if (writer.unread >= 1 << 18) await sink.numbers(writer.take());
      }
      await sink.numbers(writer.take());
      const stampKeys = new Int32Array(this.stamps.size * 2);
      const stampValues = new Float64Array(this.stamps.size * 4);
      let i = 0;
      for (const [path, { stamp, hash }] of this.stamps) {
        stampKeys.set([reuse?.paths.get(path) ?? writer.string(path), hashes.get(hash)!], i * 2);
        stampValues.set(stampNumbers(stamp), i * 4);
        i++;
      }
      const rest: CacheFileRest = {
        format: 'kbnav-facts',
        version: FACTS_VERSION,
        markers: this.markersKey,
        strings: writer.strings,
        pageStarts,
        appended: reuse ? reuse.appended + writer.strings.length - reuse.strings.length : 0,
        stampKeys,
        stampValues,
        id: randomBytes(8).toString('hex'),
      };
      // The table it continues is copied from the file read, not made into JSON again (at 10,000 pages, 6 MB of it).
      const kept = reuse?.id && reuse.table ? { file: this.file, id: reuse.id, ...reuse.table, count: reuse.strings.length } : undefined;
      await sink.finish(rest, kept);
      sink = undefined;
      await fs.rename(temporary, this.file);
      await removeOtherVersions(nodePath.dirname(this.file));
      this.byHash.clear();
      this.pending.clear();
      for (const f of facts.values()) this.byHash.set(f.hash, f);
      this.stampsChanged = false;
      // The spans were of the file just replaced.
      this.source = undefined;
      return true;
    } catch {
      await sink?.abandon();
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      return false;
    }
  }
}

/*
 * The file: "KBNFACTS", the length of a JSON header (uint32), the header, then at offsets aligned for
 * them the numbers, page starts and stamp keys (Int32), the stamp values (Float64), and the string
 * table as JSON. Typed arrays are in this machine's byte order; a file from another machine reads as
 * damaged pages (each page is checked as it is decoded), which are parsed again.
 */
const magic = Buffer.from('KBNFACTS', 'latin1');

interface FileHeader {
  format: 'kbnav-facts';
  version: number;
  markers: string;
  appended: number;
  numbers: number;
  pages: number;
  stampKeys: number;
  stringsBytes: number;
  id?: string;
}

const align = (offset: number, to: number) => Math.ceil(offset / to) * to;

/** Where each part starts, after a header of `headerBytes`. */
function layout(headerBytes: number, h: FileHeader) {
  const numbers = align(magic.length + 4 + headerBytes, 8);
  const pageStarts = numbers + h.numbers * 4;
  const stampKeys = pageStarts + h.pages * 4;
  const stampValues = align(stampKeys + h.stampKeys * 4, 8);
  const strings = stampValues + h.stampKeys * 2 * 8;
  return { numbers, pageStarts, stampKeys, stampValues, strings, end: strings + h.stringsBytes };
}
type Layout = ReturnType<typeof layout>;

/**
 * Room for the header, which is written last (its counts are known at the end): padded with spaces to
 * this length, so that the numbers start at a known offset, 1,024.
 */
const headerRoom = 1024 - magic.length - 4;

/** The bytes from the start of the file to the numbers: magic, header length, header (made from the counts). */
function fileHead(data: CacheFileRest, numbers: number, stringsBytes: number): Buffer {
  const json = JSON.stringify(headerOf(data, numbers, stringsBytes));
  if (Buffer.byteLength(json) > headerRoom) throw new Error('header too long');
  const head = Buffer.alloc(magic.length + 4 + headerRoom, ' ');
  magic.copy(head);
  head.writeUInt32LE(headerRoom, magic.length);
  head.write(json, magic.length + 4, 'utf8');
  return head;
}

function headerOf(data: CacheFileRest, numbers: number, stringsBytes: number): FileHeader {
  const { format, version, markers, appended, id } = data;
  return { format, version, markers, appended, numbers, pages: data.pageStarts.length, stampKeys: data.stampKeys.length, stringsBytes, id };
}

const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

type CacheFileRest = Omit<CacheFile, 'numbers' | 'table'>;

/**
 * What follows the numbers: the page starts and the stamps; then the string table as JSON, in pieces
 * of a bounded size made one at a time as they are asked for (at 50,000 pages the table is 35 MB).
 */
function fileTail(data: CacheFileRest, numbers: number): { arrays: Buffer[]; strings: Iterable<Buffer> } {
  const at = layout(headerRoom, headerOf(data, numbers, 0));
  const padding = Buffer.alloc(at.stampValues - (at.stampKeys + data.stampKeys.length * 4));
  return { arrays: [bytesOf(data.pageStarts), bytesOf(data.stampKeys), padding, bytesOf(data.stampValues)], strings: stringsJson(data.strings) };
}

function* stringsJson(strings: string[]): Generator<Buffer> {
  for (const piece of jsonArrayPieces(strings)) yield Buffer.from(piece, 'utf8');
}

/** The file's bytes in one buffer (for tests that damage a file): as `CacheFileSink` writes them. */
export function encodeCacheFile(data: CacheFile): Buffer {
  const pieces = Array.isArray(data.numbers) ? data.numbers : [data.numbers];
  const numbers = pieces.reduce((n, p) => n + p.length, 0);
  const { arrays, strings } = fileTail(data, numbers);
  const table = [...strings];
  const head = fileHead(data, numbers, table.reduce((n, b) => n + b.length, 0));
  return Buffer.concat([head, ...pieces.map(bytesOf), ...arrays, ...table]);
}

/**
 * Writes a facts file front to back as its parts are made: the pages' numbers go to disk as they are
 * written, never gathered in memory (a save of 50,000 pages held 150 MB of them at once); the header,
 * whose counts are known last, goes into the room left for it at the start.
 */
class CacheFileSink {
  private numbersWritten = 0;
  /** Where the next bytes go: first the numbers, after the header's room (at 1,024, aligned for them). */
  private position = magic.length + 4 + headerRoom;

  private constructor(private readonly handle: fs.FileHandle) {}

  static async create(file: string): Promise<CacheFileSink> {
    return new CacheFileSink(await fs.open(file, 'w'));
  }

  private async write(pieces: Buffer[]): Promise<void> {
    // In batches: a system call writes a bounded number of pieces.
    for (let i = 0; i < pieces.length; i += 512) {
      const batch = pieces.slice(i, i + 512);
      await this.handle.writev(batch, this.position);
      this.position += batch.reduce((n, b) => n + b.length, 0);
    }
  }

  async numbers(pieces: Int32Array[]): Promise<void> {
    await this.write(pieces.map(bytesOf));
    this.numbersWritten += pieces.reduce((n, p) => n + p.length, 0);
  }

  /**
   * Writes the rest and the header, and closes the file. `kept`: the string table of the file read,
   * which `rest.strings` continues, copied from that file if it is still there.
   */
  async finish(rest: CacheFileRest, kept?: KeptTable): Promise<void> {
    const { arrays, strings } = fileTail(rest, this.numbersWritten);
    await this.write(arrays);
    const source = kept && (await openKeptTable(kept));
    let stringsBytes = 0;
    try {
      for await (const piece of source ? copyTable(source, kept!, rest.strings) : strings) {
        await this.write([piece]);
        stringsBytes += piece.length;
      }
    } finally {
      await source?.close();
    }
    const head = fileHead(rest, this.numbersWritten, stringsBytes);
    await this.handle.write(head, 0, head.length, 0);
    await this.handle.close();
  }

  async abandon(): Promise<void> {
    await this.handle.close().catch(() => undefined);
  }
}

/** The string table of a file read, which a save continues: in the file `file` of id `id`, its first `count` strings. */
interface KeptTable extends TableSpan {
  file: string;
  id: string;
  count: number;
}

/** The file that holds `kept`, open, if it is still the one read (same id, the table where it was); else undefined. */
async function openKeptTable(kept: KeptTable): Promise<fs.FileHandle | undefined> {
  const handle = await fs.open(kept.file, 'r').catch(() => undefined);
  try {
    const size = (await handle?.stat())?.size ?? 0;
    const start = Buffer.alloc(Math.min(size, magic.length + 4 + headerRoom));
    await handle?.read(start, 0, start.length, 0);
    const { header, at } = partsOf(start, size);
    const last = Buffer.alloc(1);
    await handle?.read(last, 0, 1, at.end - 1);
    if (header.id === kept.id && at.strings === kept.offset && header.stringsBytes === kept.bytes && last[0] === 0x5d /* ] */) return handle;
  } catch {
    // Not a facts file any more: the table is written out again.
  }
  await handle?.close().catch(() => undefined);
  return undefined;
}

/** The JSON of `strings`: the bytes of the kept table up to its closing bracket, then the strings added. */
async function* copyTable(source: fs.FileHandle, kept: KeptTable, strings: string[]): AsyncGenerator<Buffer> {
  const end = kept.offset + kept.bytes - 1;
  // One buffer for every chunk: each is written before the next is read.
  const buffer = Buffer.allocUnsafeSlow(Math.min(1 << 18, end - kept.offset));
  for (let at = kept.offset; at < end; ) {
    const length = Math.min(buffer.length, end - at);
    const { bytesRead } = await source.read(buffer, 0, length, at);
    if (bytesRead !== length) throw new Error('the facts file read was cut short');
    at += bytesRead;
    yield buffer.subarray(0, length);
  }
  const added = strings.slice(kept.count);
  let first = true;
  for (const piece of jsonArrayPieces(added)) {
    // Without the bracket that opens the added strings' array; a comma after the kept ones, if any.
    yield Buffer.from(first ? (kept.count && added.length ? ',' : '') + piece.slice(1) : piece, 'utf8');
    first = false;
  }
}

/** Reads what `CacheFileSink` wrote (or `encodeCacheFile`); throws on anything else. Numbers are views of `buffer` where aligned. */
export function decodeCacheFile(buffer: Buffer): CacheFile {
  const { header, at } = partsOf(buffer, buffer.length);
  return assemble(header, at, buffer.subarray(at.numbers, at.strings), buffer.subarray(at.strings, at.end));
}

/**
 * Reads a facts file as `decodeCacheFile` does, part by part: the string table is parsed from a buffer
 * of its own, dropped once read, instead of staying in memory with the numbers for the whole run
 * (35 MB of the 93 MB file of 50,000 pages).
 */
export async function readCacheFile(file: string): Promise<CacheFile> {
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const read = async (offset: number, length: number): Promise<Buffer> => {
      if (offset + length > size) throw new Error('damaged');
      const buffer = Buffer.allocUnsafeSlow(length);
      const { bytesRead } = await handle.read(buffer, 0, length, offset);
      if (bytesRead !== length) throw new Error('damaged');
      return buffer;
    };
    const start = await read(0, magic.length + 4);
    const head = Buffer.concat([start, await read(start.length, headerLength(start))]);
    const { header, at } = partsOf(head, size);
    return assemble(header, at, await read(at.numbers, at.strings - at.numbers), await read(at.strings, at.end - at.strings));
  } finally {
    await handle.close();
  }
}

/** The length of the header, from the file's first bytes. */
function headerLength(start: Buffer): number {
  if (start.length < magic.length + 4 || !start.subarray(0, magic.length).equals(magic)) throw new Error('not a facts file');
  return start.readUInt32LE(magic.length);
}

/** The header and where each part is, from the bytes up to the end of the header, in a file of `size` bytes. */
function partsOf(head: Buffer, size: number): { header: FileHeader; at: Layout } {
  const headerBytes = headerLength(head);
  if (head.length < magic.length + 4 + headerBytes) throw new Error('damaged');
  const header = JSON.parse(head.toString('utf8', magic.length + 4, magic.length + 4 + headerBytes)) as FileHeader;
  const counts = [header.numbers, header.pages, header.stampKeys, header.stringsBytes, header.appended];
  if (!counts.every((n) => Number.isInteger(n) && n >= 0)) throw new Error('damaged');
  const at = layout(headerBytes, header);
  if (at.end !== size) throw new Error('damaged');
  return { header, at };
}

/** The file's contents from its numeric parts (from the numbers to the strings, `at.numbers` on) and its string table. */
function assemble(header: FileHeader, at: Layout, arrays: Buffer, strings: Buffer): CacheFile {
  const view = <T>(Kind: { new (b: ArrayBufferLike, offset: number, length: number): T; BYTES_PER_ELEMENT: number }, offset: number, count: number): T => {
    const start = arrays.byteOffset + offset - at.numbers;
    if (start % Kind.BYTES_PER_ELEMENT === 0) return new Kind(arrays.buffer, start, count);
    return new Kind(arrays.buffer.slice(start, start + count * Kind.BYTES_PER_ELEMENT), 0, count);
  };
  return {
    format: header.format,
    version: header.version,
    markers: header.markers,
    appended: header.appended,
    id: header.id,
    table: { offset: at.strings, bytes: at.end - at.strings },
    numbers: view(Int32Array, at.numbers, header.numbers),
    pageStarts: view(Int32Array, at.pageStarts, header.pages),
    stampKeys: view(Int32Array, at.stampKeys, header.stampKeys),
    stampValues: view(Float64Array, at.stampValues, header.stampKeys * 2),
    strings: JSON.parse(strings.toString('utf8')),
  };
}

/** Removes the cache files of other versions from `dir`: no run of this version reads them. */
export async function removeOtherVersions(dir: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  for (const name of names) {
    const version = /^(?:facts-v(\d+)\.bin|results-v(\d+)\.json)$/.exec(name);
    if (version && Number(version[1] ?? version[2]) !== FACTS_VERSION) await fs.rm(nodePath.join(dir, name), { force: true }).catch(() => undefined);
  }
}

function spanLength(span: [number, number] | undefined): number {
  return span ? span[1] - span[0] : 0;
}

export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
}


/** The default cache folder of a workspace for the CLI: `$KBNAV_CACHE_DIR`, else the user's cache folder. */
export function defaultCacheDir(root: string): string {
  const base = process.env.KBNAV_CACHE_DIR || nodePath.join(process.env.XDG_CACHE_HOME || nodePath.join(homedir(), '.cache'), 'kbnav');
  return nodePath.join(base, createHash('sha1').update(nodePath.resolve(root)).digest('hex').slice(0, 16));
}
