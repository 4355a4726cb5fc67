import type { Inputs } from './knowledgeBase';
import type { PathShape, Resolution } from './resolve';

/**
 * The resolutions of a run's links, kept with its results: a run after a few changes indexes the run
 * before again (`KnowledgeBase.replay`) and takes them from here instead of resolving every link
 * again (a third of such a run at 10,000 notes). They are a function of the files of then, which is
 * what the replay indexes; `KnowledgeBase` still checks that each list fits its page and that the
 * targets exist.
 *
 * A table of the distinct resolutions and, per input, the table index of each of its links'. A link
 * written right to a file has the one resolution of its target and fragment (shared, see `foundAt`
 * in resolve.ts): `[input index]` or `[input index, fragment]` in the table; any other resolution as
 * it is.
 */
export interface StoredResolutions {
  table: unknown[];
  /** Per input: the table index of each link's resolution, or 0 for a file that is not a page. */
  pages: (number[] | 0)[];
}

export function storeResolutions(inputs: Inputs, resolutionsOf: (path: string) => readonly Resolution[] | undefined): StoredResolutions {
  const inputIndex = new Map<string, number>();
  inputs.forEach(([path], i) => inputIndex.set(path, i));
  const table: unknown[] = [];
  const ids = new Map<Resolution, number>();
  const idOf = (r: Resolution): number => {
    let id = ids.get(r);
    if (id === undefined) {
      const target = r.kind === 'found' && !r.isDirectory && isPlain(r.shape) ? inputIndex.get(r.target) : undefined;
      table.push(r.kind !== 'found' || target === undefined ? r : r.fragment === undefined ? [target] : [target, r.fragment]);
      ids.set(r, (id = table.length - 1));
    }
    return id;
  };
  return { table, pages: inputs.map(([path]) => resolutionsOf(path)?.map(idOf) ?? 0) };
}

/** The resolutions of every page, by path; undefined when `stored` is not what `storeResolutions` wrote for `inputs`. */
export function readResolutions(stored: unknown, inputs: Inputs): Map<string, Resolution[]> | undefined {
  const { table, pages } = (stored ?? {}) as Partial<StoredResolutions>;
  if (!Array.isArray(table) || !Array.isArray(pages) || pages.length !== inputs.length) return undefined;
  const resolutions: Resolution[] = [];
  for (const entry of table) {
    const resolution = Array.isArray(entry) ? plainFound(entry, inputs) : isResolution(entry) ? entry : undefined;
    if (!resolution) return undefined;
    resolutions.push(resolution);
  }
  const byPath = new Map<string, Resolution[]>();
  for (let i = 0; i < pages.length; i++) {
    const ids = pages[i];
    if (ids === 0) continue;
    if (!Array.isArray(ids)) return undefined;
    const list: Resolution[] = new Array(ids.length);
    for (let j = 0; j < ids.length; j++) {
      const resolution = resolutions[ids[j]];
      if (!resolution) return undefined;
      list[j] = resolution;
    }
    byPath.set(inputs[i][0], list);
  }
  return byPath;
}

const isPlain = (shape: PathShape) => !shape.backslash && !shape.fromRoot && shape.differences.length === 0;
const plainShape: PathShape = { backslash: false, fromRoot: false, differences: [] };

function plainFound([target, fragment, ...rest]: unknown[], inputs: Inputs): Resolution | undefined {
  if (!Number.isInteger(target) || !inputs[target as number] || (fragment !== undefined && typeof fragment !== 'string') || rest.length) return undefined;
  return { kind: 'found', target: inputs[target as number][0], isDirectory: false, fragment, shape: plainShape };
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isOptionalString = (value: unknown) => value === undefined || isString(value);

function isShape(value: unknown): value is PathShape {
  const shape = value as PathShape;
  return (
    typeof shape === 'object' &&
    shape !== null &&
    typeof shape.backslash === 'boolean' &&
    typeof shape.fromRoot === 'boolean' &&
    Array.isArray(shape.differences) &&
    shape.differences.every((d) => isString(d?.written) && isString(d.onDisk) && typeof d.caseDiffers === 'boolean' && typeof d.unicodeDiffers === 'boolean')
  );
}

/** Whether a value read back from JSON is a resolution of any kind, with the fields of that kind. */
function isResolution(value: unknown): value is Resolution {
  const r = value as Record<string, unknown> | null;
  if (typeof r !== 'object' || r === null) return false;
  switch (r.kind) {
    case 'external':
      return true;
    case 'self':
      return isOptionalString(r.fragment);
    case 'found':
      return isString(r.target) && typeof r.isDirectory === 'boolean' && isOptionalString(r.fragment) && isShape(r.shape);
    case 'missing':
      return isString(r.path) && isOptionalString(r.fragment) && isShape(r.shape) && typeof r.rootBased === 'boolean';
    case 'outside':
      return isString(r.written);
    case 'absolute':
      return isString(r.written) && Array.isArray(r.segments) && r.segments.every(isString) && isOptionalString(r.fragment);
    default:
      return false;
  }
}
