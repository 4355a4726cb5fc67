/**
 * `workspace/willRenameFiles`: before a page or folder moves, the edits that keep every link to it
 * working and rewrite its own relative links from its new place. Moves between workspace folders,
 * or out of the workspace, get no edits. None in an untrusted workspace.
 */
import type { RenameFilesParams, WorkspaceEdit } from 'vscode-languageserver/node';
import { fileRenameEdits, type PathRename } from '../engine/renameEdits';
import type { ServerContext } from './context';
import { textEditsToWorkspaceEdit, toUriEdits } from './edits';
import type { KbFolder } from './folders';
import { guard } from './guard';

export function registerFileRename(ctx: ServerContext): void {
  ctx.connection.workspace.onWillRenameFiles(
    guard(ctx.log, 'willRenameFiles', null as WorkspaceEdit | null, async (params: RenameFilesParams, token) => {
      if (!ctx.trusted) return null;
      const byFolder = new Map<KbFolder, PathRename[]>();
      for (const file of params.files) {
        const from = ctx.folders.locate(file.oldUri);
        const to = ctx.folders.locate(file.newUri);
        if (!from || !to || from.folder !== to.folder) {
          ctx.log.info(`willRenameFiles: ${file.oldUri} → ${file.newUri} leaves its workspace folder: links are not rewritten`);
          continue;
        }
        byFolder.set(from.folder, [...(byFolder.get(from.folder) ?? []), { from: from.path, to: to.path }]);
      }
      const edits = [];
      for (const [folder, renames] of byFolder) {
        await folder.whenReady();
        edits.push(...toUriEdits(folder, fileRenameEdits(folder.kb, renames, token)));
      }
      return edits.length ? (textEditsToWorkspaceEdit(ctx, edits) ?? null) : null;
    }),
  );
}
