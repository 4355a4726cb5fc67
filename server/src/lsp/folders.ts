/**
 * The knowledge base of each workspace folder, kept current: indexed from disk on start and when
 * settings change, then updated from open documents (which override the disk), closed documents
 * (back to the disk) and watched-file events.
 *
 * Work that reads the disk runs one step at a time per folder (a queue), so an index and the file
 * events that arrive while it runs never interleave. Edits of open documents do not wait: the
 * engine is incremental and synchronous, so each edit is applied and committed at once; only a page
 * too long to parse between two requests is parsed on a worker thread, and committed when that ends.
 *
 * The first index of a folder takes seconds to minutes on a large workspace. While it runs, the open
 * pages get a first look (engine/preliminary.ts) as soon as the files are listed: a small knowledge
 * base with every file name, the open pages and the pages they link to with a fragment.
 */
import * as nodePath from 'node:path';
import { URI } from 'vscode-uri';
import { defaultSettings, type EngineSettings } from '../engine/config';
import { FileTree } from '../engine/fileTree';
import { KnowledgeBase } from '../engine/knowledgeBase';
import { loadWorkspace } from '../engine/load';
import { FactsCache } from '../engine/factsCache';
import { earlierRun, readResults, replayEarlierRun, resultsToKeep, runInputs, writeResults } from '../engine/runResults';
import { ParsePool, isLongPage } from '../engine/parsePool';
import { parsePage, stripBom } from '../engine/parse';
import { isMarkdownPath } from '../engine/paths';
import { pagesLinkedFrom } from '../engine/preliminary';
import { CancelledError, noCancellation, type CancellationToken, type Locale, type PageFacts } from '../engine/types';
import { maxPageBytes } from '../engine/workspace';
import { setHeapGrowth } from '../heapGrowth';
import type { Logger } from './context';
import { DiskWorkspace, relativeTo } from './diskWorkspace';
import { describe } from './guard';

export interface IndexProgress {
  report(done: number, total: number): void;
  done(): void;
}

/** What the folders need from the server around them. */
export interface FolderHost {
  readonly log: Logger;
  /** The open documents (any folder). */
  openDocuments(): { uri: string; text: string }[];
  startProgress(folder: KbFolder): Promise<IndexProgress>;
  /** Where the facts cache of a folder lives (`root` is its absolute path), or undefined for none. */
  cacheDir(root: string): string | undefined;
}

export interface FileChange {
  path: string;
  type: 'created' | 'changed' | 'deleted';
}

type Listener<A extends unknown[]> = (...args: A) => void;

class Emitter<A extends unknown[]> {
  private readonly listeners: Listener<A>[] = [];
  constructor(private readonly log: Logger) {}
  on(listener: Listener<A>): void {
    this.listeners.push(listener);
  }
  fire(...args: A): void {
    for (const listener of this.listeners) {
      try {
        listener(...args);
      } catch (error) {
        this.log.error(`listener failed: ${describe(error)}`);
      }
    }
  }
}

class Cancellation implements CancellationToken {
  isCancellationRequested = false;
}

/** The first look at the open pages while the first index runs: what it was built from, and what it holds. */
interface Preview {
  readonly disk: DiskWorkspace;
  /**
   * The workspace's files once listed. Before that, the preview's file tree lists the folders its
   * look-ups read (a few, against 10,000 for a listing of 50,000 pages); one that holds a symbolic
   * link makes the preview wait for the listing.
   */
  files?: readonly string[];
  readonly settings: EngineSettings;
  readonly token: CancellationToken;
  /** Made at the first open page: every file name, then the pages looked at and the pages they link to. */
  kb?: KnowledgeBase;
  /** The pages looked at (their linked pages loaded): only their diagnostics are published. */
  readonly looked: Set<string>;
}

