import type { Heading, LinkFacts, LinkKind, NavDirection, PageFacts, Position, Range, UndefinedReference } from './types';

/*
 * Facts packed: numbers in one Int32Array and strings by index into one table. The layout of the facts
 * cache on disk (many pages, one table), and of the facts a parse worker sends back (one page, its own table).
 * Ten thousand pages' facts as objects took 0.9 s to deserialize and 70 MB; as a stream, a fraction
 * of both, and every repeated string (a title used as a label, a destination) is stored and loaded once.
 * Optional fields carry a presence number: 0 absent, 1 present but undefined, 2 present. Read back, a
 * page's fields are those `parsePage` gave; a link's and a heading's are read from the numbers when asked for
 * (an optional one absent reads as undefined).
 */

/** One page's facts packed, as a parse worker sends them: the numbers' buffer is transferred, not copied. */
export interface PackedPage {
  numbers: Int32Array;
  strings: string[];
}

export function packPage(facts: PageFacts): PackedPage {
  const writer = new FactsWriter([], 1024);
  writer.page(facts);
  const chunks = writer.take();
  const numbers = new Int32Array(writer.size);
  let at = 0;
  for (const chunk of chunks) {
    numbers.set(chunk, at);
    at += chunk.length;
  }
  return { numbers, strings: writer.strings };
}

/**
 * The facts `packPage` packed; throws if they do not read exactly (a damaged message). `intern`: a table
 * shared by the pages unpacked, so that a string many pages hold (a heading, a label, a destination) is
 * kept once: half the strings of a workspace's facts are such copies.
 */
export function unpackPage({ numbers, strings }: PackedPage, intern?: Map<string, string>): PageFacts {
  if (!(numbers instanceof Int32Array) || !Array.isArray(strings)) throw new Error('damaged');
  if (intern) {
    strings = strings.map((s) => {
      const known = intern.get(s);
      if (known !== undefined) return known;
      intern.set(s, s);
      return s;
    });
  }
  const reader = new FactsReader(strings, numbers);
  const facts = reader.page();
  if (reader.at !== numbers.length) throw new Error('damaged');
  return facts;
}

export class FactsWriter {
  readonly strings: string[];
  /** Strings added by this writer (those of a table it continues are not looked up: a copy of one is harmless). */
  private readonly index = new Map<string, number>();
  /** The numbers written and not taken yet: pages copied from the file read (views of it), and the filled parts of `buffer`. */
  private written: Int32Array[] = [];
  /** How many numbers `written` holds. */
  private held = 0;
  /** Where new numbers go; `used` of them are filled. */
  private buffer: Int32Array;
  private used = 0;
  private length = 0;

  /** The size of the pieces the numbers are written in, at least. */
  private readonly capacity: number;

  /** A writer that continues the string table `strings` (a copy of it), or starts a new one. */
  constructor(strings: string[] = [], capacity = 1 << 16) {
    this.strings = strings.slice();
    this.capacity = capacity;
    this.buffer = new Int32Array(capacity);
  }

  /** How many numbers were written. */
  get size(): number {
    return this.length;
  }

  /** How many numbers were written and not taken yet. */
  get unread(): number {
    return this.held + this.used;
  }

  /** The numbers written since the last call, in pieces, in order: never copied into one array. */
  take(): Int32Array[] {
    this.flush();
    const pieces = this.written;
    this.written = [];
    this.held = 0;
    return pieces;
  }

  /** Ends the piece being filled; the rest of the buffer is filled next. */
  private flush(): void {
    if (this.used === 0) return;
    this.written.push(this.buffer.subarray(0, this.used));
    this.held += this.used;
    this.buffer = this.buffer.subarray(this.used);
    this.used = 0;
  }

  private room(count: number): void {
    if (this.used + count <= this.buffer.length) return;
    this.flush();
    this.buffer = new Int32Array(Math.max(this.capacity, count));
  }

  private push(...values: number[]): void {
    this.room(values.length);
    for (const value of values) this.buffer[this.used++] = value;
    this.length += values.length;
  }

  /** Numbers of a page written before, with the same string table: kept as they are, not copied. */
  copy(numbers: Int32Array): void {
    this.flush();
    this.written.push(numbers);
    this.held += numbers.length;
    this.length += numbers.length;
  }

