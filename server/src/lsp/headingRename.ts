/**
 * Renaming a heading (prepareRename + rename): the heading's text, and every fragment that points at
 * it in this page and in the pages that link here. None in an untrusted workspace.
 */
import type { PrepareRenameParams, Range, RenameParams, WorkspaceEdit } from 'vscode-languageserver/node';
import { headingRenameEdits, prepareHeadingRename } from '../engine/headingRename';
import { headingIndexAt } from '../engine/positions';
import type { ServerContext } from './context';
import { textEditsToWorkspaceEdit, toUriEdits } from './edits';
import { guard } from './guard';

async function headingAt(ctx: ServerContext, params: PrepareRenameParams) {
  if (!ctx.trusted) return undefined;
  const found = await ctx.folders.locateReady(params.textDocument.uri);
  const page = found && found.folder.kb.page(found.path);
  if (!found || !page) return undefined;
  const headingIndex = headingIndexAt(page.facts, params.position);
  if (headingIndex < 0) return undefined;
  const text = await found.folder.readText(found.path);
  return { ...found, facts: page.facts, headingIndex, text };
}

export function registerHeadingRename(ctx: ServerContext): void {
  ctx.connection.onPrepareRename(
    guard(ctx.log, 'prepareRename', null as { range: Range; placeholder: string } | null, async (params: PrepareRenameParams) => {
      const at = await headingAt(ctx, params);
      const target = at && prepareHeadingRename(at.text, at.facts, at.headingIndex);
      return target ? { range: target.range, placeholder: target.placeholder } : null;
    }),
  );
  ctx.connection.onRenameRequest(
    guard(ctx.log, 'rename', null as WorkspaceEdit | null, async (params: RenameParams, token) => {
      const at = await headingAt(ctx, params);
      if (!at) return null;
      const edits = headingRenameEdits(at.folder.kb, at.path, at.text, at.headingIndex, params.newName, token);
      return edits ? (textEditsToWorkspaceEdit(ctx, toUriEdits(at.folder, edits)) ?? null) : null;
    }),
  );
}
