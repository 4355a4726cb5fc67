/**
 * A JSON-RPC client for the contract tests: spawns the built server (`dist/server.js --stdio`) on a
 * fresh copy of a fixture knowledge base, answers the server's requests (configuration, capability
 * registration, progress creation) and records what it sends, so that tests wait for events, never
 * for time.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { cpSync, existsSync, mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { URI } from 'vscode-uri';
import {
  createProtocolConnection,
  IPCMessageReader,
  IPCMessageWriter,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
} from 'vscode-languageserver-protocol/node';
import type {
  CreateFilesParams,
  DeleteFilesParams,
  Diagnostic,
  FileEvent,
  InitializeResult,
  PublishDiagnosticsParams,
  RenameFilesParams,
  TextDocumentEdit,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { IndexChangedNotification, type KbnavSettings } from '../../server/src/protocol';

/** The repository root, found by walking up from the bundled test (out/test/server) or the cwd. */
export function repoRoot(): string {
  for (const start of [__dirname, process.cwd()]) {
    for (let dir = resolve(start); ; dir = dirname(dir)) {
      if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'server', 'src', 'protocol.ts'))) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error('cannot find the repository root');
}

export const timeoutMs = 15_000;

export interface StartOptions {
  /** A folder under test/fixtures (default server-kb), copied to a temporary folder. */
  fixture?: string;
  /** Extra files written into the copy before the server starts (binary content as Buffer). */
  files?: Record<string, string | Buffer>;
  /** What the client answers to `workspace/configuration` for `kbnav`. */
  settings?: KbnavSettings;
  trusted?: boolean;
  locale?: string;
  /** stdio (default, what other editors use) or Node IPC (what the VS Code client uses). */
  transport?: 'stdio' | 'ipc';
  /** The client's storage folder for the facts cache; a fresh temporary one (removed at the end) when absent. */
  storagePath?: string;
  /** Reuse this workspace folder as is (not copied, not removed at the end): for restarts on the same files. */
  root?: string;
}

export interface ProgressEvent {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string; percentage?: number };
}

export class TestServer {
  readonly events = new EventEmitter();
  readonly diagnostics = new Map<string, Diagnostic[]>();
  readonly logs: string[] = [];
  readonly progress: ProgressEvent[] = [];
  readonly progressCreated: (string | number)[] = [];
  readonly registrations: { method: string; registerOptions?: unknown }[] = [];
  indexState: IndexChangedNotification.Params | undefined;
  initializeResult!: InitializeResult;
  settings: KbnavSettings;
  /** Temporary folders this harness made, removed by dispose. */
  readonly owned: string[] = [];
  private stderr = '';
  private exited: number | null | undefined;

  private constructor(
    readonly root: string,
    readonly process: ChildProcess,
    readonly connection: ProtocolConnection,
    settings: KbnavSettings,
  ) {
    this.settings = settings;
    this.events.setMaxListeners(100);
  }

