/**
 * Entry point of the KB Navigator extension: wires the language client, the topic tree, the status bar and the
 * commands together. Everything else lives in its own module.
 */
import * as vscode from 'vscode';
import { KbnavClient } from './client';
import { registerCommands } from './commands';
import { StatusBar } from './statusBar';
import { registerTopicsTree, type TopicsTreeProvider, type TreeNode } from './views/topicsTree';

/** What `activate` returns: used by the integration tests (through `Extension.exports`). */
export interface KbnavApi {
  readonly client: KbnavClient;
  readonly topics: TopicsTreeProvider;
  readonly topicsView: vscode.TreeView<TreeNode>;
}

// The one client of this activation; kept for deactivate(), which must wait until the server has stopped.
let active: KbnavClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<KbnavApi> {
  const client = new KbnavClient(context);
  active = client;
  const { provider: topics, view: topicsView } = registerTopicsTree(context, client);
  context.subscriptions.push(
    new StatusBar(client),
    // Trust changes what the server may do: start it again with the new initializationOptions.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void client.restart()),
  );
  registerCommands(context, client, topics);
  await client.start();
  return { client, topics, topicsView };
}

export async function deactivate(): Promise<void> {
  const client = active;
  active = undefined;
  await client?.dispose();
}
