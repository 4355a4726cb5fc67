/**
 * Completion inside a link destination (after `](`, or in a `[ref]: ` definition): the files and
 * folders of the folder typed so far, and after `#` the heading ids of the page named.
 */
import { CompletionItemKind, type CompletionItem, type CompletionParams } from 'vscode-languageserver/node';
import { completionsAt, type CompletionKind } from '../engine/completion';
import type { ServerContext } from './context';
import { guard } from './guard';

const kinds: Record<CompletionKind, CompletionItemKind> = {
  page: CompletionItemKind.File,
  file: CompletionItemKind.File,
  folder: CompletionItemKind.Folder,
  heading: CompletionItemKind.Reference,
};

export const completionTriggers = ['(', '/', '#'];

export function registerCompletion(ctx: ServerContext): void {
  ctx.connection.onCompletion(
    guard(ctx.log, 'completion', [] as CompletionItem[], async (params: CompletionParams, token) => {
      const document = ctx.documents.get(params.textDocument.uri);
      const found = document && (await ctx.folders.locateReady(params.textDocument.uri));
      if (!document || !found) return [];
      const linePrefix = document.getText({ start: { line: params.position.line, character: 0 }, end: params.position });
      return completionsAt(found.folder.kb, found.path, linePrefix, params.position, token).map((entry) => ({
        label: entry.label,
        kind: kinds[entry.kind],
        ...(entry.detail ? { detail: entry.detail } : {}),
        sortText: entry.sortText,
        filterText: entry.insertText,
        textEdit: { range: entry.range, newText: entry.insertText },
      }));
    }),
  );
}
