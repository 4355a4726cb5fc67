import { defaultMarkers, type NavMarkers } from './navigation';
import { Code, type Locale, type NavDirection, type Severity } from './types';

/** Settings of the engine; the same shape as the `kbnav.*` settings. */
export interface EngineSettings {
  markers: NavMarkers;
  /** Pages from which every page should be reachable, relative to the root. The first that exists is the main entry. */
  entryPages: string[];
  /** Globs (relative to the root) of files and folders that are not part of the knowledge base. */
  ignore: string[];
  severity: Record<Code, Severity>;
  locale: Locale;
}

export const defaultSeverity: Record<Code, Severity> = {
  [Code.MissingFile]: 'error',
  [Code.MissingFragment]: 'warning',
  [Code.BackslashPath]: 'error',
  [Code.RootRelativePath]: 'error',
  [Code.CaseMismatch]: 'error',
  [Code.UnicodeMismatch]: 'error',
  [Code.AbsolutePath]: 'error',
  [Code.OutsideWorkspace]: 'error',
  [Code.SelfLink]: 'warning',
  [Code.LabelMismatch]: 'warning',
  [Code.NavNotReciprocal]: 'warning',
  [Code.OrphanPage]: 'warning',
  [Code.UndefinedReference]: 'warning',
};

export const defaultIgnore = ['**/node_modules/**', '**/.git/**', '**/.*/**'];

export function defaultSettings(locale: Locale = 'en'): EngineSettings {
  return {
    markers: structuredClone(defaultMarkers),
    entryPages: ['README.md', 'index.md'],
    ignore: [...defaultIgnore],
    severity: { ...defaultSeverity },
    locale,
  };
}

const severities: readonly Severity[] = ['error', 'warning', 'information', 'hint', 'off'];
const directions: readonly NavDirection[] = ['back', 'forward', 'up', 'down', 'related'];

/**
 * Reads settings from untrusted input (a settings file, the client): keeps what is valid,
 * falls back to defaults for the rest, and returns a message for each value it dropped.
 */
export function validateSettings(input: unknown, locale: Locale = 'en'): { settings: EngineSettings; problems: string[] } {
  const settings = defaultSettings(locale);
  const problems: string[] = [];
  if (input === undefined || input === null) return { settings, problems };
  if (typeof input !== 'object') return { settings, problems: ['settings: expected an object'] };
  const raw = input as Record<string, unknown>;
  const stringList = (key: string, value: unknown): string[] | undefined => {
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    problems.push(`${key}: expected a list of strings`);
    return undefined;
  };
  if (raw.markers !== undefined) {
    if (typeof raw.markers === 'object' && raw.markers) {
      for (const [direction, list] of Object.entries(raw.markers)) {
        if (!directions.includes(direction as NavDirection)) problems.push(`markers.${direction}: unknown direction`);
        else {
          const value = stringList(`markers.${direction}`, list);
          if (value) settings.markers[direction as NavDirection] = value.filter((m) => m.trim() !== '');
        }
      }
    } else problems.push('markers: expected an object');
  }
  const entryPages = stringList('entryPages', raw.entryPages);
  if (entryPages) settings.entryPages = entryPages.map((p) => p.replace(/\\/g, '/').replace(/^\/+/, ''));
  const ignore = stringList('ignore', raw.ignore);
  if (ignore) settings.ignore = [...defaultIgnore, ...ignore];
  if (raw.severity !== undefined) {
    if (typeof raw.severity === 'object' && raw.severity) {
      for (const [code, value] of Object.entries(raw.severity)) {
        if (!Object.values(Code).includes(code as Code)) problems.push(`severity.${code}: unknown code`);
        else if (!severities.includes(value as Severity)) problems.push(`severity.${code}: expected one of ${severities.join(', ')}`);
        else settings.severity[code as Code] = value as Severity;
      }
    } else problems.push('severity: expected an object');
  }
  if (raw.locale === 'es' || raw.locale === 'en') settings.locale = raw.locale;
  return { settings, problems };
}
