/**
 * Document links: Ctrl+click on a link opens the page as found on disk (also when the link writes it
 * with backslashes or another letter case) at the heading its fragment names. The heading is given
 * as a `#L<line>,<column>` fragment, which editors open as a position.
 */
import type { DocumentLink, DocumentLinkParams } from 'vscode-languageserver/node';
import { linkTarget, type LinkTarget } from '../engine/positions';
import type { ServerContext } from './context';
import type { KbFolder } from './folders';
import { guard } from './guard';
import { localize } from '../engine/messages';

/** The URI a link opens: the target file, with the position of the heading as fragment. */
export function targetUri(folder: KbFolder, target: LinkTarget): string {
  const uri = folder.uriOf(target.path);
  const at = target.heading?.range.start;
  return at ? `${uri}#L${at.line + 1},${at.character + 1}` : uri;
}

export function registerDocumentLinks(ctx: ServerContext): void {
  ctx.connection.onDocumentLinks(
    guard(ctx.log, 'documentLinks', [] as DocumentLink[], async (params: DocumentLinkParams, token) => {
      const found = await ctx.folders.locateReady(params.textDocument.uri);
      const page = found && found.folder.kb.page(found.path);
      if (!found || !page) return [];
      const links: DocumentLink[] = [];
      page.facts.links.forEach((link, i) => {
        if (token.isCancellationRequested) return;
        const target = linkTarget(found.folder.kb, found.path, i);
        if (!target || target.isDirectory) return;
        const title = found.folder.kb.page(target.path)?.title ?? target.path;
        links.push({
          range: link.range,
          target: targetUri(found.folder, target),
          tooltip: localize(ctx.locale, 'linkTooltip', target.heading ? `${title} › ${target.heading.text}` : title),
        });
      });
      return links;
    }),
  );
}
