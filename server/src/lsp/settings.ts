/**
 * `kbnav.*` settings, read per workspace folder with `workspace/configuration` with the folder's
 * `.kbnav.json` over them, validated by the engine, cached until the client says they changed or the
 * file changes, and applied without a restart: a folder whose settings differ from those of its index
 * is indexed again.
 */
import type { DidChangeConfigurationParams } from 'vscode-languageserver/node';
import type { EngineSettings } from '../engine/config';
import { settingsOf } from '../engine/settingsFile';
import type { ServerContext } from './context';
import type { KbFolder } from './folders';
import { describe, guardNotification } from './guard';

/** The section of the settings the server reads. */
export const settingsSection = 'kbnav';

export class SettingsCache {
  private readonly cache = new Map<string, Promise<EngineSettings>>();
  /** Settings pushed with `workspace/didChangeConfiguration`, for clients that cannot be asked. */
  private pushed: unknown;
  private readonly reported = new Set<string>();
  /** Applies settings one change at a time, so that two quick changes cannot index in the wrong order. */
  private applying: Promise<void> = Promise.resolve();

  constructor(private readonly ctx: ServerContext) {}

  /** The validated settings of a folder (cached). */
  get(folder: KbFolder): Promise<EngineSettings> {
    let settings = this.cache.get(folder.uri);
    if (!settings) {
      settings = this.read(folder);
      this.cache.set(folder.uri, settings);
    }
    return settings;
  }

  private async read(folder: KbFolder): Promise<EngineSettings> {
    let raw: unknown;
    try {
      raw = this.ctx.client.configuration
        ? await this.ctx.connection.workspace.getConfiguration({ scopeUri: folder.uri, section: settingsSection })
        : (this.pushed as Record<string, unknown> | undefined)?.[settingsSection];
    } catch (error) {
      this.ctx.log.warn(`${folder.name}: could not read the ${settingsSection} settings, using the defaults: ${describe(error)}`);
    }
    const { settings, problems } = settingsOf(folder.root, this.ctx.locale, withoutNulls(raw));
    const fresh = problems.filter((p) => !this.reported.has(`${folder.uri} ${p}`));
    if (fresh.length) {
      fresh.forEach((p) => this.reported.add(`${folder.uri} ${p}`));
      const message = `KB Navigator: ${settingsSection} settings of ${folder.name}: ${fresh.join('; ')}`;
      this.ctx.log.warn(message);
      this.ctx.connection.window.showWarningMessage(message);
    }
    return settings;
  }

  /** Forgets the cached value of one folder (its `.kbnav.json` changed). */
  forget(folder: KbFolder): void {
    this.cache.delete(folder.uri);
  }

  /** Forgets every cached value (the client said the settings changed). */
  clear(pushed?: unknown): void {
    this.cache.clear();
    if (pushed !== undefined) this.pushed = pushed;
  }

  /**
   * Reads the settings of `folders` and indexes those whose settings differ from what their newest
   * index was asked for (all of them with `force`).
   */
  apply(folders: readonly KbFolder[], force = false): Promise<void> {
    const step = async () => {
      for (const folder of folders) {
        const settings = await this.get(folder);
        if (force || !folder.requested || !sameSettings(folder.requested, settings)) void folder.reindex(settings);
      }
    };
    this.applying = this.applying.then(step, step);
    return this.applying;
  }
}

/** Settings the client leaves unset come as `null`: they mean "the default". */
function withoutNulls(raw: unknown): unknown {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return raw ?? undefined;
  return Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== null && v !== undefined));
}

export function sameSettings(a: EngineSettings, b: EngineSettings): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Re-reads the settings when the client says they changed, and re-indexes the folders they change. */
export function registerSettings(ctx: ServerContext, settings: SettingsCache): void {
  ctx.connection.onDidChangeConfiguration(
    guardNotification(ctx.log, 'didChangeConfiguration', async (params: DidChangeConfigurationParams) => {
      settings.clear(params.settings);
      await settings.apply(ctx.folders.all());
    }),
  );
}