export class KbFolder {
  /** The folder's absolute path. */
  readonly root: string;
  kb: KnowledgeBase;
  /** The settings the current index was built with. */
  settings: EngineSettings;
  /** The settings of the newest index asked for (equal to `settings` once it is built). */
  requested: EngineSettings | undefined;
  private disk: DiskWorkspace;
  private state: 'new' | 'indexing' | 'ready' | 'disposed' = 'new';
  private indexing: Cancellation | undefined;
  private tail: Promise<void> = Promise.resolve();
  /** The last write of the facts cache (awaited on shutdown, so that it is not cut short). */
  cacheSaved: Promise<void> = Promise.resolve();
  private waiters: (() => void)[] = [];
  /** An index was built: from then on a new index runs while the previous one answers, and there is no preview. */
  private built = false;
  private preview: Preview | undefined;
  /** The worker that parses long open pages (`parseAside`), with the settings it was made for. */
  private aside: { pool: ParsePool; settings: EngineSettings; idle?: ReturnType<typeof setTimeout> } | undefined;
  /** Path → the latest text of a long page whose parse is under way; a newer text is parsed once that ends. */
  private readonly parsingAside = new Map<string, string>();

  constructor(
    readonly uri: string,
    readonly name: string,
    private readonly folders: Folders,
    locale: Locale,
  ) {
    this.root = URI.parse(uri).fsPath;
    this.settings = defaultSettings(locale);
    this.kb = new KnowledgeBase(this.root, this.settings);
    this.disk = new DiskWorkspace(this.root, this.settings.ignore, folders.host.log);
  }

  private get log(): Logger {
    return this.folders.host.log;
  }

  /** Indexed, and no newer index pending. */
  get ready(): boolean {
    return this.state === 'ready';
  }

