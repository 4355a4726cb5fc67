/**
 * Data shared by every part of the engine and by its hosts (language server, CLI, tests).
 * Paths are workspace-relative, POSIX-separated, with the exact bytes of the names on disk.
 * Positions are 0-based lines and UTF-16 columns, as in LSP, on the text without its BOM.
 */

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** The subset of a cancellation token the engine reads; LSP's CancellationToken satisfies it. */
export interface CancellationToken {
  readonly isCancellationRequested: boolean;
}

export const noCancellation: CancellationToken = Object.freeze({ isCancellationRequested: false });

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
  }
}

/** Stable diagnostic codes: one problem kind each. */
export enum Code {
  MissingFile = 'missing-file',
  MissingFragment = 'missing-fragment',
  BackslashPath = 'backslash-path',
  RootRelativePath = 'root-relative-path',
  CaseMismatch = 'case-mismatch',
  UnicodeMismatch = 'unicode-mismatch',
  AbsolutePath = 'absolute-path',
  OutsideWorkspace = 'outside-workspace',
  SelfLink = 'self-link',
  LabelMismatch = 'label-mismatch',
  NavNotReciprocal = 'nav-not-reciprocal',
  OrphanPage = 'orphan-page',
  UndefinedReference = 'undefined-reference',
}

export const allCodes: readonly Code[] = Object.values(Code);

export type Severity = 'error' | 'warning' | 'information' | 'hint' | 'off';

export type NavDirection = 'back' | 'forward' | 'up' | 'down' | 'related';

export type Locale = 'es' | 'en';

/** A replacement of a range of one file's text. */
export interface TextEdit {
  path: string;
  range: Range;
  newText: string;
}

/** Whole-file operations a fix may need: creating a missing page, renaming a file to its NFC name. */
export type FileOperation =
  | { kind: 'create'; path: string; content: string }
  | { kind: 'rename'; from: string; to: string };

export interface Fix {
  /** Localized, shown in menus and printed by the CLI. */
  title: string;
  /** One unambiguous result: may be applied in bulk (fix-all, `--fix`, on save). */
  safe: boolean;
  /** The best of several offered fixes (LSP `isPreferred`). */
  preferred?: boolean;
  /** Paths as they are before the fix; applied before the file operations. */
  edits: TextEdit[];
  /** Applied after the edits. */
  fileOperations?: FileOperation[];
}

export interface RelatedLocation {
  path: string;
  range: Range;
  message: string;
}

export interface KbDiagnostic {
  path: string;
  range: Range;
  severity: Exclude<Severity, 'off'>;
  code: Code;
  message: string;
  fixes: Fix[];
  related?: RelatedLocation[];
}

export interface Heading {
  depth: number;
  text: string;
  /** GitHub-compatible id (github-slugger), unique in its page. */
  id: string;
  range: Range;
}

export type LinkKind = 'inline' | 'reference' | 'autolink' | 'definition' | 'html';

export interface LinkFacts {
  kind: LinkKind;
  image: boolean;
  /** The destination exactly as written in the source (without `<…>`), used for detection and edits. */
  raw: string;
  /** The range of `raw` in the page. */
  rawRange: Range;
  /** The destination after CommonMark processing (escapes, entities), as the renderer sees it. */
  url: string;
  /** The link text, as plain text. */
  label: string;
  /** The range of the label's source text between `[` and `]` (absent for autolinks). */
  labelRange?: Range;
  /**
   * The label's source holds a backtick (a code span's, or a literal one) or a pipe: fixes leave such a
   * label alone (one less can make a code fence or a table of its line).
   */
  labelMarks?: true;
  /**
   * The destination begins its line (only indentation or `>` before it): a definition's, written on the line
   * after its label. What is written there must not read as the start of a block.
   */
  rawLineStart?: true;
  /**
   * An autolink right after `]` or `!`, or after a run of characters a literal URL may end: rewritten as
   * `[…](…)` it would join them (`[ref][…]`, `![…]`), or the URL would run on into it.
   */
  glued?: true;
  /** The whole link's range. */
  range: Range;
  nav?: NavDirection;
  /** For `[text][ref]` links: the normalized reference. */
  reference?: string;
}

/** A `[text][ref]` whose reference has no definition. */
export interface UndefinedReference {
  reference: string;
  range: Range;
}

/** What the engine keeps of a parsed page: no syntax tree. JSON-serializable (workers, disk cache). */
export interface PageFacts {
  /** Hash of the text the facts were computed from. */
  hash: string;
  /** First `#`/`##` heading, else undefined (the file name is used). */
  headingTitle?: string;
  headings: Heading[];
  /** Ids of HTML anchors (`<a id>`/`<a name>`, any element with an id). */
  anchors: string[];
  links: LinkFacts[];
  undefinedReferences: UndefinedReference[];
  /** The position after the last character (for edits that append). */
  end: Position;
  /** Where lines inserted at the top of the page go when it has front matter: the end of its closing fence line. */
  afterFrontMatter?: Position;
  /** The page ends inside a fenced code block or raw HTML (a comment, `<pre>`…) left open: a line appended there is not Markdown. */
  openAtEnd?: true;
  /** The page's line ending, for inserted lines. */
  eol: '\n' | '\r\n';
}