  string(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.strings.length;
      this.strings.push(s);
      this.index.set(s, i);
    }
    return i;
  }

  page(f: PageFacts): void {
    this.push(this.string(f.hash), this.optional(f, 'headingTitle'), f.eol === '\r\n' ? 1 : 0, f.openAtEnd ? 1 : 0);
    this.position(f.end);
    if (f.afterFrontMatter) {
      this.push(1);
      this.position(f.afterFrontMatter);
    } else this.push(0);
    this.push(f.headings.length);
    for (const h of f.headings) {
      this.push(h.depth, this.string(h.text), this.string(h.id));
      this.range(h.range);
    }
    this.push(f.anchors.length);
    for (const a of f.anchors) this.push(this.string(a));
    this.push(f.links.length);
    for (const l of f.links) {
      this.push(kinds.indexOf(l.kind), l.image ? 1 : 0, this.string(l.raw), this.string(l.url), this.string(l.label));
      this.range(l.rawRange);
      this.range(l.range);
      const labelRange = presence(l, 'labelRange');
      this.push(labelRange);
      if (labelRange === 2) this.range(l.labelRange!);
      this.push(l.nav ? directions.indexOf(l.nav) + 1 : 0, this.optional(l, 'reference'), (l.labelMarks ? 1 : 0) | (l.rawLineStart ? 2 : 0) | (l.glued ? 4 : 0));
    }
    this.push(f.undefinedReferences.length);
    for (const u of f.undefinedReferences) {
      this.push(this.string(u.reference));
      this.range(u.range);
    }
  }

  /** An optional string field: 0 absent, 1 undefined, else 2 + its string's index. */
  private optional<T extends object>(object: T, key: keyof T): number {
    const p = presence(object, key);
    return p === 2 ? 2 + this.string(object[key] as string) : p;
  }

  private position(p: Position): void {
    this.push(p.line, p.character);
  }

  private range(r: Range): void {
    this.push(r.start.line, r.start.character, r.end.line, r.end.character);
  }
}

function presence<T extends object>(object: T, key: keyof T): 0 | 1 | 2 {
  return !(key in object) ? 0 : object[key] === undefined ? 1 : 2;
}

/** The range whose four numbers start at `at`. */
function rangeAt(n: Int32Array, at: number): Range {
  return { start: { line: n[at], character: n[at + 1] }, end: { line: n[at + 2], character: n[at + 3] } };
}

/*
 * Facts read from the cache keep their ranges packed in the file's numbers, and make a Range when
 * asked: ten objects a link (three ranges, six positions) were most of the memory of a warm run and
 * most of the garbage collector's work, and only the ranges of links with a finding are ever read.
 */

/**
 * A link's numbers, from `at`: kind, image, raw, url and label (their strings are read when the link is),
 * rawRange, range, whether there is a label range and the range, direction, reference, flags. Read from the
 * numbers when asked for: a link is six fields, not thirteen (a third of the memory of a link object).
 */
class PackedLink implements LinkFacts {
  readonly #numbers: Int32Array;
  readonly #at: number;

  constructor(
    readonly raw: string,
    readonly url: string,
    readonly label: string,
    readonly reference: string | undefined,
    numbers: Int32Array,
    at: number,
  ) {
    this.#numbers = numbers;
    this.#at = at;
  }

  get kind(): LinkKind {
    return kinds[this.#numbers[this.#at]];
  }

  get image(): boolean {
    return this.#numbers[this.#at + 1] === 1;
  }

  get rawRange(): Range {
    return rangeAt(this.#numbers, this.#at + 5);
  }

  get range(): Range {
    return rangeAt(this.#numbers, this.#at + 9);
  }

  get labelRange(): Range | undefined {
    return this.#numbers[this.#at + 13] === 2 ? rangeAt(this.#numbers, this.#at + 14) : undefined;
  }

  /** Where the direction is: after the label's range, if any. */
  #tail(): number {
    return this.#at + (this.#numbers[this.#at + 13] === 2 ? 18 : 14);
  }

  get nav(): NavDirection | undefined {
    const direction = this.#numbers[this.#tail()];
    return direction > 0 ? directions[direction - 1] : undefined;
  }

  get labelMarks(): true | undefined {
    return this.#flag(1);
  }

  get rawLineStart(): true | undefined {
    return this.#flag(2);
  }

  get glued(): true | undefined {
    return this.#flag(4);
  }

  #flag(bit: number): true | undefined {
    return this.#numbers[this.#tail() + 2] & bit ? true : undefined;
  }
}

class PackedHeading implements Heading {
  readonly #numbers: Int32Array;
  readonly #at: number;

