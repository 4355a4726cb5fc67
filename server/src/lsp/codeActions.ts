/**
 * Code actions: each fix of a diagnostic as a `quickfix` (the engine's preferred one `isPreferred`),
 * built from the diagnostic's `data` alone; "fix all safe problems in this page"; and
 * `source.fixAll.kbnav` for `editor.codeActionsOnSave`. None in an untrusted workspace: they all write.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic } from 'vscode-languageserver/node';
import { selectSafeFixes } from '../engine/fixes';
import type { ServerContext } from './context';
import { diagnosticSource, type DiagnosticData } from './diagnostics';
import { canApply, toUriFix, workspaceEditOf, type UriFix } from './edits';
import { guard } from './guard';
import { localize } from '../engine/messages';

export const fixAllKind = `${CodeActionKind.SourceFixAll}.kbnav`;

function dataOf(diagnostic: Diagnostic): DiagnosticData | undefined {
  const data = diagnostic.data as DiagnosticData | undefined;
  return diagnostic.source === diagnosticSource && data && Array.isArray(data.fixes) ? data : undefined;
}

/** Whether a kind asked for with `only` covers `kind` (`source` covers `source.fixAll.kbnav`). */
function wanted(only: string[] | undefined, kind: string): boolean {
  return !only || only.some((o) => kind === o || kind.startsWith(o + '.'));
}

/**
 * The quick fixes of one diagnostic: a pure function of the diagnostic (its `data`), except that a fix
 * whose files changed since the diagnostic was computed is left out (`stale`).
 */
export function quickFixes(ctx: ServerContext, diagnostic: Diagnostic, stale: (data: DiagnosticData) => boolean): CodeAction[] {
  const data = dataOf(diagnostic);
  if (!data || stale(data)) return [];
  const actions: CodeAction[] = [];
  for (const fix of data.fixes) {
    if (!canApply(ctx, fix)) continue;
    const edit = workspaceEditOf(ctx, [fix]);
    if (!edit) continue;
    actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], ...(fix.preferred ? { isPreferred: true } : {}), edit });
  }
  return actions;
}

export function registerCodeActions(ctx: ServerContext): void {
  ctx.connection.onCodeAction(
    guard(ctx.log, 'codeAction', [] as CodeAction[], async (params: CodeActionParams) => {
      if (!ctx.trusted) return [];
      const found = await ctx.folders.locateReady(params.textDocument.uri);
      if (!found) return [];
      const { folder, path } = found;
      const only = params.context.only;
      const stale = (data: DiagnosticData) => Object.entries(data.hashes ?? {}).some(([uri, hash]) => {
        const at = ctx.folders.locate(uri);
        return !at || at.folder.kb.page(at.path)?.facts.hash !== hash;
      });
      const actions: CodeAction[] = [];

      if (wanted(only, CodeActionKind.QuickFix)) {
        for (const diagnostic of params.context.diagnostics) actions.push(...quickFixes(ctx, diagnostic, stale));
        // Offered next to the page's own problems, from the editor or the Problems panel.
        if (params.context.diagnostics.some((d) => dataOf(d))) {
          const fixes = selectSafeFixes(folder.kb.diagnostics(path)).map((f) => toUriFix(folder, f)).filter((f) => canApply(ctx, f));
          const edit = fixes.length ? workspaceEditOf(ctx, fixes) : undefined;
          if (edit) actions.push({ title: localize(ctx.locale, 'fixAllInPage', fixes.length), kind: CodeActionKind.QuickFix, edit });
        }
      }

      if (only && wanted(only, fixAllKind)) {
        // On save, only what rewrites this page's own links: adding a back link in another page,
        // or renaming a file, is not something saving one page should do behind the author's back.
        const fixes: UriFix[] = selectSafeFixes(folder.kb.diagnostics(path))
          .filter((f) => !f.fileOperations?.length && f.edits.every((e) => e.path === path))
          .map((f) => toUriFix(folder, f));
        const edit = fixes.length ? workspaceEditOf(ctx, fixes) : undefined;
        if (edit) actions.push({ title: localize(ctx.locale, 'fixAllOnSave', fixes.length), kind: fixAllKind, edit });
      }
      return actions;
    }),
  );
}
