/** Workspace symbols: pages (by title and path) and their headings, across every folder. */
import { SymbolKind, type SymbolInformation, type WorkspaceSymbolParams } from 'vscode-languageserver/node';
import { workspaceSymbols } from '../engine/workspaceSymbols';
import type { ServerContext } from './context';
import { guard } from './guard';

const limit = 1000;

export function registerWorkspaceSymbols(ctx: ServerContext): void {
  ctx.connection.onWorkspaceSymbol(
    guard(ctx.log, 'workspaceSymbol', [] as SymbolInformation[], async (params: WorkspaceSymbolParams, token) => {
      const symbols: SymbolInformation[] = [];
      for (const folder of ctx.folders.all()) {
        await folder.whenReady();
        for (const entry of workspaceSymbols(folder.kb, params.query, limit, token)) {
          symbols.push({
            name: entry.name,
            kind: entry.kind === 'page' ? SymbolKind.File : SymbolKind.String,
            location: { uri: folder.uriOf(entry.path), range: entry.range },
            containerName: entry.container,
          });
        }
      }
      return symbols.slice(0, limit);
    }),
  );
}
