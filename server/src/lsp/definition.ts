/** Go to definition on a link: the page it leads to, at the heading its fragment names. */
import type { DefinitionParams, Location, LocationLink } from 'vscode-languageserver/node';
import { linkIndexAt, linkTarget } from '../engine/positions';
import type { ServerContext } from './context';
import { guard } from './guard';

const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function registerDefinition(ctx: ServerContext): void {
  ctx.connection.onDefinition(
    guard(ctx.log, 'definition', null as Location[] | LocationLink[] | null, async (params: DefinitionParams) => {
      const found = await ctx.folders.locateReady(params.textDocument.uri);
      const page = found && found.folder.kb.page(found.path);
      if (!found || !page) return null;
      const index = linkIndexAt(page.facts, params.position);
      const target = index < 0 ? undefined : linkTarget(found.folder.kb, found.path, index);
      if (!target || target.isDirectory) return null;
      const uri = found.folder.uriOf(target.path);
      const range = target.heading?.range ?? top;
      if (ctx.client.definitionLinks) {
        return [{ originSelectionRange: page.facts.links[index].range, targetUri: uri, targetRange: range, targetSelectionRange: range }];
      }
      return [{ uri, range }];
    }),
  );
}