  constructor(
    readonly depth: number,
    readonly text: string,
    readonly id: string,
    numbers: Int32Array,
    at: number,
  ) {
    this.#numbers = numbers;
    this.#at = at;
  }

  get range(): Range {
    return rangeAt(this.#numbers, this.#at);
  }
}

/** Reads what `FactsWriter` wrote; throws at the first number or index out of place (a damaged file). */
export class FactsReader {
  constructor(
    private readonly strings: string[],
    private readonly numbers: Int32Array,
    public at = 0,
  ) {}

  private next(): number {
    if (this.at >= this.numbers.length) throw new Error('damaged');
    return this.numbers[this.at++];
  }

  string(i: number): string {
    const s = this.strings[i];
    if (s === undefined) throw new Error('damaged');
    return s;
  }

  private text(): string {
    return this.string(this.next());
  }

  private optional(): string | undefined | null {
    const p = this.next();
    return p === 0 ? null : p === 1 ? undefined : this.string(p - 2);
  }

  private count(): number {
    const n = this.next();
    if (n < 0 || n > this.numbers.length - this.at) throw new Error('damaged');
    return n;
  }

  private position(): Position {
    return { line: this.next(), character: this.next() };
  }

  /** Where the `count` numbers of packed ranges start; skips them. */
  private packed(count: number): number {
    const at = this.at;
    if (at + count > this.numbers.length) throw new Error('damaged');
    this.at += count;
    return at;
  }

  /** A page's facts, every list made now (a page a worker sent). */
  page(): PageFacts {
    const scalars = this.scalars();
    const facts: PageFacts = { hash: scalars.hash, headingTitle: undefined, ...this.lists(true).lists!, end: scalars.end, eol: scalars.eol };
    setOptional(facts, scalars);
    return facts;
  }

  /**
   * A page's facts whose lists (headings, anchors, links, undefined references) are made when first
   * read: checked now, number by number, as `page` would read them, so that reading them later cannot
   * fail. A run after an edit reads the lists of the few pages it checks again, not those of the ten
   * thousand it indexes (at 10,000 notes, 14 MB of objects fewer to keep and to collect).
   */
  lazyPage(): PageFacts {
    const scalars = this.scalars();
    const at = this.at;
    const { linkCount } = this.lists(false);
    return new LazyPageFacts(scalars, linkCount, this.strings, this.numbers, at);
  }

  private scalars(): Scalars {
    const hash = this.text();
    const headingTitle = this.optional();
    const eol = this.next() === 1 ? '\r\n' : '\n';
    const openAtEnd = this.next() === 1;
    const end = this.position();
    const afterFrontMatter = this.next() === 1 ? this.position() : undefined;
    return { hash, headingTitle, eol, openAtEnd, end, afterFrontMatter };
  }

