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

/**
 * The workspace's files and folders as exact names per folder, with a folded-name index per folder
 * (case and normalization ignored) and a global loose-name index for "did you mean".
 * Names are judged against these listings, never with `stat`, which ignores case on some systems.
 */
export class FileTree {
  /** folder → names of its entries (files and folders). '' is the root. */
  private readonly entries = new Map<string, Set<string>>();
  /** folder → folded name → exact names. */
  private readonly folded = new Map<string, Map<string, string[]>>();
  /** Each file's path, to itself: a look-up returns the path held here, not a copy per link. */
  private readonly files = new Map<string, string>();
  /** looseKey(basename) → file paths. */
  private readonly loose = new Map<string, Set<string>>();

  constructor() {
    this.entries.set('', new Set());
  }

  get fileCount(): number {
    return this.files.size;
  }

  allFiles(): IterableIterator<string> {
    return this.files.keys();
  }

  hasFile(path: string): boolean {
    return this.files.has(path);
  }

  isDirectory(path: string): boolean {
    return this.entries.has(path);
  }

  /** Adds a file and its folders. Returns false if it was already there. */
  addFile(path: string): boolean {
    if (this.files.has(path)) return false;
    this.files.set(path, path);
    addToSetMap(this.loose, looseKey(basename(path)), path);
    let child = path;
    for (;;) {
      const dir = dirname(child);
      const name = basename(child);
      let names = this.entries.get(dir);
      const dirIsNew = !names;
      if (!names) this.entries.set(dir, (names = new Set()));
      if (!names.has(name)) {
        names.add(name);
        let folds = this.folded.get(dir);
        if (!folds) this.folded.set(dir, (folds = new Map()));
        const key = foldName(name);
        folds.set(key, [...(folds.get(key) ?? []), name]);
      }
      if (!dirIsNew || dir === '') break;
      child = dir;
    }
    return true;
  }

  /** Removes a file, and the folders it leaves empty. Returns false if it was not there. */
  removeFile(path: string): boolean {
    if (!this.files.delete(path)) return false;
    deleteFromSetMap(this.loose, looseKey(basename(path)), path);
    let child = path;
    while (child) {
      const dir = dirname(child);
      const name = basename(child);
      const names = this.entries.get(dir)!;
      names.delete(name);
      const folds = this.folded.get(dir)!;
      const key = foldName(name);
      const rest = folds.get(key)!.filter((n) => n !== name);
      if (rest.length) folds.set(key, rest);
      else folds.delete(key);
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
      const names = this.entries.get(dir);
      if (!names) return undefined;
      let onDisk: string | undefined = names.has(written) ? written : undefined;
      if (onDisk === undefined) {
        const candidates = this.folded.get(dir)?.get(foldName(written));
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
    return this.entries.get(dir) ?? new Set();
  }

  /** Files whose name is the same as `name` once case, accents and a `.md` extension are ignored. */
  similar(name: string): string[] {
    return [...(this.loose.get(looseKey(name)) ?? [])];
  }
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
