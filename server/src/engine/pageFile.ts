import { isUtf8 } from 'node:buffer';
import type { MarkerSet } from './navigation';
import { parsePage, stripBom } from './parse';
import type { PageFacts } from './types';
import { decodePage, readInside } from './workspace';

/** A page file to parse. */
export interface PageFile {
  /** The workspace path, for messages. */
  path: string;
  /** The real path to read (already checked to be inside the workspace). */
  file: string;
  /** The workspace's real path: the file is read only if it still lies inside (`readInside`). */
  root: string;
}

/** A page's text to parse: an open document's, as the editor has it. */
export interface PageText {
  path: string;
  text: string;
}

/** What a parse worker is given. */
export type ParseJob = PageFile | PageText;

/**
 * Reads and parses a page: what a parse worker does with each page, and what the pool does in the
 * calling thread when no worker could start. `utf8`: whether the bytes were valid UTF-8 (the facts
 * are then of the text with U+FFFD in place of the bad bytes); a text given as such is.
 */
export function parseJob(job: ParseJob, markers: MarkerSet): { facts: PageFacts; utf8: boolean } {
  if ('text' in job) return { facts: parsePage(stripBom(job.text), markers), utf8: true };
  // Synchronous: a worker has nothing else to do meanwhile, and the promise API costs an open, a stat,
  // a read and a close through the thread pool (5 % of a cold run's parse time).
  const bytes = readInside(job.root, job.file);
  const text = stripBom(decodePage(job.path, bytes));
  return { facts: parsePage(text, markers), utf8: isUtf8(bytes) };
}
