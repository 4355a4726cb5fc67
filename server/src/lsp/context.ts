/**
 * What every LSP feature of the server shares: the connection, the open documents, the knowledge
 * bases of the workspace folders, what the client supports, and the logger. Created once, in
 * `initialize`; never a module global, so that features stay testable and the wiring stays in server.ts.
 */
import type { ClientCapabilities, Connection, TextDocuments } from 'vscode-languageserver/node';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Locale } from '../engine/types';
import type { Folders } from './folders';

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The client features the server adapts to. */
export interface ClientSupport {
  /** `workspace/configuration` (pull settings per resource). */
  configuration: boolean;
  /** Dynamic registration of `workspace/didChangeWatchedFiles`. */
  watchedFiles: boolean;
  /** `workspace/didChangeWorkspaceFolders`. */
  workspaceFolders: boolean;
  /** `WorkspaceEdit.documentChanges` (versioned edits, and the file operations below). */
  documentChanges: boolean;
  createFiles: boolean;
  renameFiles: boolean;
  /** `LocationLink` results for go to definition. */
  definitionLinks: boolean;
  /** Markdown in hovers. */
  markdownHover: boolean;
}

export interface ServerContext {
  readonly connection: Connection;
  readonly documents: TextDocuments<TextDocument>;
  readonly folders: Folders;
  readonly locale: Locale;
  /** False in an untrusted (restricted-mode) workspace: the server only reads. */
  readonly trusted: boolean;
  readonly client: ClientSupport;
  readonly log: Logger;
}

export function clientSupport(capabilities: ClientCapabilities): ClientSupport {
  const resourceOperations = capabilities.workspace?.workspaceEdit?.resourceOperations ?? [];
  const documentChanges = !!capabilities.workspace?.workspaceEdit?.documentChanges;
  return {
    configuration: !!capabilities.workspace?.configuration,
    watchedFiles: !!capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration,
    workspaceFolders: !!capabilities.workspace?.workspaceFolders,
    documentChanges,
    createFiles: documentChanges && resourceOperations.includes('create'),
    renameFiles: documentChanges && resourceOperations.includes('rename'),
    definitionLinks: !!capabilities.textDocument?.definition?.linkSupport,
    markdownHover: (capabilities.textDocument?.hover?.contentFormat ?? ['markdown']).includes('markdown'),
  };
}

/** Logs through the connection's console (the client's output channel). */
export function connectionLogger(connection: Connection): Logger {
  return {
    info: (message) => connection.console.info(message),
    warn: (message) => connection.console.warn(message),
    error: (message) => connection.console.error(message),
  };
}
