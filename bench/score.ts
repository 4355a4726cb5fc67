/**
 * Precision and recall of a tool against the planted problems. A finding matches a planted problem when
 * it is in the same file, on its line (or on an alternative line: a reference definition) and of a kind
 * that covers the planted code. Each tool's codes are mapped to ours: VS Code's `link.no-such-file` and
 * remark's `missing-file` say "this path leads nowhere", which is how a checker on a case-sensitive
 * file system sees a backslash, a root-based path, a wrong case or Unicode form, an absolute path or a
 * path outside the workspace: it is counted as detecting any of those. A tool that has no kind for a
 * code (navigation chains, orphans) misses it.
 */
import { plantedCodes, type GroundTruth, type PlantedCode, type PlantedProblem } from './generate';

export interface Finding {
  file: string;
  line: number;
  code: string;
  message: string;
}

export type ToolFamily = 'kbnav' | 'vscode' | 'remark';

/** Problems that make a path lead nowhere on a case-sensitive file system (Linux, GitHub). */
export const brokenPathCodes: readonly PlantedCode[] = ['missing-file', 'backslash-path', 'root-relative-path', 'case-mismatch', 'unicode-mismatch', 'absolute-path', 'outside-workspace'];

/** Codes of other tools that are not about links that break (unused definitions): neither right nor wrong here. */
const outOfScope = new Set(['link.unused-definition', 'link.duplicate-definition']);

/** The planted codes a finding of `tool` with `code` may stand for; undefined when it is out of scope. */
export function kindsOf(tool: ToolFamily, code: string): readonly PlantedCode[] | undefined {
  if (tool === 'kbnav') return (plantedCodes as readonly string[]).includes(code) ? [code as PlantedCode] : [];
  if (outOfScope.has(code)) return undefined;
  switch (code) {
    case 'link.no-such-file':
    case 'missing-file':
      return brokenPathCodes;
    case 'link.no-such-header-in-file':
    case 'link.no-such-header-in-own-file':
    case 'missing-heading':
    case 'missing-heading-in-file':
      return ['missing-fragment'];
    case 'link.no-such-reference':
      return ['undefined-reference'];
    default:
      return [];
  }
}

export interface Score {
  findings: number;
  truePositives: number;
  falsePositives: Finding[];
  /** Further findings of an already matched problem (a reference reported at its use and its definition). */
  duplicates: number;
  outOfScope: number;
  missed: PlantedProblem[];
  precision: number;
  recall: number;
  perCode: Record<PlantedCode, { planted: number; found: number }>;
}

export function score(truth: GroundTruth, findings: readonly Finding[], tool: ToolFamily): Score {
  const byPlace = new Map<string, PlantedProblem[]>();
  const place = (file: string, line: number) => `${file}\n${line}`;
  for (const problem of truth.problems) {
    for (const line of [problem.line, ...(problem.alt ?? [])]) {
      const key = place(problem.file, line);
      byPlace.set(key, [...(byPlace.get(key) ?? []), problem]);
    }
  }
  const matched = new Set<PlantedProblem>();
  const falsePositives: Finding[] = [];
  let duplicates = 0;
  let outOfScopeCount = 0;
  let truePositives = 0;
  // Exact codes first, so that a broad finding does not take a problem an exact one names.
  const ordered = [...findings].sort((a, b) => (kindsOf(tool, a.code)?.length ?? 99) - (kindsOf(tool, b.code)?.length ?? 99));
  for (const finding of ordered) {
    const kinds = kindsOf(tool, finding.code);
    if (!kinds) {
      outOfScopeCount++;
      continue;
    }
    const here = (byPlace.get(place(finding.file, finding.line)) ?? []).filter((p) => kinds.includes(p.code));
    const open = here.find((p) => !matched.has(p));
    if (open) {
      matched.add(open);
      truePositives++;
    } else if (here.length) duplicates++;
    else falsePositives.push(finding);
  }
  const perCode = Object.fromEntries(plantedCodes.map((c) => [c, { planted: 0, found: 0 }])) as Score['perCode'];
  for (const problem of truth.problems) {
    perCode[problem.code].planted++;
    if (matched.has(problem)) perCode[problem.code].found++;
  }
  const judged = truePositives + falsePositives.length;
  return {
    findings: findings.length,
    truePositives,
    falsePositives,
    duplicates,
    outOfScope: outOfScopeCount,
    missed: truth.problems.filter((p) => !matched.has(p)),
    precision: judged ? truePositives / judged : 1,
    recall: truth.problems.length ? matched.size / truth.problems.length : 1,
    perCode,
  };
}

const quoted = /“([^”]*)”|'([^']*)'|`([^`]*)`|(\/\S+)/g;

/**
 * False positives grouped by code and message shape (quoted parts elided), largest group first, with
 * the quoted parts (link destinations, references) that come up most.
 */
export function groupFalsePositives(falsePositives: readonly Finding[]): { key: string; count: number; examples: Finding[]; quoted: [string, number][] }[] {
  const groups = new Map<string, Finding[]>();
  for (const f of falsePositives) {
    const key = `${f.code}: ${f.message.replace(quoted, '…').slice(0, 90)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  return [...groups]
    .map(([key, list]) => {
      const counts = new Map<string, number>();
      for (const f of list) {
        const first = [...f.message.matchAll(quoted)][0];
        const text = first ? (first[1] ?? first[2] ?? first[3] ?? first[4]) : '';
        if (text) counts.set(text, (counts.get(text) ?? 0) + 1);
      }
      return { key, count: list.length, examples: list.slice(0, 3), quoted: [...counts].sort((a, b) => b[1] - a[1]).slice(0, 4) };
    })
    .sort((a, b) => b.count - a.count);
}
