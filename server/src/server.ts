/**
 * The KB Navigator language server: wiring only. Each LSP feature lives in lsp/, the knowledge base
 * in engine/. Runs over stdio (`node dist/server.js --stdio`, for any LSP editor), Node IPC
 * (`--node-ipc`, as the VS Code client starts it) or a socket (`--socket=<port>`).
 */
import { ProposedFeatures, TextDocumentSyncKind, TextDocuments, createConnection, type InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { createHash } from 'node:crypto';
import * as nodePath from 'node:path';
import { defaultCacheDir } from './engine/factsCache';
import { localeFrom } from './engine/messages';
import { fixAllKind, registerCodeActions } from './lsp/codeActions';
import { completionTriggers, registerCompletion } from './lsp/completion';
import { clientSupport, connectionLogger, type ServerContext } from './lsp/context';
import { registerDefinition } from './lsp/definition';
import { DiagnosticsPublisher, registerDiagnostics } from './lsp/diagnostics';
import { registerDocuments } from './lsp/documents';
import { everyFile, handleWatchedFiles, registerFileWatching } from './lsp/fileWatching';
import { registerFileRename } from './lsp/fileRename';
import { registerFixAll } from './lsp/fixAll';
import { Folders } from './lsp/folders';
import { setHeapGrowth } from './heapGrowth';
import { describe, guardNotification } from './lsp/guard';
import { registerHeadingRename } from './lsp/headingRename';
import { registerHover } from './lsp/hover';
import { IndexChangedNotifier, registerIndexChanged } from './lsp/indexChanged';
import { startIndexProgress } from './lsp/indexing';
import { registerDocumentLinks } from './lsp/links';
import { registerNavigate } from './lsp/navigate';
import { registerReferences } from './lsp/references';
import { SettingsCache, registerSettings } from './lsp/settings';
import { registerTopicTree } from './lsp/topicTree';
import { registerWorkspaceSymbols } from './lsp/workspaceSymbols';
import type { InitializationOptions } from './protocol';

// Less garbage kept between collections; V8's own growth while parse workers run (heapGrowth.ts).
setHeapGrowth(false);

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const log = connectionLogger(connection);

// Whatever escapes a handler is logged; the server keeps serving.
process.on('uncaughtException', (error) => log.error(`uncaught: ${describe(error)}`));
process.on('unhandledRejection', (error) => log.error(`unhandled rejection: ${describe(error)}`));

connection.onInitialize((params): InitializeResult => {
  const options = (params.initializationOptions ?? {}) as InitializationOptions;
  const trusted = options.trusted !== false;
  const locale = localeFrom(params.locale);
  const folders = new Folders(
    {
      log,
      openDocuments: () => documents.all().map((d) => ({ uri: d.uri, text: d.getText() })),
      startProgress: (folder) => startIndexProgress(connection, locale, folder),
      cacheDir: (root) => (options.storagePath ? nodePath.join(options.storagePath, 'facts', createHash('sha1').update(root).digest('hex').slice(0, 16)) : defaultCacheDir(root)),
    },
    locale,
  );
  const workspaceFolders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: URI.parse(params.rootUri).fsPath }] : []);
  for (const folder of workspaceFolders) folders.add(folder.uri, folder.name);

  flushCaches = () => folders.flush();
  const ctx: ServerContext = { connection, documents, folders, locale, trusted, client: clientSupport(params.capabilities), log };
  const diagnostics = new DiagnosticsPublisher(ctx);
  const settings = new SettingsCache(ctx);
  registerDiagnostics(ctx, diagnostics);
  const notifier = new IndexChangedNotifier(ctx, diagnostics);
  registerIndexChanged(ctx, notifier);
  registerDocuments(ctx);
  handleWatchedFiles(ctx, settings);
  registerSettings(ctx, settings);
  registerCodeActions(ctx);
  registerFixAll(ctx);
  registerDocumentLinks(ctx);
  registerDefinition(ctx);
  registerHover(ctx);
  registerReferences(ctx);
  registerCompletion(ctx);
  registerWorkspaceSymbols(ctx);
  registerFileRename(ctx);
  registerHeadingRename(ctx);
  registerTopicTree(ctx);
  registerNavigate(ctx);

  connection.onInitialized(
    guardNotification(log, 'initialized', async () => {
      log.info(`KB Navigator server ${trusted ? '' : '(untrusted workspace: read-only) '}for ${folders.all().map((f) => f.root).join(', ') || 'no folder'}`);
      if (ctx.client.workspaceFolders) {
        connection.workspace.onDidChangeWorkspaceFolders(
          guardNotification(log, 'didChangeWorkspaceFolders', async (event) => {
            for (const removed of event.removed) {
              const folder = folders.remove(removed.uri);
              if (folder) diagnostics.clearFolder(folder);
            }
            notifier.schedule();
            await settings.apply(event.added.map((added) => folders.add(added.uri, added.name)));
          }),
        );
      }
      await registerFileWatching(ctx);
      await settings.apply(folders.all());
    }),
  );

  return {
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
      // Untrusted: every action writes, so none is offered (the client restarts the server once trusted).
      ...(trusted ? { codeActionProvider: { codeActionKinds: ['quickfix', fixAllKind], resolveProvider: false } } : {}),
      documentLinkProvider: { resolveProvider: false },
      definitionProvider: true,
      hoverProvider: true,
      referencesProvider: true,
      completionProvider: { triggerCharacters: completionTriggers, resolveProvider: false },
      workspaceSymbolProvider: true,
      ...(trusted ? { renameProvider: { prepareProvider: true } } : {}),
      workspace: {
        workspaceFolders: { supported: true, changeNotifications: true },
        fileOperations: { didCreate: everyFile, didRename: everyFile, didDelete: everyFile, ...(trusted ? { willRename: everyFile } : {}) },
      },
    },
    serverInfo: { name: 'kb-navigator', version: '0.1.0' },
  };
});

let flushCaches: () => Promise<void> = async () => undefined;
// The server writes no workspace file itself; only its facts cache may still be being written.
connection.onShutdown(() => flushCaches());

connection.listen();
