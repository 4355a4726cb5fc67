// Helpers of the integration tests (run in the extension host, with the test/fixtures/editor-kb copy open).
// Every wait is on an event (diagnostics, index, tree, editor changes) with a deadline; the only retry loop is for
// code actions, which VS Code cancels while other providers register (shared/docs/real-vscode-testing.md, gotchas).
import * as vscode from 'vscode';

export const extensionId = 'kb-navigator.kb-navigator';

/** The shape of what the extension's activate() returns (client/src/extension.ts, KbnavApi). */
export interface KbnavApi {
  client: {
    readonly state: 'starting' | 'running' | 'stopped';
    readonly index: { state: 'indexing' | 'ready'; pages: number; brokenLinks: number; problems: Record<string, number> } | undefined;
    onIndexChanged: vscode.Event<{ state: 'indexing' | 'ready'; brokenLinks: number }>;
    onStateChanged: vscode.Event<'starting' | 'running' | 'stopped'>;
    sendRequest<R>(method: string, params: unknown): Promise<R>;
  };
  topics: vscode.TreeDataProvider<TopicNode> & {
    topics(): Promise<readonly TopicNode[]>;
    refresh(): Promise<readonly TopicNode[]>;
    onDidLoad: vscode.Event<readonly TopicNode[]>;
    getParent(node: TopicNode): TopicNode | undefined;
  };
  topicsView: vscode.TreeView<TopicNode>;
}

export interface TopicNode {
  id: string;
  kind: 'topic' | 'page' | 'unreached' | 'folder';
  label: string;
  uri?: string;
  problems: { error: number; warning: number; information: number; hint: number };
  children: TopicNode[];
}

/** Activates the extension (it starts the server) and returns its API. */
export async function kbnav(): Promise<KbnavApi> {
  const ext = vscode.extensions.getExtension<KbnavApi>(extensionId);
  if (!ext) throw new Error(`extension ${extensionId} is not loaded`);
  return ext.activate();
}

export function root(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder is open');
  return folder.uri;
}

/** The URI of a page of the fixture, by its path relative to the workspace folder. */
export function page(path: string): vscode.Uri {
  return vscode.Uri.joinPath(root(), ...path.split('/'));
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const code = d.code;
  if (code === undefined) return undefined;
  return String(typeof code === 'object' ? code.value : code);
}

/** KB Navigator's diagnostics of a page: the ones with a code of ours (the built-in Markdown checks have others). */
export function kbDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => kbCodes.has(codeOf(d) ?? ''));
}

const kbCodes = new Set([
  'missing-file', 'missing-fragment', 'backslash-path', 'root-relative-path', 'case-mismatch', 'unicode-mismatch',
  'absolute-path', 'outside-workspace', 'self-link', 'label-mismatch', 'nav-not-reciprocal', 'orphan-page', 'undefined-reference',
]);

export function codesOf(uri: vscode.Uri): string[] {
  return kbDiagnostics(uri).map((d) => codeOf(d)!).sort();
}

/**
 * Resolves when `check()` returns a value other than undefined/false, checking now and after each of `events`;
 * rejects at the deadline with `describe()` (the state that was not reached) in the message.
 */
