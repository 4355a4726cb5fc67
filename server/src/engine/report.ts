import type { CheckResult } from './checkWorkspace';
import { allCodes } from './types';
import { defaultSeverity } from './config';
import { localize } from './messages';
import type { KbDiagnostic, Locale, Range } from './types';

/** 1-based line and column fields, as editors and CI annotations count. */
function oneBased(range: Range) {
  return { line: range.start.line + 1, column: range.start.character + 1, endLine: range.end.line + 1, endColumn: range.end.character + 1 };
}

function flat(result: CheckResult): KbDiagnostic[] {
  return [...result.diagnostics.values()].flat();
}

/** `path:line:col severity code message`, one per line, then a summary: clickable in VS Code's terminal. */
export function formatText(result: CheckResult, locale: Locale, color = false): string {
  const paint = (code: number, text: string) => (color ? `\x1b[${code}m${text}\x1b[0m` : text);
  const severityColor = { error: 31, warning: 33, information: 36, hint: 90 } as const;
  const lines = flat(result).map((d) => {
    const p = oneBased(d.range);
    return `${d.path}:${p.line}:${p.column} ${paint(severityColor[d.severity], d.severity)} ${d.code} ${d.message}`;
  });
  const all = flat(result);
  const count = (s: string) => all.filter((d) => d.severity === s).length;
  const errors = count('error');
  const warnings = count('warning');
  lines.push(localize(locale, 'cliSummary', all.length, result.filesChecked, errors, warnings, all.length - errors - warnings));
  return lines.join('\n') + '\n';
}

/** The documented JSON shape: paths relative to the root, positions 1-based. */
export function formatJson(result: CheckResult): string {
  const diagnostics = flat(result).map((d) => ({
    file: d.path,
    ...oneBased(d.range),
    severity: d.severity,
    code: d.code,
    message: d.message,
    fixes: d.fixes.map((f) => ({
      title: f.title,
      safe: f.safe,
      edits: [
        ...f.edits.map((e) => ({ file: e.path, ...oneBased(e.range), newText: e.newText })),
        // A page to create is an insertion into a new, empty file.
        ...(f.fileOperations ?? []).flatMap((op) => (op.kind === 'create' ? [{ file: op.path, line: 1, column: 1, endLine: 1, endColumn: 1, newText: op.content }] : [])),
      ],
    })),
  }));
  return JSON.stringify({ root: result.root, filesChecked: result.filesChecked, diagnostics }, null, 2);
}

const sarifLevel = { error: 'error', warning: 'warning', information: 'note', hint: 'note', off: 'none' } as const;

/** SARIF 2.1.0, as GitHub code scanning accepts it (`github/codeql-action/upload-sarif`). */
export function formatSarif(result: CheckResult, locale: Locale): string {
  const region = (range: Range) => {
    const p = oneBased(range);
    return { startLine: p.line, startColumn: p.column, endLine: p.endLine, endColumn: p.endColumn };
  };
  const location = (path: string) => ({ uri: encodeURI(path), uriBaseId: '%SRCROOT%' });
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kbnav',
            fullName: 'KB Navigator',
            semanticVersion: '0.1.0',
            rules: allCodes.map((code) => ({
              id: code,
              name: code.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase()),
              shortDescription: { text: code },
              defaultConfiguration: { level: sarifLevel[defaultSeverity[code]] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: `file://${encodeURI(result.root.replace(/\\/g, '/').replace(/\/?$/, '/'))}` } },
        results: flat(result).map((d) => ({
          ruleId: d.code,
          ruleIndex: allCodes.indexOf(d.code),
          level: sarifLevel[d.severity],
          message: { text: d.message },
          locations: [{ physicalLocation: { artifactLocation: location(d.path), region: region(d.range) } }],
          ...(d.fixes.some((f) => f.edits.length)
            ? {
                fixes: d.fixes
                  .filter((f) => f.edits.length)
                  .map((f) => ({
                    description: { text: f.title },
                    artifactChanges: [...new Set(f.edits.map((e) => e.path))].map((path) => ({
                      artifactLocation: location(path),
                      replacements: f.edits.filter((e) => e.path === path).map((e) => ({ deletedRegion: region(e.range), insertedContent: { text: e.newText } })),
                    })),
                  })),
              }
            : {}),
        })),
        columnKind: 'utf16CodeUnits',
        properties: { locale },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2);
}
