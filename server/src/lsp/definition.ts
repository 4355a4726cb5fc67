/** Go to definition on a link: the page it leads to, at the heading its fragment names. */
import type { DefinitionParams, Location, LocationLink } from 'vscode-languageserver/node';
import type { ServerContext } from './context';
import { guard } from './guard';
import { linkAt } from './linkAt';

const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function registerDefinition(ctx: ServerContext): void {
  ctx.connection.onDefinition(
    guard(ctx.log, 'definition', null as Location[] | LocationLink[] | null, async (params: DefinitionParams) => {
      const at = await linkAt(ctx, params.textDocument.uri, params.position);
      if (!at) return null;
      const { folder, page, index, target } = at;
      const uri = folder.uriOf(target.path);
      const range = target.heading?.range ?? top;
      if (ctx.client.definitionLinks) {
        return [{ originSelectionRange: page.facts.links[index].range, targetUri: uri, targetRange: range, targetSelectionRange: range }];
      }
      return [{ uri, range }];
    }),
  );
}