export function waitUntil<T>(
  what: string,
  check: () => T | undefined | false,
  events: vscode.Event<unknown>[],
  timeoutMs = 30_000,
  describe: () => string = () => '',
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subscriptions: vscode.Disposable[] = [];
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      subscriptions.forEach((s) => s.dispose());
      fn();
    };
    const test = () => {
      try {
        const value = check();
        if (value !== undefined && value !== false) finish(() => resolve(value as T));
      } catch (err) {
        finish(() => reject(err));
      }
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}. ${describe()}`))), timeoutMs);
    for (const event of events) subscriptions.push(event(test));
    test();
  });
}

/** Waits until the KB Navigator diagnostics of `uri` satisfy `predicate` (by their sorted codes). */
export function waitForCodes(uri: vscode.Uri, predicate: (codes: string[]) => boolean, timeoutMs = 30_000): Promise<vscode.Diagnostic[]> {
  return waitUntil(
    `the diagnostics of ${vscode.workspace.asRelativePath(uri)}`,
    () => predicate(codesOf(uri)) && kbDiagnostics(uri),
    [vscode.languages.onDidChangeDiagnostics],
    timeoutMs,
    () => `They are: [${codesOf(uri).join(', ')}]`,
  );
}

/** Waits until the diagnostic with `code` is reported on `uri`, and returns it. */
export async function waitForDiagnostic(uri: vscode.Uri, code: string, timeoutMs = 30_000): Promise<vscode.Diagnostic> {
  const diagnostics = await waitForCodes(uri, (codes) => codes.includes(code), timeoutMs);
  return diagnostics.find((d) => codeOf(d) === code)!;
}

/**
 * Asks for the code actions at `range` until one satisfies `predicate`. VS Code cancels a code-action request when
 * the set of providers changes (built-in Markdown extensions activating), returning no LSP action at all, so the
 * request is repeated, 100 ms apart, until the deadline.
 */
export async function codeActionWhere(
  uri: vscode.Uri,
  range: vscode.Range,
  predicate: (action: vscode.CodeAction) => boolean,
  timeoutMs = 15_000,
): Promise<vscode.CodeAction> {
  // The command needs a document model (it throws "Illegal argument" without one): open the page, unseen.
  await vscode.workspace.openTextDocument(uri);
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  for (;;) {
    const actions = (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>('vscode.executeCodeActionProvider', uri, range)) ?? [];
    const codeActions = actions.filter((a): a is vscode.CodeAction => !('command' in a && typeof a.command === 'string'));
    const found = codeActions.find(predicate);
    if (found) return found;
    seen = codeActions.map((a) => `[${a.title} (${a.kind?.value}${a.isPreferred ? ', preferred' : ''}${a.diagnostics?.length ? `, for ${a.diagnostics.map(codeOf).join(' ')}` : ''})]`);
    if (Date.now() > deadline) throw new Error(`no matching code action within ${timeoutMs} ms; offered: ${seen.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The text of a file as it is on disk. */
export async function readDisk(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

/** The problems planted in test/fixtures/editor-kb, by page: what the server must report before anything changes. */
export const plantedProblems: Record<string, string[]> = {
  'README.md': ['backslash-path'],
  'Borrador.md': ['orphan-page'],
  'VM/OrigenVM.md': [],
  'VM/QueSonVM.md': ['nav-not-reciprocal'],
  'VM/HipervisoresVM.md': ['nav-not-reciprocal'],
  'Docker/OrigenDocker.md': ['label-mismatch'],
  'Docker/Imagenes.md': ['case-mismatch', 'missing-file'],
};

/**
 * Waits until every page of the fixture has exactly its planted problems; less long than mocha's 60 s for
 * a hook or a test, so that a timeout says which pages differ.
 */
export function waitForPlantedProblems(timeoutMs = 45_000): Promise<true> {
  const differences = () =>
    Object.entries(plantedProblems)
      .filter(([path, codes]) => codesOf(page(path)).join(',') !== [...codes].sort().join(','))
      .map(([path, codes]) => `${path}: [${codesOf(page(path)).join(', ')}] instead of [${codes.join(', ')}]`);
  return waitUntil('the planted problems of the fixture', () => differences().length === 0, [vscode.languages.onDidChangeDiagnostics], timeoutMs, () =>
    differences().join('; '),
  );
}

/**
 * Remembers every Markdown file of the workspace; restore() saves open documents, writes the files back as they
 * were (removing files created since) and waits until the server reports the planted problems again. Tests that
 * change files call it in `after`, so that each test file starts from the fixture as written.
 */
export async function snapshotWorkspace(): Promise<{ restore(): Promise<void> }> {
  const original = new Map<string, Uint8Array>();
  for (const uri of await markdownFiles()) original.set(uri.toString(), await vscode.workspace.fs.readFile(uri));
  return {
    async restore() {
      // Dirty documents would keep their text over the restored file; save them first, then overwrite.
      await vscode.workspace.saveAll(false);
      // Deleted through a workspace edit, as the Explorer does: the server hears of it from the editor at once
      // (a file watcher may fold a page created and deleted close together into no event at all).
      const created = (await markdownFiles()).filter((uri) => !original.has(uri.toString()));
      if (created.length) {
        const edit = new vscode.WorkspaceEdit();
        for (const uri of created) edit.deleteFile(uri);
        if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not delete ${created.map((u) => rel(u)).join(', ')}`);
      }
      for (const [key, bytes] of original) {
        const uri = vscode.Uri.parse(key);
        const now = await Promise.resolve(vscode.workspace.fs.readFile(uri)).catch(() => undefined);
        if (!now || Buffer.compare(Buffer.from(now), Buffer.from(bytes)) !== 0) await vscode.workspace.fs.writeFile(uri, bytes);
      }
      await waitForPlantedProblems();
    },
  };
}

/** The Markdown files of the workspace, read from the file system (not from the search service's view of it). */
async function markdownFiles(dir: vscode.Uri = root()): Promise<vscode.Uri[]> {
  const found: vscode.Uri[] = [];
  for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
    const uri = vscode.Uri.joinPath(dir, name);
    if (type & vscode.FileType.Directory) {
      if (!name.startsWith('.')) found.push(...(await markdownFiles(uri)));
    } else if (name.endsWith('.md')) found.push(uri);
  }
  return found;
}

/** Opens a page in an editor and returns the editor. */
export async function openPage(path: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(page(path));
  return vscode.window.showTextDocument(doc);
}

/** Waits until the active editor shows `uri`. */
export function waitForActiveEditor(uri: vscode.Uri, timeoutMs = 15_000): Promise<vscode.TextEditor> {
  return waitUntil(
    `an editor on ${vscode.workspace.asRelativePath(uri)}`,
    () => {
      const editor = vscode.window.activeTextEditor;
      return editor && editor.document.uri.toString() === uri.toString() ? editor : undefined;
    },
    [vscode.window.onDidChangeActiveTextEditor],
    timeoutMs,
    () => `The active editor is ${vscode.window.activeTextEditor?.document.uri.toString() ?? 'none'}.`,
  );
}

/** The path of a URI relative to the workspace folder (for readable assertions). */
export function rel(uri: string | vscode.Uri | undefined): string | undefined {
  if (uri === undefined) return undefined;
  return vscode.workspace.asRelativePath(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri, false);
}
