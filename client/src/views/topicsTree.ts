/**
 * The "Topics" tree: the entry page's topics, each with its pages in navigation-chain order, then the pages no topic
 * reaches. Fed by the server's topic-tree request, cached until the index changes, with getParent so that the view
 * can reveal (follow) the page in the active editor.
 */
import * as vscode from 'vscode';
import { TopicTreeRequest, type IndexChangedNotification, type ProblemCounts, type TopicNode } from '../../../server/src/protocol';
import type { KbnavClient } from '../client';

export const topicsViewId = 'kbnav.topics';

/** A workspace folder, shown as a root only in multi-root workspaces. */
export interface FolderNode {
  id: string;
  kind: 'folder';
  label: string;
  uri: string;
  problems: ProblemCounts;
  children: TopicNode[];
}

export type TreeNode = TopicNode | FolderNode;

/** Delay before refetching the tree after an index change: typing sends one notification per edit. */
const refreshDelayMs = 150;

export class TopicsTreeProvider implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private roots: TreeNode[] | undefined;
  private parents = new Map<TreeNode, TreeNode | undefined>();
  private byUri = new Map<string, TreeNode[]>();
  private loading: Promise<TreeNode[]> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failure: string | undefined;

  private readonly changed = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  /** Fired after the cached tree was replaced by a new one from the server. */
  private readonly loaded = new vscode.EventEmitter<readonly TreeNode[]>();
  readonly onDidLoad = this.loaded.event;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly client: KbnavClient) {
    this.disposables = [
      this.changed,
      this.loaded,
      client.onIndexChanged((params) => this.onIndexChanged(params)),
      client.onStateChanged((state) => state === 'stopped' && this.clear()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.scheduleRefresh()),
    ];
  }

  /** Why the last load failed (shown as the view's message), if it did. */
  get error(): string | undefined {
    return this.failure;
  }

  /** The cached tree, loading it if needed. */
  topics(): Promise<readonly TreeNode[]> {
    return this.roots ? Promise.resolve(this.roots) : this.load();
  }

  /** Fetches the tree again and tells the view. */
  async refresh(): Promise<readonly TreeNode[]> {
    clearTimeout(this.timer);
    return this.load(true);
  }

  getChildren(element?: TreeNode): vscode.ProviderResult<TreeNode[]> {
    if (element) return element.children;
    // After a failed load the view waits for the next index notification or refresh instead of asking again.
    if (this.roots) return this.roots;
    return this.failure !== undefined ? [] : this.load();
  }

  getParent(element: TreeNode): TreeNode | undefined {
    return this.parents.get(element);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const t = vscode.l10n.t;
    const item = new vscode.TreeItem(node.label, this.collapsibleState(node));
    item.id = node.id;
    item.contextValue = `kbnav.${node.kind}`;
    const total = problemTotal(node.problems);
    item.description = total === 0 ? undefined : total === 1 ? t('1 problem') : t('{0} problems', total);
    item.iconPath = iconFor(node);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escapeMarkdown(node.label)}**`);
    if (node.uri) tooltip.appendMarkdown(`\n\n${escapeMarkdown(vscode.workspace.asRelativePath(vscode.Uri.parse(node.uri)))}`);
    tooltip.appendMarkdown(
      `\n\n$(error) ${node.problems.error} · $(warning) ${node.problems.warning} · $(info) ${node.problems.information + node.problems.hint}`,
    );
    item.tooltip = tooltip;
    if (node.uri && node.kind !== 'folder') {
      const uri = vscode.Uri.parse(node.uri);
      item.command = { command: 'vscode.open', title: t('Open Page'), arguments: [uri] };
      item.accessibilityInformation = { label: `${node.label}, ${item.description ?? t('no problems')}` };
    }
    return item;
  }

  /** Every node that shows the page `uri` (a page may appear under several topics). */
  nodesFor(uri: vscode.Uri): readonly TreeNode[] {
    return this.byUri.get(uri.toString()) ?? [];
  }

  /** The pages of `node` and of everything below it. */
  pageUris(node: TreeNode): string[] {
    const uris = new Set<string>();
    const walk = (n: TreeNode) => {
      if (n.uri && n.kind !== 'folder') uris.add(n.uri);
      n.children.forEach(walk);
    };
    if (node.kind === 'folder') uris.add(node.uri);
    walk(node);
    return [...uris];
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.disposables.forEach((d) => d.dispose());
  }

  private collapsibleState(node: TreeNode): vscode.TreeItemCollapsibleState {
    if (node.children.length === 0) return vscode.TreeItemCollapsibleState.None;
    // Topics open on start (they are what the view is for); long lists of unreached pages and sub-pages do not.
    return node.kind === 'topic' || node.kind === 'folder'
      ? vscode.TreeItemCollapsibleState.Expanded
      : vscode.TreeItemCollapsibleState.Collapsed;
  }

  private onIndexChanged(params: IndexChangedNotification.Params): void {
    if (params.state === 'ready') this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.load(true), refreshDelayMs);
  }

  private clear(): void {
    clearTimeout(this.timer);
    this.setRoots(undefined);
    this.changed.fire(undefined);
  }

  /**
   * Loads the tree. Concurrent callers share one request; `force` starts a new one after any in flight, so that a
   * change that happened during a request is never lost.
   */
  private load(force = false): Promise<TreeNode[]> {
    if (this.loading && !force) return this.loading;
    const previous = this.loading ?? Promise.resolve([]);
    const next = previous
      .catch(() => [])
      .then(() => this.fetch())
      .then(
        (roots) => {
          this.failure = undefined;
          this.setRoots(roots);
          return roots;
        },
        (err: unknown) => {
          this.failure = err instanceof Error ? err.message : String(err);
          this.setRoots(undefined);
          return [] as TreeNode[];
        },
      )
      .finally(() => {
        if (this.loading === next) this.loading = undefined;
        // Tell the view even after a failure: it shows the message and asks again on the next notification.
        this.changed.fire(undefined);
        this.loaded.fire(this.roots ?? []);
      });
    this.loading = next;
    return next;
  }

  private async fetch(): Promise<TreeNode[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (folders.length <= 1) {
      return this.client.sendRequest<TopicTreeRequest.Result>(TopicTreeRequest.method, {
        folderUri: folders[0]?.uri.toString(),
      } satisfies TopicTreeRequest.Params);
    }
    return Promise.all(
      folders.map(async (folder): Promise<FolderNode> => {
        const children = await this.client.sendRequest<TopicTreeRequest.Result>(TopicTreeRequest.method, {
          folderUri: folder.uri.toString(),
        } satisfies TopicTreeRequest.Params);
        return {
          id: `folder:${folder.uri.toString()}`,
          kind: 'folder',
          label: folder.name,
          uri: folder.uri.toString(),
          problems: children.reduce((sum, c) => addCounts(sum, c.problems), emptyCounts()),
          children,
        };
      }),
    );
  }

  private setRoots(roots: TreeNode[] | undefined): void {
    this.roots = roots;
    this.parents = new Map();
    this.byUri = new Map();
    const walk = (node: TreeNode, parent: TreeNode | undefined) => {
      this.parents.set(node, parent);
      if (node.uri && node.kind !== 'folder') {
        // Compare URIs in VS Code's normal form: the server may encode them differently.
        const key = vscode.Uri.parse(node.uri).toString();
        this.byUri.set(key, [...(this.byUri.get(key) ?? []), node]);
      }
      node.children.forEach((child) => walk(child, node));
    };
    roots?.forEach((root) => walk(root, undefined));
  }
}

/**
 * Creates the view and keeps it following the active editor: when a Markdown page becomes active, its node is
 * revealed and selected (without taking the focus).
 */
export function registerTopicsTree(
  context: vscode.ExtensionContext,
  client: KbnavClient,
): { provider: TopicsTreeProvider; view: vscode.TreeView<TreeNode> } {
  const provider = new TopicsTreeProvider(client);
  const view = vscode.window.createTreeView(topicsViewId, { treeDataProvider: provider, showCollapseAll: true });

  const follow = async () => {
    const editor = vscode.window.activeTextEditor;
    if (!view.visible || !editor || editor.document.languageId !== 'markdown') return;
    const nodes = provider.nodesFor(editor.document.uri);
    if (nodes.length === 0) return;
    const selected = view.selection[0];
    if (selected && nodes.includes(selected)) return;
    // A page listed under several topics: stay under the topic of the current selection when possible.
    const topicOf = (n: TreeNode | undefined): TreeNode | undefined => {
      let top = n;
      while (top && provider.getParent(top)) top = provider.getParent(top);
      return top;
    };
    const currentTopic = topicOf(selected);
    const node = nodes.find((n) => currentTopic && topicOf(n) === currentTopic) ?? nodes[0];
    try {
      await view.reveal(node, { select: true, focus: false, expand: false });
    } catch {
      // The tree changed under us; the next load reveals again.
    }
  };

  const updateMessage = () => {
    const index = client.index;
    if (client.state === 'stopped') view.message = vscode.l10n.t('The KB Navigator server is not running.');
    else if (provider.error) view.message = provider.error;
    else if (client.state === 'starting' || index?.state === 'indexing') view.message = vscode.l10n.t('Indexing notes…');
    else view.message = undefined;
    const broken = index?.brokenLinks ?? 0;
    view.badge = broken > 0 ? { value: broken, tooltip: broken === 1 ? vscode.l10n.t('1 broken link') : vscode.l10n.t('{0} broken links', broken) } : undefined;
  };

  context.subscriptions.push(
    provider,
    view,
    vscode.window.onDidChangeActiveTextEditor(() => void follow()),
    view.onDidChangeVisibility(() => void follow()),
    provider.onDidLoad(() => {
      updateMessage();
      void follow();
    }),
    client.onIndexChanged(updateMessage),
    client.onStateChanged(updateMessage),
  );
  updateMessage();
  return { provider, view };
}

function problemTotal(p: ProblemCounts): number {
  return p.error + p.warning + p.information + p.hint;
}

function emptyCounts(): ProblemCounts {
  return { error: 0, warning: 0, information: 0, hint: 0 };
}

function addCounts(a: ProblemCounts, b: ProblemCounts): ProblemCounts {
  return { error: a.error + b.error, warning: a.warning + b.warning, information: a.information + b.information, hint: a.hint + b.hint };
}

function iconFor(node: TreeNode): vscode.ThemeIcon {
  const color =
    node.problems.error > 0
      ? new vscode.ThemeColor('list.errorForeground')
      : node.problems.warning > 0
        ? new vscode.ThemeColor('list.warningForeground')
        : undefined;
  switch (node.kind) {
    case 'folder':
      return new vscode.ThemeIcon('root-folder', color);
    case 'topic':
      return new vscode.ThemeIcon('book', color);
    case 'unreached':
      return new vscode.ThemeIcon('question', color);
    default:
      return new vscode.ThemeIcon('markdown', color);
  }
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
