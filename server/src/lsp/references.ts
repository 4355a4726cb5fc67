/**
 * References ("who links here"): on a heading, the links whose fragment names it; on a link, the
 * links to the same page; elsewhere in a page, every link to the page (its backlinks).
 */
import type { Location, ReferenceParams } from 'vscode-languageserver/node';
import type { KnowledgeBase } from '../engine/knowledgeBase';
import { fragmentKey, headingIndexAt, linkIndexAt, linkTarget } from '../engine/positions';
import type { ServerContext } from './context';
import { guard } from './guard';

/** Links to `target` (any, or only those whose fragment names the heading id `headingId`). */
export function linksTo(kb: KnowledgeBase, target: string, headingId?: string): { source: string; linkIndex: number }[] {
  const result = kb.backlinks(target).filter(({ source, linkIndex }) => {
    if (headingId === undefined) return true;
    const r = kb.resolution(source, linkIndex);
    return r?.kind === 'found' && !!r.fragment && fragmentKey(r.fragment) === fragmentKey(headingId);
  });
  if (headingId !== undefined) {
    // `#id` links of the page itself.
    kb.page(target)?.resolutions.forEach((r, linkIndex) => {
      if (r.kind === 'self' && r.fragment && fragmentKey(r.fragment) === fragmentKey(headingId)) result.push({ source: target, linkIndex });
    });
  }
  return result;
}

export function registerReferences(ctx: ServerContext): void {
  ctx.connection.onReferences(
    guard(ctx.log, 'references', [] as Location[], async (params: ReferenceParams) => {
      const found = await ctx.folders.locateReady(params.textDocument.uri);
      const page = found && found.folder.kb.page(found.path);
      if (!found || !page) return [];
      const { folder, path } = found;
      const { kb } = folder;
      let target = path;
      let headingId: string | undefined;
      const locations: Location[] = [];
      const headingIndex = headingIndexAt(page.facts, params.position);
      const linkIndex = linkIndexAt(page.facts, params.position);
      if (linkIndex >= 0) {
        const linked = linkTarget(kb, path, linkIndex);
        if (!linked || linked.isDirectory) return [];
        target = linked.path;
      } else if (headingIndex >= 0) {
        const heading = page.facts.headings[headingIndex];
        headingId = heading.id;
        if (params.context.includeDeclaration) locations.push({ uri: folder.uriOf(path), range: heading.range });
      }
      for (const { source, linkIndex: i } of linksTo(kb, target, headingId)) {
        locations.push({ uri: folder.uriOf(source), range: kb.page(source)!.facts.links[i].range });
      }
      return locations;
    }),
  );
}
