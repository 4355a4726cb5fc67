/**
 * `kbnav/indexChanged`: a summary of the whole workspace (pages, problems by severity, broken links)
 * sent when an index starts and ends and after each commit. Several changes in one turn of the event
 * loop make one notification (coalesced, not delayed: it goes out right after the diagnostics).
 */
import { IndexChangedNotification } from '../protocol';
import type { ServerContext } from './context';
import type { DiagnosticsPublisher } from './diagnostics';

export class IndexChangedNotifier {
  private scheduled = false;

  constructor(
    private readonly ctx: ServerContext,
    private readonly diagnostics: DiagnosticsPublisher,
  ) {}

  schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      try {
        void this.ctx.connection.sendNotification(IndexChangedNotification.method, this.summary());
      } catch (error) {
        this.ctx.log.error(`indexChanged failed: ${(error as Error).message}`);
      }
    });
  }

  summary(): IndexChangedNotification.Params {
    const folders = this.ctx.folders.all();
    const totals = this.diagnostics.totals(folders);
    return {
      state: folders.every((f) => f.ready) ? 'ready' : 'indexing',
      pages: folders.reduce((n, f) => n + f.kb.pagePaths().length, 0),
      problems: { error: totals.error, warning: totals.warning, information: totals.information, hint: totals.hint },
      brokenLinks: totals.brokenLinks,
    };
  }
}

export function registerIndexChanged(ctx: ServerContext, notifier: IndexChangedNotifier): void {
  ctx.folders.indexingStarted.on(() => notifier.schedule());
  ctx.folders.indexed.on(() => notifier.schedule());
  ctx.folders.committed.on(() => notifier.schedule());
}
