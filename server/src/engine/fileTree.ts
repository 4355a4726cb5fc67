import { basename, dirname, foldName, join, looseKey } from './paths';

/** One step of a lookup where the name on disk differs from the name in the link. */
export interface NameDifference {
  written: string;
  onDisk: string;
  /** Differs by letter case. */
  caseDiffers: boolean;
  /** Differs by Unicode normalization (NFC/NFD). */
  unicodeDiffers: boolean;
}

export interface Lookup {
  path: string;
  isDirectory: boolean;
  differences: NameDifference[];
}

export interface FolderEntry {
  name: string;
  isDirectory: boolean;
}

/**
 * A folder's entries (files and folders, sorted as the workspace lists them), for a tree that lists
 * folders when first asked about them. Throws when the folder holds what only a walk of the whole
 * workspace can judge (symbolic links).
 */
export type FolderLister = (dir: string) => FolderEntry[];

/**
 * The workspace's files and folders as exact names per folder, with a folded-name index per folder
 * (case and normalization ignored) and a global loose-name index for "did you mean".
 * Names are judged against these listings, never with `stat`, which ignores case on some systems.
 */
export class FileTree {
  /** folder → names of its entries (files and folders). '' is the root. */
  private readonly entries = new Map<string, Set<string>>();
  /** Folders whose entries `lister` gave (a lazy tree only). */
  private readonly listed = new Set<string>();
  /**
   * A lazy tree's folders listed but not judged yet: folder → names of its subfolders not known to hold
   * a file below. One is judged when a look-up reads it (`settle`), not as its folder is listed: at
   * 50,000 notes the root lists a thousand topics, and a first look follows a few.
   */
  private readonly unsettled = new Map<string, Set<string>>();
  /**
   * folder → folded name → exact names: built for a folder when a look-up first misses an exact name
   * there, then kept up to date. Most links name their targets exactly, and folding every name of a
   * large workspace up front cost more than the first diagnostics of an open page may take.
   */
  private readonly folded = new Map<string, Map<string, string[]>>();
  /** Each file's path, to itself: a look-up returns the path held here, not a copy per link. */
  private readonly files = new Map<string, string>();
  /** looseKey(basename) → file paths: built when "did you mean" is first asked, then kept up to date. */
  private loose: Map<string, Set<string>> | undefined;

  /**
   * With a `lister`, the tree is lazy: a folder's entries are asked for the first time a look-up
   * reads them, so that a few links are judged without listing the whole workspace (the first look
   * at an open page). Without one, files are added one by one (`addFile`) and the tree is complete.
   */
  constructor(private readonly lister?: FolderLister) {
    this.entries.set('', new Set());
  }

  /**
   * Lists `dir` (and the folders above it) if this tree is lazy and has not yet. Entries go in the
   * order a whole listing adds them, and a folder counts only if a file lies below it, as when the
   * tree is built from the workspace's files: a look-up answers here as it does in the whole tree.
   * Its subfolders are judged when read (`settle`).
   */
  private ensureListed(dir: string): void {
    if (!this.lister || this.listed.has(dir)) return;
    if (dir !== '') {
      this.judge(dir);
      if (!this.entries.has(dir)) return; // No such folder (or a file).
    }
    this.listed.add(dir);
    const folders = new Set<string>();
    for (const entry of this.listing(dir)) {
      if (entry.isDirectory) folders.add(entry.name);
      else this.addFile(join(dir, entry.name));
    }
    if (folders.size) this.unsettled.set(dir, folders);
  }

  /**
   * Judges the subfolders `names` of `dir` that are listed and not judged yet: those with a file below
   * become entries of `dir`, in their place in the listing.
   */
  private settle(dir: string, names: Iterable<string>): void {
    const folders = this.unsettled.get(dir);
    const entries = this.entries.get(dir);
    if (!folders || !entries) return;
    let added = false;
    for (const name of names) {
      if (!folders.delete(name)) continue;
      const path = join(dir, name);
      if (!this.hasFileBelow(path)) continue;
      if (!this.entries.has(path)) this.entries.set(path, new Set());
      entries.add(name);
      added = true;
    }
    if (!folders.size) this.unsettled.delete(dir);
    if (!added) return;
    // The listing's order, then any names added since (files made after the listing).
    const listed = this.listing(dir).map((entry) => entry.name);
    const inListing = new Set(listed);
    const order = [...listed.filter((n) => entries.has(n)), ...[...entries].filter((n) => !inListing.has(n))];
    entries.clear();
    for (const n of order) entries.add(n);
    this.folded.delete(dir);
  }

  /** Lists the folder above `path` and judges `path` there if it is a subfolder not judged yet. */
  private judge(path: string): void {
    this.ensureListed(dirname(path));
    this.settle(dirname(path), [basename(path)]);
  }

  /** Judges the listed subfolders of `dir` whose folded name is `folded` (all of them, if not given). */
  private settleAll(dir: string, folded?: string): void {
    const folders = this.unsettled.get(dir);
    if (folders) this.settle(dir, [...folders].filter((name) => folded === undefined || foldName(name) === folded));
  }

  /** Listings of a lazy tree, read once each. */
  private readonly listings = new Map<string, FolderEntry[]>();

  private listing(dir: string): FolderEntry[] {
    let entries = this.listings.get(dir);
    if (!entries) this.listings.set(dir, (entries = this.lister!(dir)));
    return entries;
  }

