import type { NavDirection } from './types';

/** Navigation markers by direction. Compared without the U+FE0F variation selector. */
export type NavMarkers = Record<NavDirection, string[]>;

export const defaultMarkers: NavMarkers = {
  back: ['⬅️', '⏮️', '◀️', '⏪'],
  forward: ['➡️', '⏭️', '▶️', '⏩'],
  up: ['⬆️', '⏫'],
  down: ['⬇️', '⏬'],
  related: ['📎', '🔗'],
};

const variationSelector = /\uFE0F/g;

/** A compiled marker table: finds the direction of a label and strips markers from text. */
export class MarkerSet {
  private readonly byMarker = new Map<string, NavDirection>();
  private readonly pattern: RegExp | undefined;

  constructor(markers: NavMarkers = defaultMarkers) {
    for (const [direction, list] of Object.entries(markers) as [NavDirection, string[]][]) {
      for (const marker of list) {
        const bare = marker.replace(variationSelector, '');
        if (bare && !this.byMarker.has(bare)) this.byMarker.set(bare, direction);
      }
    }
    const alternatives = [...this.byMarker.keys()]
      .sort((a, b) => b.length - a.length)
      .map((m) => m.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + '\\uFE0F?');
    this.pattern = alternatives.length ? new RegExp(alternatives.join('|'), 'gu') : undefined;
  }

  /** The direction of a link whose text is `label`; the first marker wins. */
  direction(label: string): NavDirection | undefined {
    if (!this.pattern) return undefined;
    this.pattern.lastIndex = 0;
    const match = this.pattern.exec(label);
    // exec moves a global pattern's lastIndex past the match, and matchAll (occurrences) starts there.
    this.pattern.lastIndex = 0;
    return match ? this.byMarker.get(match[0].replace(variationSelector, '')) : undefined;
  }

  /** Every marker occurrence in `text`, as [start, end) offsets. */
  occurrences(text: string): [number, number][] {
    if (!this.pattern) return [];
    // matchAll starts where the pattern's lastIndex is: from the start, whatever ran before.
    this.pattern.lastIndex = 0;
    return [...text.matchAll(this.pattern)].map((m) => [m.index!, m.index! + m[0].length]);
  }

  strip(text: string): string {
    return this.pattern ? text.replace(this.pattern, ' ') : text;
  }

  private readonly labels = new Map<string, string>();

  /**
   * A link's label without its markers, normalized (`normalizeTitle`): what is compared with titles.
   * Memoized: the same labels recur on many pages, and each is looked at on every check.
   */
  normalizedLabel(label: string): string {
    let result = this.labels.get(label);
    if (result === undefined) {
      // Not through normalizeTitle's memo: it would keep the stripped label too, a string per label (50,000 of them at 10,000 notes).
      result = normalizeText(this.strip(label));
      if (this.labels.size >= 100_000) this.labels.clear();
      this.labels.set(label, result);
    }
    return result;
  }
}

const normalized = new Map<string, string>();

/**
 * Normalizes a label or title for comparison: case, accents, a leading `#`, punctuation and
 * symbols (markers included) are ignored; words are separated by single spaces.
 * Memoized: the same titles and labels are compared again on every check.
 */
export function normalizeTitle(text: string): string {
  let result = normalized.get(text);
  if (result === undefined) {
    result = normalizeText(text);
    if (normalized.size >= 200_000) normalized.clear();
    normalized.set(text, result);
  }
  return result;
}

const normalizeText = (text: string): string => normalizeLatin1(text) ?? normalizeUnicode(text);

function normalizeUnicode(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Each Latin-1 character normalized alone ('' for a separator). In Latin-1 a character decomposes
 * on its own (there are no combining marks in it), so a text of them is normalized character by
 * character, with this table: most titles and labels, several times faster than the Unicode steps.
 */
const latin1 = Array.from({ length: 256 }, (_, code) => normalizeUnicode(String.fromCharCode(code)));

/** `normalizeUnicode` of a text of Latin-1 characters only; undefined for any other text. */
function normalizeLatin1(text: string): string | undefined {
  let result = '';
  let space = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 255) return undefined;
    const part = latin1[code];
    if (part === '') space = result !== '';
    else {
      if (space) result += ' ';
      result += part;
      space = false;
    }
  }
  return result;
}

/** Labels that name no page: they are never compared with titles. Compared after `normalizeLabel`. */
export const genericLabels = new Set(
  [
    'anterior', 'siguiente', 'volver', 'inicio', 'indice', 'índice', 'atras', 'atrás', 'regresar', 'arriba',
    'abajo', 'continuar', 'principal', 'menu', 'menú', 'portada', 'contenido', 'contenidos', 'tema anterior',
    'tema siguiente', 'pagina anterior', 'pagina siguiente', 'página anterior', 'página siguiente',
    'volver al inicio', 'volver al indice', 'volver al índice', 'ir al inicio', 'ir al indice',
    'back', 'next', 'previous', 'prev', 'home', 'index', 'up', 'top', 'start', 'contents', 'continue',
    'go back', 'back to top', 'back to index', 'next page', 'previous page', 'table of contents',
  ].map((label) => normalizeTitle(label)),
);

/** Whether `part` is `whole` or a run of whole words inside it (both normalized). */
export function containsWords(whole: string, part: string): boolean {
  if (!part) return false;
  if (whole === part) return true;
  return ` ${whole} `.includes(` ${part} `);
}

/** Every run of consecutive words of a normalized title (for indexes of "part of a title"). */
export function wordRuns(normalized: string, maxWords = 12): string[] {
  const words = normalized ? normalized.split(' ') : [];
  const runs: string[] = [];
  const n = Math.min(words.length, maxWords);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j <= n; j++) runs.push(words.slice(i, j).join(' '));
  }
  return runs;
}
