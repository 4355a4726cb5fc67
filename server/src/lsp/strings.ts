/**
 * The server's own user-facing texts (progress, menu entries, tree labels), in English and Spanish.
 * The engine's texts (diagnostics, fix titles) are in engine/messages.ts. Log lines stay in English.
 */
import type { Locale } from '../engine/types';

const en = {
  indexingTitle: 'KB Navigator: indexing notes',
  indexingProgress: '{0} of {1} pages',
  fixAllInPage: 'Fix all safe problems in this page ({0})',
  fixAllOnSave: 'Fix the safe link problems of this page ({0})',
  unreachedPages: 'Pages no topic reaches',
  hoverFolder: 'Folder',
  linkTooltip: 'Open “{0}”',
};

export type StringId = keyof typeof en;

const es: Record<StringId, string> = {
  indexingTitle: 'KB Navigator: indexando los apuntes',
  indexingProgress: '{0} de {1} páginas',
  fixAllInPage: 'Corregir todos los problemas seguros de esta página ({0})',
  fixAllOnSave: 'Corregir los problemas de enlaces seguros de esta página ({0})',
  unreachedPages: 'Páginas fuera de los temas',
  hoverFolder: 'Carpeta',
  linkTooltip: 'Abrir «{0}»',
};

const catalogs: Record<Locale, Record<StringId, string>> = { en, es };

export function text(locale: Locale, id: StringId, ...args: (string | number)[]): string {
  return catalogs[locale][id].replace(/\{(\d+)\}/g, (_, i: string) => String(args[Number(i)] ?? ''));
}
