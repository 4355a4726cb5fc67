/**
 * The `kbnav.*` commands. Each returns what it did (the opened page, the number of fixes), which the integration
 * tests read through `executeCommand`.
 */
import * as vscode from 'vscode';
import { FixAllRequest, NavigateRequest } from '../../server/src/protocol';
import type { KbnavClient } from './client';
import type { TopicsTreeProvider, TreeNode } from './views/topicsTree';

export function registerCommands(context: vscode.ExtensionContext, client: KbnavClient, topics: TopicsTreeProvider): void {
  const register = (id: string, run: (...args: any[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, run));

  register('kbnav.nextPage', (uri?: vscode.Uri) => navigate(client, 'forward', uri));
  register('kbnav.previousPage', (uri?: vscode.Uri) => navigate(client, 'back', uri));
  register('kbnav.fixAll', () => fixAll(client, undefined, vscode.l10n.t('Fixing the safe problems of the workspace…')));
  register('kbnav.fixTopic', async (node?: TreeNode) => {
    const target = node ?? (await pickTopic(topics));
    if (!target) return undefined;
    return fixAll(client, topics.pageUris(target), vscode.l10n.t('Fixing the safe problems under “{0}”…', target.label));
  });
  register('kbnav.refresh', () => topics.refresh());
  register('kbnav.showOutput', () => client.output.show());
  register('kbnav.restartServer', () => client.restart());
}

/** Opens the next or previous page of the active (or given) page's chain; returns its URI, if there is one. */
async function navigate(client: KbnavClient, direction: NavigateRequest.Params['direction'], uri?: vscode.Uri): Promise<vscode.Uri | undefined> {
  const t = vscode.l10n.t;
  const source = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri;
  if (!source) {
    void vscode.window.showInformationMessage(t('Open a page of the knowledge base first.'));
    return undefined;
  }
  const result = await client.sendRequest<NavigateRequest.Result>(NavigateRequest.method, {
    uri: source.toString(),
    direction,
  } satisfies NavigateRequest.Params);
  if (!result) {
    const message = direction === 'forward' ? t('This is the last page of the chain.') : t('This is the first page of the chain.');
    vscode.window.setStatusBarMessage(`$(info) ${message}`, 4000);
    return undefined;
  }
  const target = vscode.Uri.parse(result.uri);
  await vscode.window.showTextDocument(target);
  return target;
}

/**
 * Asks the server for the edit of every safe fix in `uris` (the workspace when absent) and applies it as one
 * undoable edit. Files that had no unsaved changes are saved afterwards, as VS Code does after a refactoring
 * (`files.refactoring.autoSave`), so that fix-all leaves the notes fixed on disk, not in dozens of dirty buffers.
 */
async function fixAll(client: KbnavClient, uris: string[] | undefined, title: string): Promise<{ fixes: number; applied: boolean }> {
  const t = vscode.l10n.t;
  if (!vscode.workspace.isTrusted) {
    // The server offers no fixes in Restricted Mode (they write files); say so instead of "nothing to fix".
    const manage = t('Manage Workspace Trust');
    void vscode.window.showWarningMessage(t('Fixes are off in Restricted Mode. Trust this workspace to apply them.'), manage).then((choice) => {
      if (choice === manage) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return { fixes: 0, applied: false };
  }
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, async () => {
    const result = await client.sendRequest<FixAllRequest.Result>(FixAllRequest.method, { uris } satisfies FixAllRequest.Params);
    if (result.fixes === 0) {
      void vscode.window.showInformationMessage(t('There are no safe problems to fix.'));
      return { fixes: 0, applied: false };
    }
    const edit = await client.converter.asWorkspaceEdit(result.edit);
    const wasDirty = new Set(vscode.workspace.textDocuments.filter((d) => d.isDirty).map((d) => d.uri.toString()));
    const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
    if (!applied) {
      void vscode.window.showWarningMessage(t('The fixes could not be applied: a file changed meanwhile. Try again.'));
      return { fixes: result.fixes, applied: false };
    }
    if (vscode.workspace.getConfiguration('files').get<boolean>('refactoring.autoSave', true)) {
      const touched = touchedUris(result.edit);
      await Promise.all(
        vscode.workspace.textDocuments
          .filter((d) => d.isDirty && touched.has(d.uri.toString()) && !wasDirty.has(d.uri.toString()))
          .map((d) => d.save()),
      );
    }
    void vscode.window.showInformationMessage(result.fixes === 1 ? t('Applied 1 safe fix.') : t('Applied {0} safe fixes.', result.fixes));
    return { fixes: result.fixes, applied: true };
  });
}

/** The documents an LSP workspace edit changes, under their names after any rename in it. */
function touchedUris(edit: FixAllRequest.Result['edit']): Set<string> {
  const norm = (uri: string) => vscode.Uri.parse(uri).toString();
  const touched = new Set<string>(Object.keys(edit.changes ?? {}).map(norm));
  const renames = new Map<string, string>();
  for (const change of edit.documentChanges ?? []) {
    if ('textDocument' in change) touched.add(norm(change.textDocument.uri));
    else if (change.kind === 'rename') renames.set(norm(change.oldUri), norm(change.newUri));
    else if (change.kind === 'create') touched.add(norm(change.uri));
  }
  for (const [from, to] of renames) {
    if (touched.delete(from)) touched.add(to);
  }
  return touched;
}

/** From the command palette: choose the topic to fix. */
async function pickTopic(topics: TopicsTreeProvider): Promise<TreeNode | undefined> {
  const roots = await topics.topics();
  const groups = roots.flatMap((r) => (r.kind === 'folder' ? r.children : [r])).filter((n) => n.kind !== 'page' || n.children.length > 0);
  const picked = await vscode.window.showQuickPick(
    groups.map((node) => ({ label: node.label, description: node.uri ? vscode.workspace.asRelativePath(vscode.Uri.parse(node.uri)) : undefined, node })),
    { placeHolder: vscode.l10n.t('Topic whose safe problems to fix') },
  );
  return picked?.node;
}
