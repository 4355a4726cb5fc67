/**
 * Diagnostics of every page of every folder, opened or not, pushed with `publishDiagnostics`: all of
 * them when an index is built, then those of the pages each commit affects (deleted pages are
 * cleared). Each diagnostic's `data` carries its fixes with URIs, so that a code action is a pure
 * function of the diagnostic.
 *
 * Before the first index of a folder is built, the open pages get preliminary diagnostics from a
 * preview (engine/preliminary.ts): only those the index will report the same way, without fixes.
 */
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { KnowledgeBase } from '../engine/knowledgeBase';
import { preliminaryDiagnostics } from '../engine/preliminary';
import { Code, type KbDiagnostic } from '../engine/types';
import type { ServerContext } from './context';
import { toUriFix, type UriFix } from './edits';
import type { KbFolder } from './folders';

export const diagnosticSource = 'kbnav';

/** What `Diagnostic.data` holds. */
export interface DiagnosticData {
  fixes: UriFix[];
  /**
   * The hash of each edited file's text the fixes were computed on (by URI). An action whose file
   * changed since is not offered: its ranges would be stale.
   */
  hashes: Record<string, string>;
}

const severities = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
} as const;

/** Link problems a reader cannot follow; counted as broken links when they are errors. */
const linkCodes = new Set<Code>([
  Code.MissingFile,
  Code.MissingFragment,
  Code.BackslashPath,
  Code.RootRelativePath,
  Code.CaseMismatch,
  Code.UnicodeMismatch,
  Code.AbsolutePath,
  Code.OutsideWorkspace,
  Code.UndefinedReference,
]);

export function toLspDiagnostic(folder: KbFolder, d: KbDiagnostic): Diagnostic {
  const hashes: Record<string, string> = {};
  for (const fix of d.fixes) {
    for (const edit of fix.edits) {
      const hash = folder.kb.page(edit.path)?.facts.hash;
      if (hash) hashes[folder.uriOf(edit.path)] = hash;
    }
  }
  const data: DiagnosticData = { fixes: d.fixes.map((f) => toUriFix(folder, f)), hashes };
  return {
    range: d.range,
    severity: severities[d.severity],
    code: d.code,
    source: diagnosticSource,
    message: d.message,
    ...(d.related?.length ? { relatedInformation: d.related.map((r) => ({ location: { uri: folder.uriOf(r.path), range: r.range }, message: r.message })) } : {}),
    data,
  };
}

export interface Totals {
  error: number;
  warning: number;
  information: number;
  hint: number;
  brokenLinks: number;
}

const emptyTotals = (): Totals => ({ error: 0, warning: 0, information: 0, hint: 0, brokenLinks: 0 });

function totalsOf(list: readonly KbDiagnostic[]): Totals {
  const totals = emptyTotals();
  for (const d of list) {
    totals[d.severity]++;
    if (d.severity === 'error' && linkCodes.has(d.code)) totals.brokenLinks++;
  }
  return totals;
}

export class DiagnosticsPublisher {
  /** Per folder: the pages whose last published list was not empty, with their counts. */
  private readonly published = new Map<KbFolder, Map<string, Totals>>();
  /**
   * Per folder: the pages whose last preliminary list was not empty, until the index publishes. Not
   * counted in the totals (the index-changed notification counts what an index found).
   */
  private readonly preliminary = new Map<KbFolder, Set<string>>();

  constructor(private readonly ctx: ServerContext) {}

  /** Publishes every page of a freshly built index, and clears pages that had problems and are gone or clean. */
  publishAll(folder: KbFolder): void {
    const before = this.published.get(folder) ?? new Map<string, Totals>();
    const now = new Map<string, Totals>();
    this.published.set(folder, now);
    for (const path of folder.kb.pagePaths().sort()) {
      const list = folder.kb.diagnostics(path);
      if (!list.length) continue;
      now.set(path, totalsOf(list));
      this.send(folder, path, list);
    }
    for (const path of before.keys()) if (!now.has(path)) this.send(folder, path, []);
    // Cleared, should the index not report them: a preliminary list is a part of the final one, but
    // this index may have been cancelled for another with other settings, or may have failed.
    for (const path of this.preliminary.get(folder) ?? []) if (!now.has(path) && !before.has(path)) this.send(folder, path, []);
    this.preliminary.delete(folder);
  }

  /** Publishes the preliminary diagnostics of pages of a preview (open pages, before the first index is built). */
  publishPreliminary(folder: KbFolder, kb: KnowledgeBase, paths: Iterable<string>): void {
    let sent = this.preliminary.get(folder);
    if (!sent) this.preliminary.set(folder, (sent = new Set()));
    for (const path of paths) {
      const list = preliminaryDiagnostics(kb, path);
      if (!list.length && !sent.has(path)) continue;
      if (list.length) sent.add(path);
      else sent.delete(path);
      this.send(folder, path, list);
    }
  }

  /** Publishes the pages a commit affected (a deleted page gets an empty list). */
  publishPages(folder: KbFolder, paths: Iterable<string>): void {
    let map = this.published.get(folder);
    if (!map) this.published.set(folder, (map = new Map()));
    for (const path of paths) {
      const list = folder.kb.isPage(path) ? folder.kb.diagnostics(path) : [];
      if (!list.length && !map.has(path)) continue;
      if (list.length) map.set(path, totalsOf(list));
      else map.delete(path);
      this.send(folder, path, list);
    }
  }

  /** Clears every page of a folder that leaves the workspace. */
  clearFolder(folder: KbFolder): void {
    const paths = new Set([...(this.published.get(folder)?.keys() ?? []), ...(this.preliminary.get(folder) ?? [])]);
    for (const path of paths) this.ctx.connection.sendDiagnostics({ uri: folder.uriOf(path), diagnostics: [] });
    this.published.delete(folder);
    this.preliminary.delete(folder);
  }

  /** Problems of every published page, for the index-changed notification. */
  totals(folders: readonly KbFolder[]): Totals {
    const sum = emptyTotals();
    for (const folder of folders) {
      for (const t of this.published.get(folder)?.values() ?? []) {
        sum.error += t.error;
        sum.warning += t.warning;
        sum.information += t.information;
        sum.hint += t.hint;
        sum.brokenLinks += t.brokenLinks;
      }
    }
    return sum;
  }

  private send(folder: KbFolder, path: string, list: readonly KbDiagnostic[]): void {
    const uri = folder.uriOf(path);
    const diagnostics = list.map((d) => toLspDiagnostic(folder, d));
    void this.ctx.connection.sendDiagnostics({ uri, diagnostics });
  }
}

/** Publishes diagnostics whenever an index is built or a commit affects pages. */
export function registerDiagnostics(ctx: ServerContext, publisher: DiagnosticsPublisher): void {
  ctx.folders.indexed.on((folder) => publisher.publishAll(folder));
  ctx.folders.committed.on((folder, affected) => publisher.publishPages(folder, affected));
  ctx.folders.previewed.on((folder, kb, paths) => publisher.publishPreliminary(folder, kb, paths));
}
