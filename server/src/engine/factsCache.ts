import { randomBytes, createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import * as nodePath from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { NavMarkers } from './navigation';
import type { PageFacts } from './types';

/** Bumped whenever what `parsePage` produces changes: older caches are then ignored. */
export const FACTS_VERSION = 7;

interface CacheFile {
  format: 'kbnav-facts';
  version: number;
  markers: string;
  facts: PageFacts[];
}

/**
 * Page facts kept on disk between runs, keyed by the hash of each page's text: a page whose text
 * is unchanged is not parsed again. It is only a cache: versioned, checked on load, safe to delete,
 * and any file that does not look exactly right is ignored (and replaced on the next save).
 */
export class FactsCache {
  private readonly byHash = new Map<string, PageFacts>();

  private constructor(
    readonly file: string,
    private readonly markersKey: string,
  ) {}

  get size(): number {
    return this.byHash.size;
  }

  /** Opens the cache of one workspace in `dir` (created on save). Never throws. */
  static async open(dir: string, markers: NavMarkers): Promise<FactsCache> {
    const markersKey = createHash('sha1').update(JSON.stringify(markers)).digest('base64url');
    const cache = new FactsCache(nodePath.join(dir, `facts-v${FACTS_VERSION}.bin`), markersKey);
    try {
      const data = deserialize(await fs.readFile(cache.file)) as CacheFile;
      if (data?.format === 'kbnav-facts' && data.version === FACTS_VERSION && data.markers === markersKey && Array.isArray(data.facts)) {
        for (const facts of data.facts) if (isFacts(facts)) cache.byHash.set(facts.hash, facts);
      }
    } catch {
      // Missing or unreadable: start empty.
    }
    return cache;
  }

  get(hash: string): PageFacts | undefined {
    return this.byHash.get(hash);
  }

  /**
   * Writes the facts of the live pages (the rest is dropped), atomically. Skipped when the file
   * already holds exactly these facts (writing 10k pages' facts costs more than reading them).
   * Returns false if it could not write.
   */
  async save(live: Iterable<PageFacts>): Promise<boolean> {
    const facts = [...new Map([...live].map((f) => [f.hash, f])).values()];
    if (facts.length === this.byHash.size && facts.every((f) => this.byHash.get(f.hash) === f)) return true;
    const data: CacheFile = { format: 'kbnav-facts', version: FACTS_VERSION, markers: this.markersKey, facts };
    const temporary = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await fs.mkdir(nodePath.dirname(this.file), { recursive: true });
      await fs.writeFile(temporary, serialize(data));
      await fs.rename(temporary, this.file);
      this.byHash.clear();
      for (const f of facts) this.byHash.set(f.hash, f);
      return true;
    } catch {
      await fs.rm(temporary, { force: true }).catch(() => undefined);
      return false;
    }
  }
}

function isFacts(value: unknown): value is PageFacts {
  const facts = value as PageFacts;
  return !!facts && typeof facts.hash === 'string' && Array.isArray(facts.links) && Array.isArray(facts.headings) && Array.isArray(facts.anchors) && Array.isArray(facts.undefinedReferences) && typeof facts.end === 'object';
}

/** The default cache folder of a workspace for the CLI: `$KBNAV_CACHE_DIR`, else the user's cache folder. */
export function defaultCacheDir(root: string): string {
  const base = process.env.KBNAV_CACHE_DIR || nodePath.join(process.env.XDG_CACHE_HOME || nodePath.join(homedir(), '.cache'), 'kbnav');
  return nodePath.join(base, createHash('sha1').update(nodePath.resolve(root)).digest('hex').slice(0, 16));
}