  static async start(options: StartOptions = {}): Promise<TestServer> {
    const repo = repoRoot();
    const root = options.root ?? mkdtempSync(join(tmpdir(), 'kbnav-server-'));
    if (!options.root) cpSync(join(repo, 'test', 'fixtures', options.fixture ?? 'server-kb'), root, { recursive: true });
    const storagePath = options.storagePath ?? mkdtempSync(join(tmpdir(), 'kbnav-storage-'));
    for (const [path, content] of Object.entries(options.files ?? {})) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), content);
    }
    const serverPath = join(repo, 'dist', 'server.js');
    const ipc = options.transport === 'ipc';
    const child = ipc ? fork(serverPath, ['--node-ipc'], { stdio: ['pipe', 'pipe', 'pipe', 'ipc'] }) : spawn(process.execPath, [serverPath, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = ipc
      ? createProtocolConnection(new IPCMessageReader(child), new IPCMessageWriter(child))
      : createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const server = new TestServer(root, child, connection, options.settings ?? {});
    if (!options.root) server.owned.push(root);
    if (!options.storagePath) server.owned.push(storagePath);
    server.wire();
    connection.listen();
    server.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      locale: options.locale ?? 'es',
      rootUri: URI.file(root).toString(),
      workspaceFolders: [{ uri: URI.file(root).toString(), name: 'apuntes' }],
      initializationOptions: { ...(options.trusted === undefined ? {} : { trusted: options.trusted }), storagePath },
      capabilities: {
        window: { workDoneProgress: true },
        workspace: {
          configuration: true,
          workspaceFolders: true,
          didChangeWatchedFiles: { dynamicRegistration: true },
          didChangeConfiguration: { dynamicRegistration: false },
          workspaceEdit: { documentChanges: true, resourceOperations: ['create', 'rename', 'delete'] },
          fileOperations: { willRename: true },
        },
        textDocument: {
          synchronization: { didSave: true },
          publishDiagnostics: { relatedInformation: true },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true, dataSupport: true },
          definition: { linkSupport: false },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          rename: { prepareSupport: true },
          completion: { completionItem: { snippetSupport: false } },
        },
      },
    });
    await connection.sendNotification('initialized', {});
    return server;
  }

  private wire(): void {
    const { connection } = this;
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.diagnostics.set(params.uri, params.diagnostics);
      this.events.emit('change');
    });
    connection.onNotification(IndexChangedNotification.method, (params: IndexChangedNotification.Params) => {
      this.indexState = params;
      this.events.emit('change');
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
      this.events.emit('change');
    });
    connection.onNotification('window/showMessage', (params: { message: string }) => this.logs.push(params.message));
    connection.onNotification('$/progress', (params: ProgressEvent) => {
      this.progress.push(params);
      this.events.emit('change');
    });
    connection.onRequest('window/workDoneProgress/create', (params: { token: string | number }) => {
      this.progressCreated.push(params.token);
      return null;
    });
    connection.onRequest('client/registerCapability', (params: { registrations: { method: string; registerOptions?: unknown }[] }) => {
      this.registrations.push(...params.registrations);
      this.events.emit('change');
      return null;
    });
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => params.items.map((item) => (item.section === 'kbnav' ? this.settings : null)));
    connection.onRequest('workspace/workspaceFolders', () => [{ uri: URI.file(this.root).toString(), name: 'apuntes' }]);
    this.process.stderr!.on('data', (chunk) => (this.stderr += String(chunk)));
    this.process.on('exit', (code) => {
      this.exited = code;
      this.events.emit('change');
    });
  }

  /** Whether the server process is still running. */
  get alive(): boolean {
    return this.exited === undefined;
  }

  uri(path: string): string {
    return URI.file(join(this.root, ...path.split('/'))).toString();
  }

  pathOf(uri: string): string {
    return URI.parse(uri).fsPath.slice(this.root.length + 1).split('\\').join('/');
  }

  read(path: string): string {
    return readFileSync(join(this.root, path), 'utf8');
  }

  write(path: string, content: string | Buffer): void {
    mkdirSync(dirname(join(this.root, path)), { recursive: true });
    writeFileSync(join(this.root, path), content);
  }

  remove(path: string): void {
    rmSync(join(this.root, path), { recursive: true, force: true });
  }

  rename(from: string, to: string): void {
    renameSync(join(this.root, from), join(this.root, to));
  }

  /** Sends `workspace/didCreateFiles`, `didRenameFiles` or `didDeleteFiles`, as an editor does after its own file operations. */
  async fileOperation(method: 'didCreateFiles' | 'didRenameFiles' | 'didDeleteFiles', params: CreateFilesParams | RenameFilesParams | DeleteFilesParams): Promise<void> {
    await this.connection.sendNotification(`workspace/${method}`, params);
  }

  /** Resolves with the first value of `probe` that is not undefined, re-checked on every message from the server. */
  waitFor<T>(what: string, probe: () => T | undefined | false, ms = timeoutMs): Promise<T> {
    return new Promise((resolvePromise, reject) => {
      const check = () => {
        let value: T | undefined | false;
        try {
          value = probe();
        } catch (error) {
          finish();
          reject(error);
          return;
        }
        if (value !== undefined && value !== false) {
          finish();
          resolvePromise(value);
        } else if (!this.alive) {
          finish();
          reject(new Error(`the server exited (${this.exited}) while waiting for ${what}\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what}; last index state ${JSON.stringify(this.indexState)}; logs:\n${this.logs.slice(-20).join('\n')}`));
      }, ms);
      const finish = () => {
        clearTimeout(timer);
        this.events.off('change', check);
      };
      this.events.on('change', check);
      check();
    });
  }

  /** Waits until the server says the index is ready. */
  ready(): Promise<IndexChangedNotification.Params> {
    return this.waitFor('the index to be ready', () => (this.indexState?.state === 'ready' ? this.indexState : undefined));
  }

  /** The diagnostics last published for a page (empty when none were). */
  diagnosticsOf(path: string): Diagnostic[] {
    return this.diagnostics.get(this.uri(path)) ?? [];
  }

  /** Waits until the diagnostics of `path` satisfy `predicate`. */
  waitForDiagnostics(path: string, what: string, predicate: (list: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
    return this.waitFor(`${path}: ${what}`, () => {
      const list = this.diagnosticsOf(path);
      return predicate(list) ? list : undefined;
    });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  private versions = new Map<string, number>();

  async open(path: string, text = this.read(path)): Promise<void> {
    this.versions.set(path, 1);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uri(path), languageId: 'markdown', version: 1, text } });
  }

  /** Replaces the whole text of an open document. */
  async change(path: string, text: string): Promise<void> {
    const version = (this.versions.get(path) ?? 1) + 1;
    this.versions.set(path, version);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri: this.uri(path), version }, contentChanges: [{ text }] });
  }

  async close(path: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri: this.uri(path) } });
  }

  async filesChanged(changes: { path: string; type: 'created' | 'changed' | 'deleted' }[]): Promise<void> {
    const types = { created: 1, changed: 2, deleted: 3 };
    const events: FileEvent[] = changes.map((c) => ({ uri: this.uri(c.path), type: types[c.type] as FileEvent['type'] }));
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: events });
  }

  async setSettings(settings: KbnavSettings): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: { kbnav: settings } });
  }

  /** Applies a WorkspaceEdit to the files on disk, as an editor would: text edits, creations, renames. */
  applyEdit(edit: WorkspaceEdit): void {
    for (const change of edit.documentChanges ?? []) {
      if ('kind' in change) {
        if (change.kind === 'create') {
          const path = join(this.root, this.pathOf(change.uri));
          if (existsSync(path) && !change.options?.overwrite) throw new Error(`create over an existing file: ${path}`);
          mkdirSync(dirname(path), { recursive: true });
          writeFileSync(path, '');
        } else if (change.kind === 'rename') {
          const to = join(this.root, this.pathOf(change.newUri));
          mkdirSync(dirname(to), { recursive: true });
          renameSync(join(this.root, this.pathOf(change.oldUri)), to);
        } else throw new Error(`unexpected operation ${change.kind}`);
      } else {
        const docEdit = change as TextDocumentEdit;
        const path = this.pathOf(docEdit.textDocument.uri);
        this.write(path, applyTextEdits(this.read(path), docEdit.edits as TextEdit[]));
      }
    }
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      const path = this.pathOf(uri);
      this.write(path, applyTextEdits(this.read(path), edits));
    }
  }

  async stop(): Promise<void> {
    try {
      if (this.alive) {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification('exit');
      }
    } catch {
      // Already gone.
    }
    if (this.alive) {
      const exited = new Promise((r) => this.process.once('exit', r));
      const timer = setTimeout(() => this.process.kill(), 2000);
      await exited;
      clearTimeout(timer);
    }
    this.connection.dispose();
    for (const dir of this.owned) rmSync(dir, { recursive: true, force: true });
  }
}

/** Applies LSP text edits to a text (UTF-16 positions; edits must not overlap). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: { line: number; character: number }) => (starts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let result = text;
  for (const edit of sorted) result = result.slice(0, offset(edit.range.start)) + edit.newText + result.slice(offset(edit.range.end));
  return result;
}

/** Starts a server for one test and stops it afterwards, whatever happens. */
export async function withServer(options: StartOptions, body: (server: TestServer) => Promise<void>): Promise<void> {
  const server = await TestServer.start(options);
  try {
    await body(server);
    if (!server.alive) throw new Error('the server exited during the test');
  } finally {
    await server.stop();
  }
}
