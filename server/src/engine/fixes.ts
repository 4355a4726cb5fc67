import type { Fix, KbDiagnostic, Position, Range, TextEdit } from './types';
import { LineIndex } from './parse';

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

function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.path === b.path && a.newText === b.newText && compare(a.range.start, b.range.start) === 0 && compare(a.range.end, b.range.end) === 0;
}

/**
 * Chooses the safe fixes of `diagnostics` that can be applied together: each fix whole or not at all,
 * none overlapping another (identical edits, as several codes of one link propose, count once).
 * Fixes with file operations (renames) go first: they rewrite every link to the renamed file.
 */
export function selectSafeFixes(diagnostics: readonly KbDiagnostic[]): Fix[] {
  const candidates = diagnostics.flatMap((d) => d.fixes.filter((f) => f.safe));
  candidates.sort((a, b) => Number(!!b.fileOperations?.length) - Number(!!a.fileOperations?.length));
  const accepted: Fix[] = [];
  const taken: TextEdit[] = [];
  const renamed = new Set<string>();
  for (const fix of candidates) {
    const fresh = fix.edits.filter((e) => !taken.some((t) => sameEdit(t, e)));
    if (fresh.some((e) => taken.some((t) => t.path === e.path && overlaps(t.range, e.range)))) continue;
    if (fix.fileOperations?.some((op) => op.kind === 'rename' && renamed.has(op.from))) continue;
    if (fresh.length === 0 && !fix.fileOperations?.length) continue;
    taken.push(...fresh);
    fix.fileOperations?.forEach((op) => op.kind === 'rename' && renamed.add(op.from));
    accepted.push({ ...fix, edits: fresh });
  }
  return accepted;
}
