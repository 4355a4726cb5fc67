/**
 * `kbnav/fixAll`: one WorkspaceEdit with every safe fix of the pages in scope (the whole workspace,
 * or some pages and folders), for the client to apply in one undoable step. Empty when untrusted.
 */
import { selectSafeFixes } from '../engine/fixes';
import type { KbDiagnostic } from '../engine/types';
import { FixAllRequest } from '../protocol';
import type { ServerContext } from './context';
import { canApply, toUriFix, workspaceEditOf, type UriFix } from './edits';
import type { KbFolder } from './folders';
import { guard } from './guard';

const empty: FixAllRequest.Result = { edit: { documentChanges: [] }, fixes: 0 };

export function registerFixAll(ctx: ServerContext): void {
  ctx.connection.onRequest(
    FixAllRequest.method,
    guard(ctx.log, 'fixAll', empty, async (params: FixAllRequest.Params | undefined, token) => {
      if (!ctx.trusted) {
        ctx.log.info('fixAll: the workspace is not trusted; nothing is changed');
        return empty;
      }
      // Scope: folder → path prefixes ('' for the whole folder).
      const scope = new Map<KbFolder, string[]>();
      if (!params?.uris?.length) for (const folder of ctx.folders.all()) scope.set(folder, ['']);
      else {
        for (const uri of params.uris) {
          const folder = ctx.folders.byUri(uri);
          const found = folder ? { folder, path: '' } : ctx.folders.locate(uri);
          if (!found) continue;
          scope.set(found.folder, [...(scope.get(found.folder) ?? []), found.path]);
        }
      }
      const fixes: UriFix[] = [];
      for (const [folder, prefixes] of scope) {
        await folder.whenReady();
        if (token.isCancellationRequested) return empty;
        const inScope = (page: string) => prefixes.some((p) => p === '' || page === p || page.startsWith(p + '/'));
        const diagnostics: KbDiagnostic[] = [];
        for (const page of folder.kb.pagePaths().sort()) if (inScope(page)) diagnostics.push(...folder.kb.diagnostics(page));
        fixes.push(...selectSafeFixes(diagnostics).map((f) => toUriFix(folder, f)).filter((f) => canApply(ctx, f)));
      }
      const edit = fixes.length ? workspaceEditOf(ctx, fixes) : undefined;
      return edit ? { edit, fixes: fixes.length } : empty;
    }),
  );
}