  /** The lists, made if `make`, else only read through (and checked); how many links. For this module's readers only. */
  lists(make: boolean): { lists?: Lists; linkCount: number } {
    const n = this.numbers;
    const headings: Heading[] = [];
    for (let i = this.count(); i > 0; i--) {
      const depth = this.next();
      const text = this.text();
      const id = this.text();
      const at = this.packed(4);
      if (make) headings.push(new PackedHeading(depth, text, id, n, at));
    }
    const anchors: string[] = [];
    for (let i = this.count(); i > 0; i--) {
      const anchor = this.text();
      if (make) anchors.push(anchor);
    }
    const links: LinkFacts[] = [];
    const linkCount = this.count();
    for (let i = linkCount; i > 0; i--) {
      const at = this.at;
      if (kinds[this.next()] === undefined) throw new Error('damaged');
      this.next();
      const raw = this.text();
      const url = this.text();
      const label = this.text();
      this.packed(8);
      if (this.next() === 2) this.packed(4);
      const nav = this.next();
      if (nav < 0 || nav > directions.length) throw new Error('damaged');
      const reference = this.optional() ?? undefined;
      this.next();
      if (make) links.push(new PackedLink(raw, url, label, reference, n, at));
    }
    const undefinedReferences: UndefinedReference[] = [];
    for (let i = this.count(); i > 0; i--) {
      const reference = this.text();
      const at = this.packed(4);
      if (make) undefinedReferences.push({ reference, range: rangeAt(n, at) });
    }
    return { lists: make ? { headings, anchors, links, undefinedReferences } : undefined, linkCount };
  }
}

interface Scalars {
  hash: string;
  /** null: absent. */
  headingTitle: string | undefined | null;
  eol: '\n' | '\r\n';
  openAtEnd: boolean;
  end: Position;
  afterFrontMatter: Position | undefined;
}

type Lists = Pick<PageFacts, 'headings' | 'anchors' | 'links' | 'undefinedReferences'>;

/** The optional fields, present only as `parsePage` gave them. */
function setOptional(facts: PageFacts, { headingTitle, openAtEnd, afterFrontMatter }: Scalars): void {
  if (headingTitle === null) delete facts.headingTitle;
  else facts.headingTitle = headingTitle;
  if (afterFrontMatter) facts.afterFrontMatter = afterFrontMatter;
  if (openAtEnd) facts.openAtEnd = true;
}

/** How many links a page has, without making the list of a page read from the cache. */
export function linkCount(facts: PageFacts): number {
  return facts instanceof LazyPageFacts ? facts.linkCount : facts.links.length;
}

class LazyPageFacts implements PageFacts {
  readonly hash: string;
  declare headingTitle?: string;
  readonly end: Position;
  readonly eol: '\n' | '\r\n';
  declare afterFrontMatter?: Position;
  declare openAtEnd?: true;
  #lists: Lists | undefined;
  /** Where the lists are, checked: reading them cannot fail. */
  readonly #strings: string[];
  readonly #numbers: Int32Array;
  readonly #at: number;

  constructor(
    scalars: Scalars,
    readonly linkCount: number,
    strings: string[],
    numbers: Int32Array,
    at: number,
  ) {
    this.hash = scalars.hash;
    this.end = scalars.end;
    this.eol = scalars.eol;
    setOptional(this, scalars);
    this.#strings = strings;
    this.#numbers = numbers;
    this.#at = at;
  }

  /** The lists, made at the first read. */
  get #made(): Lists {
    return (this.#lists ??= new FactsReader(this.#strings, this.#numbers, this.#at).lists(true).lists!);
  }

  get headings(): Heading[] {
    return this.#made.headings;
  }

  get anchors(): string[] {
    return this.#made.anchors;
  }

  get links(): LinkFacts[] {
    return this.#made.links;
  }

  get undefinedReferences(): UndefinedReference[] {
    return this.#made.undefinedReferences;
  }
}

const kinds: readonly LinkKind[] = ['inline', 'reference', 'autolink', 'definition', 'html'];
const directions: readonly NavDirection[] = ['back', 'forward', 'up', 'down', 'related'];

/**
 * Every field of the facts, as the layout above knows them: a field added to the types without
 * being added to the layout fails to compile here, instead of being silently dropped by the cache.
 */
const pageFields: Record<keyof PageFacts, true> = { hash: true, headingTitle: true, headings: true, anchors: true, links: true, undefinedReferences: true, end: true, afterFrontMatter: true, openAtEnd: true, eol: true };
const linkFields: Record<keyof LinkFacts, true> = { kind: true, image: true, raw: true, rawRange: true, url: true, label: true, labelRange: true, labelMarks: true, rawLineStart: true, glued: true, range: true, nav: true, reference: true };
const headingFields: Record<keyof Heading, true> = { depth: true, text: true, id: true, range: true };
const referenceFields: Record<keyof UndefinedReference, true> = { reference: true, range: true };
void [pageFields, linkFields, headingFields, referenceFields];