  /** Resolves once the folder is indexed (at once when it is). */
  whenReady(): Promise<void> {
    if (this.state === 'ready' || this.state === 'disposed') return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  uriOf(path: string): string {
    return URI.file(nodePath.join(this.root, ...path.split('/'))).toString();
  }

  /** The workspace-relative path of a `file:` URI inside this folder, else undefined. */
  pathOf(uri: string): string | undefined {
    const parsed = URI.parse(uri);
    return parsed.scheme === 'file' ? relativeTo(this.root, parsed.fsPath) : undefined;
  }

  /** Whether the file at `path` belongs to the knowledge base (not ignored by `kbnav.ignore`). */
  tracks(path: string): boolean {
    return !this.disk.isIgnored(path);
  }

  /** Reads a workspace file's text as the editor has it: the open document, else the disk (with the disk's limits). */
  async readText(path: string): Promise<string> {
    const open = this.openText(path);
    return stripBom(open ?? (await this.disk.readFile(path)));
  }

  private openText(path: string): string | undefined {
    return this.folders.host.openDocuments().find((d) => this.pathOf(d.uri) === path)?.text;
  }

  /**
   * Builds a new index with `settings`. An index already running is cancelled; changes queued
   * meanwhile are applied after the new one. Requests wait for it (`whenReady`).
   */
  reindex(settings: EngineSettings): Promise<void> {
    if (this.state === 'disposed') return Promise.resolve();
    this.requested = settings;
    if (this.indexing) this.indexing.isCancellationRequested = true;
    const token = new Cancellation();
    this.indexing = token;
    this.state = 'indexing';
    this.folders.indexingStarted.fire(this);
    return this.enqueue(async () => {
      if (token.isCancellationRequested) return;
      const started = Date.now();
      let longOpen: { path: string; text: string }[] = [];
      const progress = await this.folders.host.startProgress(this);
      try {
        const kb = new KnowledgeBase(this.root, settings);
        const disk = new DiskWorkspace(this.root, settings.ignore, this.log);
        // A first look at the open pages, then the listing (once, for the preview and for the index).
        const preview: Preview | undefined = this.built ? undefined : { disk, settings, token, looked: new Set() };
        if (preview) {
          this.preview = preview;
          await this.look(preview, this.openPages(disk));
        }
        const files = await disk.listFilesAhead(token);
        if (preview) {
          preview.files = files;
          if (!preview.kb) await this.look(preview, this.openPages(disk));
        }
        // Facts of pages whose text did not change since the last run are not parsed again. The results
        // of the last index are read first, once the first look is published (50,000 pages' are 13 MB of
        // JSON, parsed on the thread that publishes it), and not while the facts file is.
        const cacheDir = this.folders.host.cacheDir(this.root);
        const stored = cacheDir ? await readResults(cacheDir) : undefined;
        const cache = cacheDir ? await FactsCache.open(cacheDir, settings.markers) : undefined;
        const problems = await loadWorkspace(kb, disk, {
          token,
          cache,
          progress: (done, total) => progress.report(done, total),
          // Worker threads for large workspaces (parseWorker.js next to the bundle); none for small ones.
          createPool: (pages, size) => ParsePool.create(pages, settings.markers, { size }),
          // Less garbage kept once they are done: the first index of a large workspace is the server's peak.
          onWorkers: setHeapGrowth,
          stageOnly: true,
        });
        for (const problem of [...disk.problems, ...problems]) this.log.warn(`${this.name}: ${problem.path}: ${problem.message}`);
        // The disk's state first, as the results of the last index can spare checking it: only what
        // changed since is checked (nothing, when nothing did). Its results are kept for the next.
        const now = cache ? runInputs(kb) : undefined;
        const earlier = now && stored ? earlierRun(kb, stored, now.inputs, cache!) : undefined;
        if (earlier) replayEarlierRun(kb, earlier);
        kb.commit();
        const results = now && resultsToKeep(kb, now, cache!, stored?.key === now.key ? stored : undefined);
        // Open pages override the disk; a long one once the index is ready, from the worker (its disk version meanwhile).
        const open = this.openPages(disk);
        longOpen = open.filter((page) => isLongPage(page.text));
        const live = kb.pagePaths().map((p) => kb.page(p)!.facts);
        for (const page of open) if (!longOpen.includes(page)) this.setPage(kb, page.path, page.text);
        kb.commit();
        this.kb = kb;
        this.disk = disk;
        this.settings = settings;
        this.built = true;
        this.log.info(`${this.name}: indexed ${kb.pagePaths().length} pages and ${kb.files.fileCount} files in ${Date.now() - started} ms`);
        if (cache) {
          this.cacheSaved = cache.save(live).then(async (saved) => {
            if (!saved) this.log.warn(`${this.name}: could not write the facts cache in ${cacheDir}`);
            if (results) await writeResults(cacheDir!, results);
          });
        }
      } catch (error) {
        if (error instanceof CancelledError || token.isCancellationRequested) return;
        this.log.error(`${this.name}: indexing failed: ${describe(error)}`);
      } finally {
        this.preview = undefined;
        progress.done();
      }
      // Ready (with the new index, or with the previous one when this one failed).
      this.state = 'ready';
      this.indexing = undefined;
      this.waiters.splice(0).forEach((resolve) => resolve());
      this.folders.indexed.fire(this);
      for (const page of longOpen) {
        const text = this.openText(page.path);
        if (text !== undefined) this.documentChanged(this.uriOf(page.path), text);
      }
    });
  }

  /** The open documents of this folder that are pages of the knowledge base `disk` lists, with their text. */
  private openPages(disk: DiskWorkspace): { path: string; text: string }[] {
    const pages: { path: string; text: string }[] = [];
    for (const doc of this.folders.host.openDocuments()) {
      const path = this.pathOf(doc.uri);
      if (path !== undefined && isMarkdownPath(path) && !disk.isIgnored(path)) pages.push({ path, text: doc.text });
    }
    return pages;
  }

  /** At most this many linked pages are read for a look: an index page may link to every page with a fragment. */
  private static readonly previewLinkedPages = 200;

  /**
   * Publishes a first look at open pages (`previewed`) while the first index runs: they and the pages
   * their links reach with a fragment — a handful — are parsed here, on this thread, into the
   * preview's knowledge base. Linked pages beyond `previewLinkedPages` stay plain files there: links
   * to them go unchecked for fragments until the index ends, which leaves diagnostics out, never adds any.
   */
  private async look(preview: Preview, pages: readonly { path: string; text: string }[]): Promise<void> {
    if (!pages.length) return;
    try {
      if (!preview.kb && preview.files) {
        preview.kb = new KnowledgeBase(this.root, preview.settings);
        for (const file of preview.files) preview.kb.addFile(file);
        preview.kb.commit();
      }
      preview.kb ??= new KnowledgeBase(this.root, preview.settings, new FileTree((dir) => preview.disk.listFolder(dir)));
      const kb = preview.kb;
      // A long page is not parsed here: the index parses it on a worker (until then it is a plain file here).
      const parsed = pages.map((page) => ({ ...page, facts: isLongPage(page.text) ? undefined : this.parse(kb, page.path, page.text, false) }));
      const linked = new Set<string>();
      for (const { path, facts } of parsed) {
        for (const target of facts ? pagesLinkedFrom(kb, path, facts) : []) if (!kb.isPage(target) && !pages.some((p) => p.path === target)) linked.add(target);
      }
      const toRead = [...linked].sort().slice(0, KbFolder.previewLinkedPages);
      const texts = await Promise.all(toRead.map((path) => preview.disk.readFile(path).catch(() => undefined)));
      if (preview.token.isCancellationRequested || this.preview !== preview) return;
      // Staged together, then one commit: the open pages are checked once, with their linked pages in.
      for (const { path, text, facts } of parsed) {
        if (this.openText(path) !== text) continue; // Changed or closed meanwhile: a later look has the newer text.
        if (facts) kb.setPage(path, facts);
        else this.keepAsFile(kb, path);
        preview.looked.add(path);
      }
      toRead.forEach((path, i) => {
        // Unreadable: the index keeps it as a file too, and says why. Opened meanwhile: the document wins.
        if (texts[i] !== undefined && !isLongPage(texts[i]) && this.openText(path) === undefined) this.setPage(kb, path, texts[i], false);
      });
      const affected = kb.commit();
      this.folders.previewed.fire(this, kb, [...affected].filter((p) => preview.looked.has(p)));
    } catch (error) {
      const lazy = !preview.kb?.files.complete;
      // A folder the lazy tree cannot list alone: the preview waits for the listing (or, after it, uses it).
      preview.kb = undefined;
      preview.looked.clear();
      if (!lazy) this.log.error(`${this.name}: preview: ${describe(error)}`);
      else if (preview.files) await this.look(preview, pages);
    }
  }

  /**
   * An open document's text changed (or it was opened): it overrides the disk from now on.
   * A change after a pause is committed at once. Typing faster than commits take, or a client
   * sending 1,000 changes a second, is coalesced: a flush waits, after the previous one, as long as
   * that one took, and then parses and commits only the latest text of each changed document. At
   * most half the time goes to commits, and requests are answered in between (one commit per change
   * made every hover wait minutes behind thousands of commits on a 10,000-page workspace).
   */
  documentChanged(uri: string, text: string): void {
    const path = this.pathOf(uri);
    if (path === undefined || !isMarkdownPath(path)) return;
    // While indexing, the index applies the open documents when it ends; the preview, if any, looks at them meanwhile.
    const disk = this.state === 'ready' ? this.disk : this.preview?.disk;
    if (!disk || disk.isIgnored(path)) return;
    this.changedDocuments.set(path, text);
    if (this.flushTimer) return; // Coalesced with the flush already on its way.
    const wait = this.lastFlushEnd + this.lastFlushMs - performance.now();
    this.flushTimer = wait > 0 ? setTimeout(() => this.flushDocuments(), wait) : setImmediate(() => this.flushDocuments());
  }

  /** Path → latest text of the documents changed since the last flush. */
  private readonly changedDocuments = new Map<string, string>();
  private flushTimer: ReturnType<typeof setTimeout> | ReturnType<typeof setImmediate> | undefined;
  private lastFlushEnd = 0;
  private lastFlushMs = 0;

  private flushDocuments(): void {
    this.clearFlushTimer();
    const started = performance.now();
    try {
      this.applyDocumentChanges();
    } finally {
      this.lastFlushEnd = performance.now();
      this.lastFlushMs = this.lastFlushEnd - started;
    }
  }

  private clearFlushTimer(): void {
    clearTimeout(this.flushTimer as ReturnType<typeof setTimeout>);
    clearImmediate(this.flushTimer as ReturnType<typeof setImmediate>);
    this.flushTimer = undefined;
  }

  private applyDocumentChanges(): void {
    // Closed meanwhile: documentClosed brings the disk's text back.
    const changed = [...this.changedDocuments].filter(([path]) => this.openText(path) !== undefined);
    this.changedDocuments.clear();
    if (this.state !== 'ready') {
      if (this.preview) void this.look(this.preview, changed.map(([path, text]) => ({ path, text })));
      return;
    }
    for (const [path, text] of changed) {
      if (isLongPage(text) && this.parseAside(path, text)) continue;
      this.setPage(this.kb, path, text);
    }
    if (changed.length) this.commit();
  }

  /** The old generation of the worker for long pages: twice what the longest page allowed needs (`maxPageBytes`, 4 MB of 40,000 links: under 1 GB). */
  private static readonly asideHeapMb = 2048;
  /** The worker for long pages stops after this long without one. */
  private static readonly asideIdleMs = 60_000;

  /**
   * Parses the text of a long open page (`isLongPage`) on a worker thread: on this thread it would
   * hold every request back at each edit, and one that needs more memory than the worker may use stops the
   * worker, not the server. The facts are staged and committed if the text is still the document's. A text
   * that comes while the page parses waits for that parse, and is parsed next. False if no worker can start.
   */
  private parseAside(path: string, text: string): boolean {
    if (this.parsingAside.has(path)) {
      this.parsingAside.set(path, text);
      return true;
    }
    if (!this.asidePool()) return false;
    this.parsingAside.set(path, text);
    void this.runAside(path);
    return true;
  }

  private async runAside(path: string): Promise<void> {
    for (;;) {
      const text = this.parsingAside.get(path)!;
      const kb = this.kb;
      const facts = await this.parseOnWorker(path, text);
      // Changed again meanwhile: the newer text is parsed.
      if (this.parsingAside.get(path) !== text) continue;
      this.parsingAside.delete(path);
      // Else a new index, a close or a shorter text applied on this thread came since: theirs stands.
      if (this.state === 'ready' && this.kb === kb && this.openText(path) === text) {
        this.stageParsed(kb, path, text, facts);
        this.commit();
      }
      return;
    }
  }

  /** Stages what the worker parsed from `text`: its facts, or a plain file (undefined); false, no worker could: parsed here. */
  private stageParsed(kb: KnowledgeBase, path: string, text: string, facts: PageFacts | undefined | false): void {
    if (facts === false) this.setPage(kb, path, text);
    else if (facts) kb.setPage(path, facts);
    else this.keepAsFile(kb, path);
  }

  /** Pages being parsed on the worker for long pages: once none is, it stops after `asideIdleMs`. */
  private asideJobs = 0;

  /** A long page's facts, parsed on the worker: undefined if it could not be parsed (said in the log), false if no worker can start. */
  private async parseOnWorker(path: string, text: string): Promise<PageFacts | undefined | false> {
    const pool = this.asidePool();
    if (!pool) return false;
    this.asideJobs++;
    try {
      return (await pool.parseText(path, stripBom(text))).facts;
    } catch (error) {
      // Not when the worker was stopped (a new index, the server shutting down): the page's text goes with it.
      if (this.aside?.pool === pool) this.log.warn(`${this.name}: ${path}: ${describe(error)}`);
      return undefined;
    } finally {
      if (--this.asideJobs === 0 && this.aside?.pool === pool) {
        const aside = this.aside;
        aside.idle = setTimeout(() => this.stopAside(pool), KbFolder.asideIdleMs);
        aside.idle.unref();
      }
    }
  }

  /** The worker for long pages, made with the current settings' markers. */
  private asidePool(): ParsePool | undefined {
    if (this.state === 'disposed') return undefined;
    if (this.aside && this.aside.settings !== this.settings) this.stopAside(this.aside.pool);
    if (!this.aside) {
      const pool = ParsePool.create(1, this.settings.markers, { size: 1, maxOldGenerationSizeMb: KbFolder.asideHeapMb });
      if (!pool) return undefined;
      this.aside = { pool, settings: this.settings };
    }
    clearTimeout(this.aside.idle);
    return this.aside.pool;
  }

  private stopAside(pool: ParsePool): void {
    if (this.aside?.pool !== pool) return;
    clearTimeout(this.aside.idle);
    this.aside = undefined;
    void pool.dispose();
  }

  /** A document was closed: the page is what the disk says again. */
  documentClosed(uri: string): void {
    const path = this.pathOf(uri);
    if (path === undefined || !isMarkdownPath(path) || !this.tracks(path)) return;
    this.enqueue(async () => {
      if (this.state !== 'ready' || this.openText(path) !== undefined) return;
      await this.refresh(path);
      this.commit();
    });
  }

  /** Files created, changed or deleted on disk. A folder that appears makes the file list be read again. */
  filesChanged(changes: readonly FileChange[]): void {
    this.enqueue(async () => {
      // A newer index is queued: it reads the disk after these changes.
      if (this.state !== 'ready') return;
      let relist = false;
      for (const change of changes) {
        if (!this.tracks(change.path)) continue;
        if (change.type === 'deleted') this.removeUnder(change.path);
        else if ((await this.refresh(change.path)) === 'directory') relist = true;
      }
      if (relist) await this.relist();
      this.commit();
    });
  }

  /** Brings one path up to date from the disk (or its open document); returns what it is now. */
  private async refresh(path: string): Promise<string> {
    const kind = await this.disk.kind(path);
    if (kind === 'directory') return kind;
    if (kind !== 'file') {
      if (kind === 'outside') this.log.warn(`${this.name}: ${path}: leads outside the workspace: not followed`);
      this.removeUnder(path);
      return kind;
    }
    if (!isMarkdownPath(path)) {
      this.kb.addFile(path);
      return kind;
    }
    const open = this.openText(path);
    if (open !== undefined) {
      if (!this.kb.isPage(path)) this.setPage(this.kb, path, open);
      return kind;
    }
    try {
      const text = await this.disk.readFile(path);
      // A long page is parsed on the worker, as when it is open.
      const facts = this.openText(path) === undefined && isLongPage(text) ? await this.parseOnWorker(path, text) : false;
      // Opened while it was being read or parsed: the document wins.
      const reopened = this.openText(path);
      if (reopened !== undefined) this.setPage(this.kb, path, reopened);
      else this.stageParsed(this.kb, path, text, facts);
    } catch (error) {
      this.log.warn(`${this.name}: ${(error as Error).message}`);
      this.keepAsFile(this.kb, path);
    }
    return kind;
  }

  /** Reads the file list again and adds or removes what differs (after a folder was created or moved in). */
  private async relist(): Promise<void> {
    const present = new Set(await this.disk.listFiles(noCancellation));
    for (const problem of this.disk.problems) this.log.warn(`${this.name}: ${problem.path}: ${problem.message}`);
    for (const path of [...this.kb.files.allFiles()]) if (!present.has(path)) this.kb.removeFile(path);
    for (const path of present) if (!this.kb.files.hasFile(path)) await this.refresh(path);
  }

  private removeUnder(path: string): void {
    if (this.kb.files.hasFile(path)) this.kb.removeFile(path);
    if (this.kb.files.isDirectory(path)) {
      for (const file of [...this.kb.files.allFiles()]) if (file.startsWith(path + '/')) this.kb.removeFile(file);
    }
  }

  /** Stages a page's text; a page too large or that cannot be parsed stays a plain file (links to it still resolve). */
  private setPage(kb: KnowledgeBase, path: string, text: string, warn = true): void {
    const facts = this.parse(kb, path, text, warn);
    if (facts) kb.setPage(path, facts);
    else this.keepAsFile(kb, path);
  }

  /**
   * A page's facts, or undefined for a page too large or that cannot be parsed. Said in the log, but
   * for the preview: the index says it again.
   */
  private parse(kb: KnowledgeBase, path: string, text: string, warn = true): PageFacts | undefined {
    if (text.length > maxPageBytes) {
      if (warn) this.log.warn(`${this.name}: ${path}: ${text.length} characters, more than ${maxPageBytes}: kept as a file, not indexed`);
      return undefined;
    }
    try {
      return parsePage(stripBom(text), kb.markers);
    } catch (error) {
      if (warn) this.log.warn(`${this.name}: ${path}: could not be parsed: ${describe(error)}`);
      return undefined;
    }
  }

  private keepAsFile(kb: KnowledgeBase, path: string): void {
    kb.removeFile(path);
    kb.addFile(path);
  }

  private commit(): void {
    const affected = this.kb.commit();
    if (affected.size) this.folders.committed.fire(this, affected);
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.tail.then(() => (this.state === 'disposed' ? undefined : step())).catch((error) => this.log.error(`${this.name}: ${describe(error)}`));
    this.tail = next;
    return next;
  }

  dispose(): void {
    this.clearFlushTimer();
    if (this.aside) this.stopAside(this.aside.pool);
    if (this.indexing) this.indexing.isCancellationRequested = true;
    this.state = 'disposed';
    this.waiters.splice(0).forEach((resolve) => resolve());
  }
}

/** The workspace folders, each with its knowledge base; events of all of them. */
export class Folders {
  private readonly list: KbFolder[] = [];
  /** An index started (the folder's `ready` is false until `indexed`). */
  readonly indexingStarted: Emitter<[KbFolder]>;
  /** An index was built (or failed and the folder kept its previous one). */
  readonly indexed: Emitter<[KbFolder]>;
  /** Changes were committed; the pages whose diagnostics may have changed, deleted pages included. */
  readonly committed: Emitter<[KbFolder, ReadonlySet<string>]>;
  /** A first look at open pages while the first index runs: their diagnostics in `kb` may have changed (engine/preliminary.ts). */
  readonly previewed: Emitter<[KbFolder, KnowledgeBase, readonly string[]]>;

