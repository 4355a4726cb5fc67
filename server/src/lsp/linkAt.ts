/** The link under the cursor and the page it leads to: what definition and hover both start from. */
import type { Position } from 'vscode-languageserver/node';
import type { PageEntry } from '../engine/check';
import { linkIndexAt, linkTarget, type LinkTarget } from '../engine/positions';
import type { ServerContext } from './context';
import type { KbFolder } from './folders';

export interface LinkAt {
  folder: KbFolder;
  page: PageEntry;
  /** The index of the link in the page's facts. */
  index: number;
  target: LinkTarget;
}

/** The link at `position` in the document `uri` and its target, when it leads to a page (not a folder). */
export async function linkAt(ctx: ServerContext, uri: string, position: Position): Promise<LinkAt | undefined> {
  const found = await ctx.folders.locateReady(uri);
  const page = found && found.folder.kb.page(found.path);
  if (!found || !page) return undefined;
  const index = linkIndexAt(page.facts, position);
  const target = index < 0 ? undefined : linkTarget(found.folder.kb, found.path, index);
  if (!target || target.isDirectory) return undefined;
  return { folder: found.folder, page, index, target };
}