  private hasFileBelow(dir: string): boolean {
    return this.listing(dir).some((entry) => !entry.isDirectory || this.hasFileBelow(join(dir, entry.name)));
  }

  /** Whether every folder is known (a tree without a lister), not only those look-ups read. */
  get complete(): boolean {
    return !this.lister;
  }

  get fileCount(): number {
    return this.files.size;
  }

  allFiles(): IterableIterator<string> {
    return this.files.keys();
  }

  hasFile(path: string): boolean {
    this.ensureListed(dirname(path));
    return this.files.has(path);
  }

  isDirectory(path: string): boolean {
    this.judge(path);
    return this.entries.has(path);
  }

  /** Adds a file and its folders. Returns false if it was already there. */
  addFile(path: string): boolean {
    // In a lazy tree, the folder's listing first: the entries keep the order of a whole listing.
    this.ensureListed(dirname(path));
    if (this.files.has(path)) return false;
    this.files.set(path, path);
    if (this.loose) addToSetMap(this.loose, looseKey(basename(path)), path);
    let child = path;
    for (;;) {
      const dir = dirname(child);
      const name = basename(child);
      let names = this.entries.get(dir);
      const dirIsNew = !names;
      if (!names) this.entries.set(dir, (names = new Set()));
      this.addName(dir, name);
      if (!dirIsNew || dir === '') break;
      child = dir;
    }
    return true;
  }

  /** Removes a file, and the folders it leaves empty. Returns false if it was not there. */
  removeFile(path: string): boolean {
    if (!this.files.delete(path)) return false;
    if (this.loose) deleteFromSetMap(this.loose, looseKey(basename(path)), path);
    let child = path;
    while (child) {
      const dir = dirname(child);
      const name = basename(child);
      const names = this.entries.get(dir)!;
      names.delete(name);
      // A lazy tree's folder may hold subfolders not judged yet: judged before the folder may go.
      if (names.size === 0) this.settleAll(dir);
      const folds = this.folded.get(dir);
      if (folds) {
        const key = foldName(name);
        const rest = folds.get(key)!.filter((n) => n !== name);
        if (rest.length) folds.set(key, rest);
        else folds.delete(key);
      }
      if (names.size > 0 || dir === '') break;
      this.entries.delete(dir);
      this.folded.delete(dir);
      child = dir;
    }
    return true;
  }

  /** Looks `segments` up from the root: exact names first, then names equal but for case or normalization. */
  lookup(segments: readonly string[]): Lookup | undefined {
    // Most links name their target exactly: one look-up of the whole path, no walk.
    const exact = this.files.get(segments.join('/'));
    if (exact !== undefined) return { path: exact, isDirectory: false, differences: noDifferences };
    let dir = '';
    const differences: NameDifference[] = [];
    for (let i = 0; i < segments.length; i++) {
      const written = segments[i];
      this.ensureListed(dir);
      this.settle(dir, [written]);
      const names = this.entries.get(dir);
      if (!names) return undefined;
      let onDisk: string | undefined = names.has(written) ? written : undefined;
      if (onDisk === undefined) {
        const folded = foldName(written);
        this.settleAll(dir, folded);
        const candidates = this.foldsOf(dir, names).get(folded);
        if (!candidates) return undefined;
        onDisk = candidates[0];
        const lowerWritten = written.toLowerCase();
        const lowerDisk = onDisk.toLowerCase();
        differences.push({
          written,
          onDisk,
          caseDiffers: written.normalize('NFC') !== onDisk.normalize('NFC'),
          unicodeDiffers: lowerWritten !== lowerDisk && lowerWritten.normalize('NFC') === lowerDisk.normalize('NFC'),
        });
      }
      dir = join(dir, onDisk);
    }
    const file = this.files.get(dir);
    if (file !== undefined) return { path: file, isDirectory: false, differences };
    if (this.entries.has(dir)) return { path: dir, isDirectory: true, differences };
    return undefined;
  }

  /** The names in a folder (files and folders), or none. */
  namesIn(dir: string): ReadonlySet<string> {
    this.ensureListed(dir);
    this.settleAll(dir);
    return this.entries.get(dir) ?? new Set();
  }

  /** Files whose name is the same as `name` once case, accents and a `.md` extension are ignored. */
  similar(name: string): string[] {
    if (!this.loose) {
      this.loose = new Map();
      for (const path of this.files.keys()) addToSetMap(this.loose, looseKey(basename(path)), path);
    }
    return [...(this.loose.get(looseKey(name)) ?? [])];
  }

  /** Adds `name` to the entries of `dir` (which exist), and to its folded names once they are built. */
  private addName(dir: string, name: string): void {
    const names = this.entries.get(dir)!;
    if (names.has(name)) return;
    names.add(name);
    const folds = this.folded.get(dir);
    if (folds) addFold(folds, name);
  }

  private foldsOf(dir: string, names: ReadonlySet<string>): Map<string, string[]> {
    let folds = this.folded.get(dir);
    if (!folds) {
      this.folded.set(dir, (folds = new Map()));
      for (const name of names) addFold(folds, name);
    }
    return folds;
  }
}

function addFold(folds: Map<string, string[]>, name: string): void {
  const key = foldName(name);
  const same = folds.get(key);
  if (same) same.push(name);
  else folds.set(key, [name]);
}

const noDifferences: NameDifference[] = [];

export function addToSetMap<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

export function deleteFromSetMap<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (set && set.delete(value) && set.size === 0) map.delete(key);
}
