import { checkPage, titleOf, type CheckContext, type PageEntry } from './check';
import { defaultSettings, type EngineSettings } from './config';
import { FileTree, addToSetMap, deleteFromSetMap } from './fileTree';
import { localize } from './messages';
import { MarkerSet, containsWords, normalizeTitle, wordRuns } from './navigation';
import { basename, dirname, looseKey } from './paths';
import { linkCount } from './packedFacts';
import { parsePage } from './parse';
import { resolveLink, type Resolution } from './resolve';
import { Code, type KbDiagnostic, type LinkFacts, type PageFacts, type Range } from './types';

/** What a knowledge base's diagnostics are a function of, with the settings: `[path, text hash]` per file ('' for a file that is not a page). */
export type Inputs = [path: string, hash: string][];
/** The order of `Inputs`. */
export const byPath = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * The index of a knowledge base: every file's name, every page's facts, the link graph, and the
 * diagnostics of every page, kept current incrementally.
 *
 * Changes are staged (`setPage`, `addFile`, `removeFile`) and applied by `commit`, which re-checks
 * only the pages the changes can affect and returns them. Dependencies of a page's diagnostics:
 * - the names of the files its links reach (tracked by the loose name of each link's last segment);
 * - the facts (headings, title, navigation links) of the pages its links reach (reverse edges);
 * - for a navigation link, the other pages that lead to the same target (forks);
 * - for a label, the titles of all pages (tracked by the label's text against every run of words of a title);
 * - for orphans, the whole graph (recomputed when an edge changes; cheap, linear).
 */
export class KnowledgeBase implements CheckContext {
  readonly files: FileTree;
  readonly markers: MarkerSet;
  private readonly pages = new Map<string, PageEntry>();
  private readonly diagnosticsByPage = new Map<string, KbDiagnostic[]>();
  private readonly orphans = new Set<string>();
  /** target path → pages with a link that resolves to it. */
  private readonly reverse = new Map<string, Set<string>>();
  /**
   * loose key of a link's last segment → pages with such a link (to re-resolve when files come and go).
   * Built at the first commit that needs it: a run of the CLI never does.
   */
  private byTargetKey: Map<string, Set<string>> | undefined;
  /** folder → pages with a missing link into it (their "did you mean" looks at the folder's names). */
  private readonly byMissingFolder = new Map<string, Set<string>>();
  /** normalized navigation label → pages that have it (to re-check when a title changes). Built when first needed, as `byTargetKey`. */
  private byLabel: Map<string, Set<string>> | undefined;
  /**
   * title word → pages whose normalized title has it. Built when first needed, as `byTargetKey`: an
   * index replayed with nothing to check (a server started again on an unchanged workspace) never does.
   */
  private byTitleWord: Map<string, Set<string>> | undefined;

  /** `memo`'s values, until the next commit. */
  private readonly memos = new Map<string, unknown>();

  private readonly stagedPages = new Map<string, PageFacts | null>();
  private readonly stagedFiles = new Map<string, boolean>();
  /** The resolutions `replay` was given, while it commits; those seen to fit the file tree (pages share them). */
  private replayed: { byPath: Map<string, Resolution[]>; inTree: Set<Resolution> } | undefined;

  /** `files`: a lazy tree (which lists folders as links need them) for a first look at a few pages. */
  constructor(
    readonly rootPath: string,
    readonly settings: EngineSettings = defaultSettings(),
    files = new FileTree(),
  ) {
    this.markers = new MarkerSet(settings.markers);
    this.files = files;
  }

  // ---- Staging changes -------------------------------------------------------------------------

  /** Adds or updates a page from its text (without BOM), or from facts parsed elsewhere (a worker, the cache). */
  setPage(path: string, content: string | PageFacts): void {
    const facts = typeof content === 'string' ? parsePage(content, this.markers) : content;
    const current = this.stagedPages.get(path) ?? this.pages.get(path)?.facts;
    if (current && current.hash === facts.hash) return;
    this.stagedPages.set(path, facts);
    this.stagedFiles.set(path, true);
  }

  /** Adds a file that is not a page (an image, a PDF…), or a page whose content comes later. */
  addFile(path: string): void {
    this.stagedFiles.set(path, true);
  }

  removeFile(path: string): void {
    this.stagedFiles.set(path, false);
    if (this.pages.has(path) || this.stagedPages.has(path)) this.stagedPages.set(path, null);
  }

  renameFile(from: string, to: string, content?: string | PageFacts): void {
    // A staged null (the page was removed, or is unreadable now) means no facts: not the committed ones.
    const staged = this.stagedPages.get(from);
    const facts = staged !== undefined ? staged : this.pages.get(from)?.facts;
    this.removeFile(from);
    if (content !== undefined) this.setPage(to, content);
    else if (facts) {
      this.stagedPages.set(to, facts);
      this.stagedFiles.set(to, true);
    } else this.addFile(to);
  }

  /**
   * Everything the first commit of an empty index would index, as `[path, text hash]` in path order
   * (hash '' for a file that is not a page): with the settings, what its diagnostics are a function
   * of. Undefined once something was committed.
   */
  stagedInputs(): Inputs | undefined {
    if (this.pages.size > 0 || this.files.fileCount > 0) return undefined;
    const inputs: Inputs = [];
    for (const [path, present] of this.stagedFiles) if (present) inputs.push([path, this.stagedPages.get(path)?.hash ?? '']);
    return inputs.sort(byPath);
  }

  /**
   * Prepares an empty index so that committing what is staged re-checks only what it changes: first
   * indexes an earlier state of the knowledge base, without checking it, and takes its diagnostics as
   * they were found then. `earlier`: every file of that state, with its facts if it is a page;
   * `diagnostics`: that state's, as `allDiagnostics` gave them (a run of the CLI kept them);
   * `resolutions`: that state's links' (`resolution` gave them), when kept too: taken instead of
   * resolving each link again where they fit the page and the files. What is staged becomes the
   * difference between that state and the staged one.
   */
  replay(earlier: Map<string, PageFacts | undefined>, diagnostics: Map<string, KbDiagnostic[]>, resolutions?: Map<string, Resolution[]>): void {
    if (this.pages.size > 0 || this.files.fileCount > 0) throw new Error('replay: the index is not empty');
    const now = new Map<string, PageFacts | null | undefined>();
    for (const [path, present] of this.stagedFiles) if (present) now.set(path, this.stagedPages.get(path));
    this.stagedPages.clear();
    this.stagedFiles.clear();

    for (const [path, facts] of earlier) {
      if (facts) this.setPage(path, facts);
      else this.addFile(path);
    }
    this.replayed = resolutions && { byPath: resolutions, inTree: new Set() };
    try {
      this.commit(false);
    } finally {
      this.replayed = undefined;
    }
    // The orphan diagnostic is not kept per page: `diagnostics` adds it from the graph, indexed again here.
    for (const [path, list] of diagnostics) if (this.pages.has(path)) this.diagnosticsByPage.set(path, list.filter((d) => d.code !== Code.OrphanPage));

    for (const [path, facts] of now) {
      if (facts) this.setPage(path, facts);
      else if (!earlier.has(path)) this.addFile(path);
      else if (earlier.get(path)) {
        // A page then, a file without facts now (unreadable).
        this.removeFile(path);
        this.addFile(path);
      }
    }
    for (const path of earlier.keys()) if (!now.has(path)) this.removeFile(path);
  }

  /** The facts of the pages staged and not committed yet. */
  stagedFacts(): PageFacts[] {
    const facts: PageFacts[] = [];
    for (const f of this.stagedPages.values()) if (f) facts.push(f);
    return facts;
  }

  get hasStagedChanges(): boolean {
    return this.stagedPages.size > 0 || this.stagedFiles.size > 0;
  }

  /**
   * Applies the staged changes; returns the pages whose diagnostics may have changed (deleted pages
   * included). `check`: false only to index a state whose diagnostics are known (`replay`).
   */
  commit(check = true): Set<string> {
    this.memos.clear();
    const affected = new Set<string>();
    const reresolve = new Set<string>();
    const titleRuns = new Set<string>();
    /** Edges before this commit of pages whose content changed. */
    const previous = new Map<string, Edges>();
    let graphChanged = false;
    // On the first commit every page is new, and checked anyway: what the other steps do to find the
    // pages a change affects (the runs of 10,000 titles, the edges before and after) is skipped.
    const firstCommit = this.pages.size === 0;

    // 1. File names: pages with links whose last segment matches a name that came or went.
    for (const [path, present] of this.stagedFiles) {
      const changed = present ? this.files.addFile(path) : this.files.removeFile(path);
      if (!changed || firstCommit) continue;
      const byTargetKey = (this.byTargetKey ??= this.indexAll((entry, add) => entry.facts.links.forEach((link) => add(targetKey(link.raw)))));
      for (let p = path; p; p = dirname(p)) {
        for (const page of byTargetKey.get(looseKey(basename(p))) ?? []) reresolve.add(page);
      }
      for (const page of this.byMissingFolder.get(dirname(path)) ?? []) affected.add(page);
    }
    this.stagedFiles.clear();

    // 2. Page contents: the page itself and the pages that link to it (fragments, titles, navigation).
    for (const [path, facts] of this.stagedPages) {
      const old = this.pages.get(path);
      if (old) {
        previous.set(path, edgesOf(old.facts.links, old.resolutions));
        this.unindexPage(old);
      }
      // Also when the path was a file without facts (unreadable, too large) and now is a page, or back.
      for (const source of this.reverse.get(path) ?? []) affected.add(source);
      if (facts && this.files.hasFile(path)) {
        const entry: PageEntry = { path, facts, title: titleOf(path, facts), resolutions: [] };
        this.pages.set(path, entry);
        this.indexPage(entry);
        reresolve.add(path);
      } else {
        this.pages.delete(path);
        this.diagnosticsByPage.delete(path);
        if (old) this.followEdgeChanges(edgesOf(old.facts.links, old.resolutions), edgesOf([], []), affected);
      }
      if (!old !== !this.pages.has(path)) graphChanged = true;
      affected.add(path);
      // Messages name pages by title two links away (“it goes back to «Title» instead”, “«Title» also
      // leads here”): a new title re-checks the pages that lead to those that lead here, and the other
      // pages that lead where this one leads.
      if (!firstCommit && old?.title !== this.pages.get(path)?.title) {
        // Labels that named the old title or name the new one (step 3).
        for (const title of [old?.title, this.pages.get(path)?.title]) if (title !== undefined) wordRuns(normalizeTitle(title)).forEach((r) => titleRuns.add(r));
        for (const source of this.reverse.get(path) ?? []) for (const next of this.reverse.get(source) ?? []) affected.add(next);
        for (const target of targetsOf(old?.resolutions ?? [])) for (const sibling of this.reverse.get(target) ?? []) affected.add(sibling);
      }
    }
    this.stagedPages.clear();

    // 3. Labels that may name a page whose title changed.
    if (titleRuns.size) {
      const byLabel = (this.byLabel ??= this.indexAll((entry, add) => this.navigationLabels(entry).forEach(add)));
      for (const run of titleRuns) for (const page of byLabel.get(run) ?? []) affected.add(page);
    }

    // 4. Resolve again and follow the edges that changed.
    for (const path of reresolve) {
      const entry = this.pages.get(path);
      if (!entry) continue;
      if (firstCommit) {
        const replayed = this.replayed?.byPath.get(path);
        entry.resolutions = replayed && this.fits(replayed, entry) ? replayed : entry.facts.links.map((link) => resolveLink(path, link, this.files, this.rootPath));
        for (const r of entry.resolutions) {
          if (r.kind === 'found') addToSetMap(this.reverse, r.target, path);
          else if (r.kind === 'missing') addToSetMap(this.byMissingFolder, dirname(r.path), path);
        }
        continue;
      }
      const before = previous.get(path) ?? edgesOf(entry.facts.links, entry.resolutions);
      for (const target of before.targets) deleteFromSetMap(this.reverse, target, path);
      for (const folder of before.missingFolders) deleteFromSetMap(this.byMissingFolder, folder, path);
      const navBefore = navigationSignature(entry.facts.links, entry.resolutions);
      entry.resolutions = entry.facts.links.map((link) => resolveLink(path, link, this.files, this.rootPath));
      const after = edgesOf(entry.facts.links, entry.resolutions);
      // Pages that lead here read this page's navigation links (is there a link back, and where to?).
      if (navigationSignature(entry.facts.links, entry.resolutions) !== navBefore) for (const source of this.reverse.get(path) ?? []) affected.add(source);
      for (const target of after.targets) addToSetMap(this.reverse, target, path);
      for (const folder of after.missingFolders) addToSetMap(this.byMissingFolder, folder, path);
      affected.add(path);
      if (this.followEdgeChanges(before, after, affected)) graphChanged = true;
    }

    for (const path of check ? affected : []) {
      const entry = this.pages.get(path);
      if (entry) this.diagnosticsByPage.set(path, checkPage(entry, this));
    }
    if (graphChanged) this.updateOrphans(affected);
    return affected;
  }

  /** Whether resolutions kept from an earlier run can be those of `entry`'s links in this file tree. */
  private fits(resolutions: Resolution[], entry: PageEntry): boolean {
    if (resolutions.length !== linkCount(entry.facts)) return false;
    const inTree = this.replayed!.inTree;
    return resolutions.every((r) => {
      if (r.kind !== 'found' || inTree.has(r)) return true;
      if (!(r.isDirectory ? this.files.isDirectory(r.target) : this.files.hasFile(r.target))) return false;
      inTree.add(r);
      return true;
    });
  }

  /** Marks the pages that depend on edges that came or went; returns whether any did. */
  private followEdgeChanges(before: Edges, after: Edges, affected: Set<string>): boolean {
    // A fix that renames a target to NFC rewrites every link to it: its sources depend on each other.
    for (const target of symmetricDifference(before.targets, after.targets)) {
      if (target !== target.normalize('NFC')) for (const source of this.reverse.get(target) ?? []) affected.add(source);
    }
    // Pages that lead forward or back to the same target: a fork changes what each of them reports.
    for (const link of symmetricDifference(before.chain, after.chain)) {
      const target = link.slice(link.indexOf(' ') + 1);
      for (const source of this.reverse.get(target) ?? []) affected.add(source);
    }
    return !sameSet(before.targets, after.targets);
  }

  /** An index of every page by the keys `keysOf` gives it. */
  private indexAll(keysOf: (entry: PageEntry, add: (key: string) => void) => void): Map<string, Set<string>> {
    const index = new Map<string, Set<string>>();
    for (const entry of this.pages.values()) keysOf(entry, (key) => addToSetMap(index, key, entry.path));
    return index;
  }

  /** The normalized labels of a page's navigation links (`byLabel`). */
  private navigationLabels(entry: PageEntry): string[] {
    const labels: string[] = [];
    for (const link of entry.facts.links) {
      const label = link.nav ? this.markers.normalizedLabel(link.label) : '';
      if (label) labels.push(label);
    }
    return labels;
  }

  private indexPage(entry: PageEntry): void {
    if (this.byTargetKey) for (const link of entry.facts.links) addToSetMap(this.byTargetKey, targetKey(link.raw), entry.path);
    if (this.byLabel) for (const label of this.navigationLabels(entry)) addToSetMap(this.byLabel, label, entry.path);
    if (this.byTitleWord) for (const word of titleWords(entry)) addToSetMap(this.byTitleWord, word, entry.path);
  }

  private unindexPage(entry: PageEntry): void {
    if (this.byTargetKey) for (const link of entry.facts.links) deleteFromSetMap(this.byTargetKey, targetKey(link.raw), entry.path);
    if (this.byLabel) for (const label of this.navigationLabels(entry)) deleteFromSetMap(this.byLabel, label, entry.path);
    if (this.byTitleWord) for (const word of titleWords(entry)) deleteFromSetMap(this.byTitleWord, word, entry.path);
    const edges = edgesOf(entry.facts.links, entry.resolutions);
    for (const target of edges.targets) deleteFromSetMap(this.reverse, target, entry.path);
    for (const folder of edges.missingFolders) deleteFromSetMap(this.byMissingFolder, folder, entry.path);
  }

  /**
   * Orphans: pages that no chain of links reaches from an entry page. A folder's own entry page
   * (its README.md or index.md) counts as reached once a page inside the folder is: GitHub shows it
   * when the reader opens the folder. Linear in the graph.
   */
  private updateOrphans(affected: Set<string>): void {
    const entries = this.entryPages();
    const folderEntryNames = [...new Set(this.settings.entryPages.map((p) => basename(p)))];
    const reached = new Set<string>();
    /** Folders whose entry pages were reached: those of the folders above them were too. */
    const foldersReached = new Set<string>();
    const queue: string[] = [];
    const reach = (path: string) => {
      if (reached.has(path)) return;
      if (this.pages.has(path)) {
        reached.add(path);
        queue.push(path);
      }
      // A link to a folder reaches the folder's entry page, which GitHub shows when the folder is opened.
      if (this.files.isDirectory(path)) for (const name of folderEntryNames) reach(path ? `${path}/${name}` : name);
    };
    entries.forEach(reach);
    while (queue.length) {
      const path = queue.pop()!;
      for (let dir = dirname(path); !foldersReached.has(dir); dir = dirname(dir)) {
        foldersReached.add(dir);
        for (const name of folderEntryNames) reach(dir ? `${dir}/${name}` : name);
        if (!dir) break;
      }
      for (const r of this.pages.get(path)!.resolutions) if (r.kind === 'found') reach(r.target);
    }
    const now = entries.length ? [...this.pages.keys()].filter((p) => !reached.has(p)) : [];
    const nowSet = new Set(now);
    for (const path of this.orphans) if (!nowSet.has(path)) affected.add(path);
    for (const path of now) if (!this.orphans.has(path)) affected.add(path);
    this.orphans.clear();
    now.forEach((p) => this.orphans.add(p));
  }

  /** The entry pages that exist. */
  entryPages(): string[] {
    return this.settings.entryPages.filter((p) => this.pages.has(p));
  }

  // ---- CheckContext ----------------------------------------------------------------------------

  page(path: string): PageEntry | undefined {
    return this.pages.get(path);
  }

  pagesTitled(label: string): string[] {
    // Kept until the next commit (which may change titles): a label recurs on many pages, and the
    // pages with its rarest word are many in a large knowledge base.
    const found = this.memo(`titled\n${label}`, () => {
      // The pages with every word of the label (the rarest word's first), then those with them in a row.
      const byTitleWord = (this.byTitleWord ??= this.indexAll((entry, add) => titleWords(entry).forEach(add)));
      const sets = label.split(' ').map((word) => byTitleWord.get(word));
      if (sets.some((set) => !set)) return [];
      const [rarest, ...others] = (sets as Set<string>[]).sort((a, b) => a.size - b.size);
      return [...rarest].filter((p) => others.every((s) => s.has(p)) && containsWords(normalizeTitle(this.pages.get(p)!.title), label));
    });
    return [...found];
  }

  sourcesOf(target: string): Iterable<string> {
    return this.reverse.get(target) ?? [];
  }

  memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  // ---- Queries ---------------------------------------------------------------------------------

  /** The diagnostics of one page, orphan included. */
  diagnostics(path: string): KbDiagnostic[] {
    const list = this.diagnosticsByPage.get(path) ?? [];
    if (!this.orphans.has(path)) return list;
    const severity = this.settings.severity[Code.OrphanPage];
    if (severity === 'off') return list;
    const page = this.pages.get(path)!;
    const range: Range = page.facts.headings[0]?.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    const from = this.entryPages().join(', ') || localize(this.settings.locale, 'entryPagesNone');
    return [...list, { path, range, severity, code: Code.OrphanPage, message: localize(this.settings.locale, 'orphanPage', from), fixes: [] }];
  }

  /** Every page with its diagnostics, in path order. */
  allDiagnostics(): Map<string, KbDiagnostic[]> {
    const result = new Map<string, KbDiagnostic[]>();
    for (const path of [...this.pages.keys()].sort()) result.set(path, this.diagnostics(path));
    return result;
  }

  pagePaths(): string[] {
    return [...this.pages.keys()];
  }

  isPage(path: string): boolean {
    return this.pages.has(path);
  }

  resolution(path: string, linkIndex: number): Resolution | undefined {
    return this.pages.get(path)?.resolutions[linkIndex];
  }

  /** Pages with a link that reaches `target`, with those links. */
  backlinks(target: string): { source: string; linkIndex: number }[] {
    const result: { source: string; linkIndex: number }[] = [];
    for (const source of [...this.sourcesOf(target)].sort()) {
      this.pages.get(source)!.resolutions.forEach((r, linkIndex) => {
        if (r.kind === 'found' && r.target === target) result.push({ source, linkIndex });
      });
    }
    return result;
  }

  /** The page a navigation link of `direction` leads to from `path` (the first such link). */
  neighbour(path: string, direction: 'back' | 'forward' | 'up' | 'down'): string | undefined {
    const page = this.pages.get(path);
    if (!page) return undefined;
    for (let i = 0; i < page.facts.links.length; i++) {
      const r = page.resolutions[i];
      if (page.facts.links[i].nav === direction && r.kind === 'found' && this.pages.has(r.target)) return r.target;
    }
    return undefined;
  }
}

const targetKeys = new Map<string, string>();

/** The loose key of a destination's last segment (see `byTargetKey`); memoized, as destinations recur. */
function targetKey(raw: string): string {
  let key = targetKeys.get(raw);
  if (key === undefined) {
    key = looseKey(lastSegment(raw));
    if (targetKeys.size >= 100_000) targetKeys.clear();
    targetKeys.set(raw, key);
  }
  return key;
}

function lastSegment(raw: string): string {
  const path = raw.split(/[#?]/)[0].replace(/\\/g, '/').replace(/\/+$/, '');
  let name = path.slice(path.lastIndexOf('/') + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // Keep it as written.
  }
  return name;
}

interface Edges {
  targets: Set<string>;
  /** `direction target` of forward and back links. */
  chain: Set<string>;
  /** Folders that missing links point into. */
  missingFolders: Set<string>;
}

function edgesOf(links: readonly LinkFacts[], resolutions: readonly Resolution[]): Edges {
  const chain = new Set<string>();
  const missingFolders = new Set<string>();
  links.forEach((link, i) => {
    const r = resolutions[i];
    if ((link.nav === 'forward' || link.nav === 'back') && r?.kind === 'found') chain.add(`${link.nav} ${r.target}`);
    if (r?.kind === 'missing') missingFolders.add(dirname(r.path));
  });
  return { targets: targetsOf(resolutions), chain, missingFolders };
}

/** Where each back, forward, up and down link of a page leads (or that it leads nowhere). */
function navigationSignature(links: readonly LinkFacts[], resolutions: readonly Resolution[]): string {
  return links.map((link, i) => (link.nav && link.nav !== 'related' ? `${link.nav}:${resolutions[i]?.kind === 'found' ? (resolutions[i] as { target: string }).target : ''}` : '')).join('\n');
}

function symmetricDifference(a: Set<string>, b: Set<string>): Set<string> {
  const result = new Set<string>();
  for (const x of a) if (!b.has(x)) result.add(x);
  for (const x of b) if (!a.has(x)) result.add(x);
  return result;
}

/** The words of a page's normalized title, each once. */
function titleWords(entry: PageEntry): string[] {
  return [...new Set(normalizeTitle(entry.title).split(' '))].filter((word) => word);
}

function targetsOf(resolutions: readonly Resolution[]): Set<string> {
  const targets = new Set<string>();
  for (const r of resolutions) if (r.kind === 'found') targets.add(r.target);
  return targets;
}

function sameSet<T>(a: Set<T>, b: Set<T>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

