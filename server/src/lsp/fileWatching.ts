/**
 * Files created, changed and deleted outside the editor (another program, `git checkout`), through
 * `workspace/didChangeWatchedFiles`, registered dynamically for every file of the workspace (links
 * may lead to images and PDFs, not only to pages); and those created, renamed and deleted in the
 * editor (Explorer, workspace edits), through `workspace/didCreateFiles`, `didRenameFiles` and
 * `didDeleteFiles`, which come at once and whole: a file watcher may fold a creation and a deletion
 * close together into nothing. A change reported both ways is applied twice, to the same result
 * (each change reads the disk again).
 */
import {
  DidChangeWatchedFilesNotification,
  FileChangeType,
  WatchKind,
  type CreateFilesParams,
  type DeleteFilesParams,
  type DidChangeWatchedFilesParams,
  type RenameFilesParams,
} from 'vscode-languageserver/node';
import type { ServerContext } from './context';
import type { FileChange, KbFolder } from './folders';
import { describe, guardNotification } from './guard';
import type { SettingsCache } from './settings';
import { settingsFileName } from '../engine/settingsFile';

/** The file operations the server asks the client about: every file (links may lead to any). */
export const everyFile = { filters: [{ scheme: 'file', pattern: { glob: '**/*' } }] };

const types = { [FileChangeType.Created]: 'created', [FileChangeType.Changed]: 'changed', [FileChangeType.Deleted]: 'deleted' } as const;

/** Asks the client to watch the workspace (after `initialized`). */
export async function registerFileWatching(ctx: ServerContext): Promise<void> {
  if (!ctx.client.watchedFiles) {
    ctx.log.warn('the client cannot watch files for the server: changes made outside the editor are seen after a restart');
    return;
  }
  try {
    await ctx.connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: [{ globPattern: '**/*', kind: WatchKind.Create | WatchKind.Change | WatchKind.Delete }],
    });
  } catch (error) {
    ctx.log.warn(`could not register the file watcher: ${describe(error)}`);
  }
}

/** Passes the changes to the folders they are in; a folder whose `.kbnav.json` changed reads its settings again. */
export function handleWatchedFiles(ctx: ServerContext, settings: SettingsCache): void {
  const apply = async (changes: readonly { uri: string; type: FileChange['type'] }[]) => {
    const byFolder = new Map<KbFolder, FileChange[]>();
    const newSettings = new Set<KbFolder>();
    for (const change of changes) {
      const found = ctx.folders.locate(change.uri);
      if (!found) continue;
      if (found.path === settingsFileName) newSettings.add(found.folder);
      let list = byFolder.get(found.folder);
      if (!list) byFolder.set(found.folder, (list = []));
      list.push({ path: found.path, type: change.type });
    }
    for (const [folder, list] of byFolder) folder.filesChanged(list);
    for (const folder of newSettings) settings.forget(folder);
    if (newSettings.size) await settings.apply([...newSettings]);
  };
  ctx.connection.onDidChangeWatchedFiles(
    guardNotification(ctx.log, 'didChangeWatchedFiles', (params: DidChangeWatchedFilesParams) =>
      apply(params.changes.flatMap((c) => (c.type in types ? [{ uri: c.uri, type: types[c.type as keyof typeof types] }] : []))),
    ),
  );
  ctx.connection.workspace.onDidCreateFiles(
    guardNotification(ctx.log, 'didCreateFiles', (params: CreateFilesParams) => apply(params.files.map((f) => ({ uri: f.uri, type: 'created' as const })))),
  );
  ctx.connection.workspace.onDidDeleteFiles(
    guardNotification(ctx.log, 'didDeleteFiles', (params: DeleteFilesParams) => apply(params.files.map((f) => ({ uri: f.uri, type: 'deleted' as const })))),
  );
  ctx.connection.workspace.onDidRenameFiles(
    guardNotification(ctx.log, 'didRenameFiles', (params: RenameFilesParams) =>
      apply(params.files.flatMap((f) => [{ uri: f.oldUri, type: 'deleted' as const }, { uri: f.newUri, type: 'created' as const }])),
    ),
  );
}
