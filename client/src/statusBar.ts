/**
 * The status bar item: the number of broken links from the server's index notifications, a spinner while the
 * server starts or indexes; a click opens the Problems panel (or restarts a stopped server).
 */
import * as vscode from 'vscode';
import type { KbnavClient } from './client';

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly client: KbnavClient) {
    this.item = vscode.window.createStatusBarItem('kbnav.status', vscode.StatusBarAlignment.Left, 10);
    this.item.name = 'KB Navigator';
    this.disposables = [
      this.item,
      client.onIndexChanged(() => this.render()),
      client.onStateChanged(() => this.render()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.render()),
    ];
    this.render();
  }

  private render(): void {
    const t = vscode.l10n.t;
    const item = this.item;
    // A Markdown file opened without a folder: there is no knowledge base to count (and no index would ever come).
    if (!vscode.workspace.workspaceFolders?.length) {
      item.hide();
      return;
    }
    item.show();
    const index = this.client.index;
    item.backgroundColor = undefined;
    if (this.client.state === 'stopped') {
      item.text = `$(debug-disconnect) KB Navigator`;
      item.tooltip = t('The KB Navigator server is not running. Click to restart it.');
      item.command = 'kbnav.restartServer';
      item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
      return;
    }
    item.command = { command: 'workbench.actions.view.problems', title: t('Show Problems') };
    if (this.client.state === 'starting' || !index || index.state === 'indexing') {
      item.text = `$(sync~spin) ${t('Indexing notes…')}`;
      item.tooltip = index ? t('KB Navigator is indexing {0} pages.', index.pages) : t('KB Navigator is starting.');
      return;
    }
    const broken = index.brokenLinks;
    item.text = broken === 0 ? `$(check) ${t('No broken links')}` : `$(error) ${broken === 1 ? t('1 broken link') : t('{0} broken links', broken)}`;
    const { error, warning, information, hint } = index.problems;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**KB Navigator**\n\n`);
    tooltip.appendMarkdown(`${t('{0} pages indexed', index.pages)}\n\n`);
    tooltip.appendMarkdown(`$(error) ${error} · $(warning) ${warning} · $(info) ${information + hint}\n\n`);
    tooltip.appendMarkdown(t('Click to open the Problems panel.'));
    item.tooltip = tooltip;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
