import { KnowledgeBase } from '../../server/src/engine/knowledgeBase';
import { defaultSettings, type EngineSettings } from '../../server/src/engine/config';
import { applyTextEdits, selectSafeFixes } from '../../server/src/engine/fixes';
import type { Code, KbDiagnostic } from '../../server/src/engine/types';
import { isMarkdownPath } from '../../server/src/engine/paths';

export const root = '/home/ana/apuntes';

/** Builds a knowledge base from a map of files (pages by text; other files with any content). */
export function kbFrom(files: Record<string, string>, settings: Partial<EngineSettings> = {}): KnowledgeBase {
  const kb = new KnowledgeBase(root, { ...defaultSettings('es'), ...settings });
  for (const [path, text] of Object.entries(files)) {
    if (isMarkdownPath(path)) kb.setPage(path, text);
    else kb.addFile(path);
  }
  kb.commit();
  return kb;
}

export function codesOf(kb: KnowledgeBase, path: string): Code[] {
  return kb.diagnostics(path).map((d) => d.code);
}

export function only(kb: KnowledgeBase, path: string, code: Code): KbDiagnostic {
  const found = kb.diagnostics(path).filter((d) => d.code === code);
  if (found.length !== 1) throw new Error(`expected one ${code} in ${path}, got ${JSON.stringify(kb.diagnostics(path), null, 1)}`);
  return found[0];
}

/** Every diagnostic of the knowledge base, as `path code` lines. */
export function summary(kb: KnowledgeBase): string[] {
  return [...kb.allDiagnostics()].flatMap(([path, list]) => list.map((d) => `${path} ${d.code}`));
}

/** Applies all safe fixes to an in-memory copy of the files (renames included). */
export function fixAll(files: Record<string, string>, kb: KnowledgeBase): Record<string, string> {
  const fixes = selectSafeFixes([...kb.allDiagnostics().values()].flat());
  const result = { ...files };
  const byFile = new Map<string, typeof fixes[number]['edits']>();
  for (const fix of fixes) for (const edit of fix.edits) byFile.set(edit.path, [...(byFile.get(edit.path) ?? []), edit]);
  for (const [path, edits] of byFile) result[path] = applyTextEdits(result[path], edits);
  for (const fix of fixes) {
    for (const op of fix.fileOperations ?? []) {
      if (op.kind === 'rename') {
        result[op.to] = result[op.from];
        delete result[op.from];
      } else result[op.path] = op.content;
    }
  }
  return result;
}
