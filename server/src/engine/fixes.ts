import type { Fix, KbDiagnostic, Position, Range, TextEdit } from './types';
import { LineIndex } from './parse';
import { rangeKey } from './positions';

function compare(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}

function overlaps(a: Range, b: Range): boolean {
  // Two insertions at the same place conflict too: their order would be arbitrary.
  if (compare(a.start, b.start) === 0) return true;
  return compare(a.start, b.end) < 0 && compare(b.start, a.end) < 0;
}

/**
 * Applies edits to one file's text (without BOM). Edits must not overlap; they are applied from
 * the end so that earlier offsets stay valid. Text outside the edited ranges is kept byte for byte.
 */
export function applyTextEdits(text: string, edits: readonly Pick<TextEdit, 'range' | 'newText'>[]): string {
  const lines = new LineIndex(text);
  const sorted = [...edits].sort((a, b) => compare(b.range.start, a.range.start));
  let result = text;
  for (const edit of sorted) {
    const start = lines.offset(edit.range.start);
    const end = lines.offset(edit.range.end);
    result = result.slice(0, start) + edit.newText + result.slice(end);
  }
  return result;
}

/** Identical edits (path, range, text) have one key. */
function editKey(e: TextEdit): string {
  return `${e.path}\n${rangeKey(e.range)}\n${e.newText}`;
}

/**
 * Chooses the safe fixes of `diagnostics` that can be applied together: each fix whole or not at all,
 * none overlapping another (identical edits, as several codes of one link propose, count once).
 * Fixes with file operations (renames) go first: they rewrite every link to the renamed file. A fix
 * shared by many diagnostics (a file renamed for every page that links to it) is one candidate.
 */
export function selectSafeFixes(diagnostics: readonly KbDiagnostic[]): Fix[] {
  const candidates = [...new Set(diagnostics.flatMap((d) => d.fixes.filter((f) => f.safe)))];
  candidates.sort((a, b) => Number(!!b.fileOperations?.length) - Number(!!a.fileOperations?.length));
  const accepted: Fix[] = [];
  /** Edits taken, by key and by file (overlaps are looked for in the same file only). */
  const taken = new Set<string>();
  const takenIn = new Map<string, TextEdit[]>();
  const renamed = new Set<string>();
  for (const fix of candidates) {
    if (fix.fileOperations?.some((op) => op.kind === 'rename' && renamed.has(op.from))) continue;
    const fresh = fix.edits.filter((e) => !taken.has(editKey(e)));
    if (fresh.some((e) => takenIn.get(e.path)?.some((t) => overlaps(t.range, e.range)))) continue;
    if (fresh.length === 0 && !fix.fileOperations?.length) continue;
    for (const e of fresh) {
      taken.add(editKey(e));
      const inFile = takenIn.get(e.path);
      if (inFile) inFile.push(e);
      else takenIn.set(e.path, [e]);
    }
    fix.fileOperations?.forEach((op) => op.kind === 'rename' && renamed.add(op.from));
    accepted.push({ ...fix, edits: fresh });
  }
  return accepted;
}
