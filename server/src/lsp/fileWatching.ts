/**
 * Files created, changed and deleted outside the editor (another program, `git checkout`), through
 * `workspace/didChangeWatchedFiles`, registered dynamically for every file of the workspace (links
 * may lead to images and PDFs, not only to pages).
 */
import { DidChangeWatchedFilesNotification, FileChangeType, WatchKind, type DidChangeWatchedFilesParams } from 'vscode-languageserver/node';
import type { ServerContext } from './context';
import type { FileChange, KbFolder } from './folders';
import { describe, guardNotification } from './guard';
import type { SettingsCache } from './settings';
import { settingsFileName } from '../engine/settingsFile';

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
  ctx.connection.onDidChangeWatchedFiles(
    guardNotification(ctx.log, 'didChangeWatchedFiles', async (params: DidChangeWatchedFilesParams) => {
      const byFolder = new Map<KbFolder, FileChange[]>();
      const newSettings = new Set<KbFolder>();
      for (const change of params.changes) {
        const found = ctx.folders.locate(change.uri);
        const type = types[change.type as keyof typeof types];
        if (!found || !type) continue;
        if (found.path === settingsFileName) newSettings.add(found.folder);
        let list = byFolder.get(found.folder);
        if (!list) byFolder.set(found.folder, (list = []));
        list.push({ path: found.path, type });
      }
      for (const [folder, changes] of byFolder) folder.filesChanged(changes);
      for (const folder of newSettings) settings.forget(folder);
      if (newSettings.size) await settings.apply([...newSettings]);
    }),
  );
}
