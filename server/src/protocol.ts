/**
 * Every custom message between the KB Navigator client and server, one namespace per message,
 * and the settings shape. Imported by both sides; it must not import `vscode` or the LSP connection.
 */
import type { Code, NavDirection, Severity } from './engine/types';

/**
 * `initializationOptions` of the `initialize` request. Every field is optional: a client that sends
 * none (Neovim, Helix…) gets a trusted workspace.
 */
export interface InitializationOptions {
  /**
   * `false` in an untrusted workspace (VS Code's restricted mode): the server only reads. It offers
   * no code actions (no fixes, no fix on save, no page creation), `kbnav/fixAll` returns an empty
   * edit, and renaming (headings, `workspace/willRenameFiles`) is not offered. There is no message
   * to grant trust later: when the workspace becomes trusted, the client restarts the server with
   * `trusted: true`.
   */
  trusted?: boolean;
  /**
   * A folder the server may keep its facts cache in (VS Code's workspace storage). Without it the
   * server uses the same cache folder as the CLI (`$KBNAV_CACHE_DIR` or `~/.cache/kbnav`).
   */
  storagePath?: string;
}

/** `kbnav.*` settings, read per resource and validated by the server. */
export interface KbnavSettings {
  markers?: Partial<Record<NavDirection, string[]>>;
  entryPages?: string[];
  ignore?: string[];
  severity?: Partial<Record<Code, Severity>>;
}

export interface ProblemCounts {
  error: number;
  warning: number;
  information: number;
  hint: number;
}

export type TopicNodeKind = 'topic' | 'page' | 'unreached';

/** A node of the topic tree: a topic of the entry page, a page, or the group of pages no topic reaches. */
export interface TopicNode {
  /** Stable within one tree: the topic heading id or the page path, with its parent's id. */
  id: string;
  kind: TopicNodeKind;
  label: string;
  /** The page (absent for a topic heading that links nowhere, and for the group of unreached pages). */
  uri?: string;
  /** Problems of this page, or of every page under a topic. */
  problems: ProblemCounts;
  children: TopicNode[];
}

export namespace TopicTreeRequest {
  export const method = 'kbnav/topicTree';
  export interface Params {
    /** The workspace folder; the first when absent. */
    folderUri?: string;
  }
  export type Result = TopicNode[];
}

export namespace NavigateRequest {
  export const method = 'kbnav/navigate';
  export interface Params {
    uri: string;
    direction: 'back' | 'forward' | 'up' | 'down';
  }
  /** The page to open, or null at the end of the chain. */
  export type Result = { uri: string } | null;
}

export namespace FixAllRequest {
  export const method = 'kbnav/fixAll';
  export interface Params {
    /** Pages or folders to fix; the whole workspace when absent. */
    uris?: string[];
  }
  /** The edit of every safe fix, for the client to apply (one undo restores it), and how many fixes it holds. */
  export interface Result {
    edit: import('vscode-languageserver-protocol').WorkspaceEdit;
    fixes: number;
  }
}

/** Sent by the server after each index change and at the end of indexing. */
export namespace IndexChangedNotification {
  export const method = 'kbnav/indexChanged';
  export interface Params {
    state: 'indexing' | 'ready';
    pages: number;
    /** Problems by severity, over the whole workspace. */
    problems: ProblemCounts;
    /** Links that lead nowhere a reader can follow (error-severity link problems). */
    brokenLinks: number;
  }
}
