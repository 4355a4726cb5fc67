/**
 * The connection to the KB Navigator language server (dist/server.js over Node IPC): starts it, restarts it when it
 * dies, and relays its custom messages to the rest of the client as VS Code events.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  RevealOutputChannelOn,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandler,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { IndexChangedNotification } from '../../server/src/protocol';

/** Id of the client: the LanguageClient reads `kbnav.trace.server` from it. */
export const clientId = 'kbnav';

export type ServerState = 'starting' | 'running' | 'stopped';

/** How many crashes in `crashWindowMs` are restarted before the client gives up and asks the user. */
const maxCrashes = 5;
const crashWindowMs = 3 * 60_000;

export class KbnavClient implements vscode.Disposable {
  readonly output: vscode.LogOutputChannel;
  private client: LanguageClient | undefined;
  /** Serializes start/restart/stop so that a restart never races a start. */
  private lifecycle: Promise<unknown> = Promise.resolve();
  private crashes: number[] = [];
  private lastIndex: IndexChangedNotification.Params | undefined;
  private currentState: ServerState = 'stopped';
  private readonly disposables: vscode.Disposable[] = [];

  private readonly indexChanged = new vscode.EventEmitter<IndexChangedNotification.Params>();
  /** The server's index changed (or finished indexing). */
  readonly onIndexChanged = this.indexChanged.event;
  private readonly stateChanged = new vscode.EventEmitter<ServerState>();
  readonly onStateChanged = this.stateChanged.event;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.output = vscode.window.createOutputChannel('KB Navigator', { log: true });
    this.disposables.push(this.output, this.indexChanged, this.stateChanged);
  }

  get state(): ServerState {
    return this.currentState;
  }

  /** The last index summary the server sent, if any since the (re)start. */
  get index(): IndexChangedNotification.Params | undefined {
    return this.lastIndex;
  }

  /** Converts LSP values (workspace edits, ranges) into VS Code's. */
  get converter() {
    if (!this.client) throw new Error('the language client has not been created');
    return this.client.protocol2CodeConverter;
  }

  start(): Promise<void> {
    return this.serialize(async () => {
      if (!this.client) await this.create();
    });
  }

  /**
   * Stops the server and starts a new client: after the workspace becomes trusted, on `kbnav.restartServer`, or
   * after the client gave up on a crashing server. A fresh LanguageClient also recovers from a failed start, which
   * LanguageClient.restart() cannot.
   */
  restart(): Promise<void> {
    return this.serialize(async () => {
      await this.disposeClient();
      this.crashes = [];
      await this.create();
    });
  }

  /**
   * Sends a custom request once the server is running. Rejects if the server is not running after a start attempt.
   */
  async sendRequest<R>(method: string, params: unknown, token?: vscode.CancellationToken): Promise<R> {
    await this.lifecycle;
    const client = this.client;
    if (!client || client.state === State.Stopped) throw new Error(vscode.l10n.t('The KB Navigator server is not running.'));
    // While (re)starting, start() returns the pending start.
    if (client.state === State.Starting) await client.start();
    // An undefined token must not be passed: vscode-jsonrpc would send it as a second parameter.
    return token ? client.sendRequest<R>(method, params, token) : client.sendRequest<R>(method, params);
  }

  async dispose(): Promise<void> {
    await this.serialize(() => this.disposeClient());
    this.disposables.forEach((d) => d.dispose());
  }

  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const next = this.lifecycle.then(step, step);
    this.lifecycle = next.catch(() => undefined);
    return next;
  }

  private setState(state: ServerState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.stateChanged.fire(state);
  }

  private async create(): Promise<void> {
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6010'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'markdown' }],
      synchronize: { configurationSection: 'kbnav' },
      // The server skips what needs trust (see capabilities.untrustedWorkspaces); trust is granted by a restart.
      // storagePath: the facts cache lives in VS Code's workspace storage, so a restart does not parse every page again.
      initializationOptions: { trusted: vscode.workspace.isTrusted, storagePath: this.context.storageUri?.fsPath },
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      errorHandler: this.errorHandler(),
    };
    const client = new LanguageClient(clientId, 'KB Navigator', serverOptions, clientOptions);
    this.client = client;
    this.lastIndex = undefined;
    client.onNotification(IndexChangedNotification.method, (params: IndexChangedNotification.Params) => {
      this.lastIndex = params;
      this.indexChanged.fire(params);
    });
    client.onDidChangeState(({ newState }) => {
      if (client !== this.client) return;
      this.setState(newState === State.Running ? 'running' : newState === State.Starting ? 'starting' : 'stopped');
    });
    this.setState('starting');
    try {
      await client.start();
    } catch (err) {
      this.output.error(`${vscode.l10n.t('The KB Navigator server could not start.')} ${err instanceof Error ? err.message : String(err)}`);
      this.setState('stopped');
      this.offerRestart(vscode.l10n.t('The KB Navigator server could not start.'));
    }
  }

  private async disposeClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.lastIndex = undefined;
    if (!client) return;
    try {
      // dispose() stops a running server (with a 2 s grace) and frees the client's diagnostics and providers.
      await client.dispose(2000);
    } catch (err) {
      this.output.warn(`stopping the server: ${err instanceof Error ? err.message : String(err)}`);
    }
    this.setState('stopped');
  }

  /** Restarts a server that died, unless it keeps dying; then it stops and offers a manual restart. */
  private errorHandler(): ErrorHandler {
    return {
      error: (_error, _message, count): ErrorHandlerResult =>
        (count ?? 0) <= 3 ? { action: ErrorAction.Continue } : { action: ErrorAction.Shutdown },
      closed: (): CloseHandlerResult => {
        const now = Date.now();
        this.crashes = [...this.crashes.filter((t) => now - t < crashWindowMs), now];
        if (this.crashes.length <= maxCrashes) {
          this.output.warn(vscode.l10n.t('The KB Navigator server stopped unexpectedly; restarting it.'));
          return { action: CloseAction.Restart, handled: true };
        }
        const message = vscode.l10n.t('The KB Navigator server stopped {0} times in 3 minutes and will not be restarted.', this.crashes.length);
        this.offerRestart(message);
        return { action: CloseAction.DoNotRestart, message, handled: true };
      },
    };
  }

  private offerRestart(message: string): void {
    const restart = vscode.l10n.t('Restart');
    const output = vscode.l10n.t('Show Output');
    // Not awaited: a notification stays until the user answers it.
    void vscode.window.showErrorMessage(message, restart, output).then((choice) => {
      if (choice === restart) void this.restart();
      else if (choice === output) this.output.show();
    });
  }
}