  constructor(
    readonly host: FolderHost,
    private readonly locale: Locale,
  ) {
    this.indexingStarted = new Emitter(host.log);
    this.indexed = new Emitter(host.log);
    this.committed = new Emitter(host.log);
    this.previewed = new Emitter(host.log);
  }

  all(): readonly KbFolder[] {
    return this.list;
  }

  /** Waits for the facts caches being written. */
  async flush(): Promise<void> {
    await Promise.all(this.list.map((f) => f.cacheSaved));
  }

  add(uri: string, name: string): KbFolder {
    const existing = this.byUri(uri);
    if (existing) return existing;
    const folder = new KbFolder(URI.parse(uri).toString(), name, this, this.locale);
    this.list.push(folder);
    return folder;
  }

  remove(uri: string): KbFolder | undefined {
    const folder = this.byUri(uri);
    if (!folder) return undefined;
    this.list.splice(this.list.indexOf(folder), 1);
    folder.dispose();
    return folder;
  }

  byUri(uri: string): KbFolder | undefined {
    const fsPath = URI.parse(uri).fsPath;
    return this.list.find((f) => f.root === fsPath);
  }

  /** The folder a document belongs to (the innermost, for nested folders) and its path there. */
  locate(uri: string): { folder: KbFolder; path: string } | undefined {
    let best: { folder: KbFolder; path: string } | undefined;
    for (const folder of this.list) {
      const path = folder.pathOf(uri);
      if (path !== undefined && (!best || folder.root.length > best.folder.root.length)) best = { folder, path };
    }
    return best;
  }

  /** Like `locate`, once the folder is indexed. */
  async locateReady(uri: string): Promise<{ folder: KbFolder; path: string } | undefined> {
    const found = this.locate(uri);
    if (!found) return undefined;
    await found.folder.whenReady();
    // During a later re-index the previous, complete index still answers.
    return this.list.includes(found.folder) ? found : undefined;
  }
}
