/**
 * Engine fixes and edits as LSP values: paths become URIs (`UriFix`, what a diagnostic's `data`
 * carries), and a list of fixes becomes one `WorkspaceEdit`, so that a single undo restores it.
 */
import type { CreateFile, RenameFile, TextDocumentEdit, TextEdit as LspTextEdit, WorkspaceEdit } from 'vscode-languageserver/node';
import type { Fix, Range, TextEdit } from '../engine/types';
import type { ServerContext } from './context';
import type { KbFolder } from './folders';

export interface UriTextEdit {
  uri: string;
  range: Range;
  newText: string;
}

export type UriFileOperation = { kind: 'create'; uri: string; content: string } | { kind: 'rename'; oldUri: string; newUri: string };

/** An engine fix with URIs instead of workspace-relative paths. */
export interface UriFix {
  title: string;
  safe: boolean;
  preferred?: boolean;
  edits: UriTextEdit[];
  fileOperations?: UriFileOperation[];
}

export function toUriEdits(folder: KbFolder, edits: readonly TextEdit[]): UriTextEdit[] {
  return edits.map((e) => ({ uri: folder.uriOf(e.path), range: e.range, newText: e.newText }));
}

export function toUriFix(folder: KbFolder, fix: Fix): UriFix {
  const operations = fix.fileOperations?.map(
    (op): UriFileOperation => (op.kind === 'create' ? { kind: 'create', uri: folder.uriOf(op.path), content: op.content } : { kind: 'rename', oldUri: folder.uriOf(op.from), newUri: folder.uriOf(op.to) }),
  );
  return {
    title: fix.title,
    safe: fix.safe,
    ...(fix.preferred ? { preferred: true } : {}),
    edits: toUriEdits(folder, fix.edits),
    ...(operations?.length ? { fileOperations: operations } : {}),
  };
}

/** Whether the client can apply this fix (creating and renaming files need `documentChanges` with resource operations). */
export function canApply(ctx: ServerContext, fix: UriFix): boolean {
  return (fix.fileOperations ?? []).every((op) => (op.kind === 'create' ? ctx.client.createFiles : ctx.client.renameFiles));
}

/**
 * One WorkspaceEdit for `fixes`: every text edit first, grouped by file (the edits of one file in one
 * TextDocumentEdit, checked against the open document's version), then creations and renames, as the
 * engine orders them. Undefined when a URI lies outside the workspace folders or the client cannot
 * apply a file operation: nothing outside the workspace is ever written.
 */
export function workspaceEditOf(ctx: ServerContext, fixes: readonly UriFix[]): WorkspaceEdit | undefined {
  const inside = (uri: string) => ctx.folders.locate(uri) !== undefined;
  const byUri = new Map<string, LspTextEdit[]>();
  for (const fix of fixes) {
    if (!canApply(ctx, fix)) return undefined;
    for (const edit of fix.edits) {
      if (!inside(edit.uri)) return undefined;
      let list = byUri.get(edit.uri);
      if (!list) byUri.set(edit.uri, (list = []));
      list.push({ range: edit.range, newText: edit.newText });
    }
    for (const op of fix.fileOperations ?? []) {
      if (!(op.kind === 'create' ? inside(op.uri) : inside(op.oldUri) && inside(op.newUri))) return undefined;
    }
  }
  if (!ctx.client.documentChanges) return { changes: Object.fromEntries(byUri) };
  const documentChanges: (TextDocumentEdit | CreateFile | RenameFile)[] = [...byUri].map(([uri, edits]) => ({
    textDocument: { uri, version: ctx.documents.get(uri)?.version ?? null },
    edits,
  }));
  for (const fix of fixes) {
    for (const op of fix.fileOperations ?? []) {
      if (op.kind === 'create') {
        // Never over an existing file: the whole edit fails instead (and nothing is lost).
        documentChanges.push({ kind: 'create', uri: op.uri, options: { overwrite: false, ignoreIfExists: false } });
        documentChanges.push({ textDocument: { uri: op.uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: op.content }] });
      } else {
        documentChanges.push({ kind: 'rename', oldUri: op.oldUri, newUri: op.newUri, options: { overwrite: false, ignoreIfExists: false } });
      }
    }
  }
  return { documentChanges };
}

/** A WorkspaceEdit of plain text edits (renames of headings and files). */
export function textEditsToWorkspaceEdit(ctx: ServerContext, edits: readonly UriTextEdit[]): WorkspaceEdit | undefined {
  return workspaceEditOf(ctx, [{ title: '', safe: true, edits: [...edits] }]);
}
