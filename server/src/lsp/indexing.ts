/**
 * Progress of an index in the editor (`window/workDoneProgress`): created by the server, then begin,
 * reports (at most ten a second) and end. A client that does not answer the create request in time
 * gets no progress; the index does not wait for it.
 */
import type { Connection, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import type { Locale } from '../engine/types';
import type { IndexProgress, KbFolder } from './folders';
import { localize } from '../engine/messages';

const createTimeoutMs = 2000;

export async function startIndexProgress(connection: Connection, locale: Locale, folder: KbFolder): Promise<IndexProgress> {
  let timer: NodeJS.Timeout | undefined;
  const reporter = await Promise.race<WorkDoneProgressServerReporter | undefined>([
    connection.window.createWorkDoneProgress().catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(() => resolve(undefined), createTimeoutMs))),
  ]);
  clearTimeout(timer);
  reporter?.begin(localize(locale, 'indexingTitle'), 0, folder.name, false);
  let lastTime = 0;
  let lastPercentage = -1;
  return {
    report(done, total) {
      if (!reporter) return;
      const percentage = total ? Math.floor((done * 100) / total) : 100;
      const now = Date.now();
      if (percentage === lastPercentage || (now - lastTime < 100 && done < total && lastPercentage >= 0)) return;
      lastTime = now;
      lastPercentage = percentage;
      reporter.report(percentage, localize(locale, 'indexingProgress', done, total));
    },
    done() {
      reporter?.done();
    },
  };
}
