// Runs mocha programmatically with the spec reporter and reports the counts; shared by the integration suite
// (inside the extension host) and the UI runner (plain Node).
import Mocha from 'mocha';

export interface MochaSummary {
  passed: number;
  failed: number;
  skipped: number;
}

/** The closing line CI reads: "N passed, N failed" (", N skipped" only when there are some). */
export function summaryLine(s: MochaSummary): string {
  return `${s.passed} passed, ${s.failed} failed${s.skipped ? `, ${s.skipped} skipped` : ''}`;
}

/** Runs `files` (CommonJS test files using describe/it) and resolves with the counts; never rejects on test failures. */
export function runMocha(files: string[], options: Mocha.MochaOptions = {}): Promise<MochaSummary> {
  // color: false because the output is relayed through a browser console or a pipe, not a terminal.
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000, ...options });
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const stats = runner.stats ?? { passes: 0, failures: 0, pending: 0 };
        resolve({ passed: stats.passes, failed: stats.failures, skipped: stats.pending });
      });
    } catch (err) {
      reject(err); // a test file that throws while loading
    }
  });
}
