/** `kbnav/navigate`: the next or previous page (or up, down) along the navigation chain. */
import { NavigateRequest } from '../protocol';
import type { ServerContext } from './context';
import { guard } from './guard';

const directions = new Set(['back', 'forward', 'up', 'down']);

export function registerNavigate(ctx: ServerContext): void {
  ctx.connection.onRequest(
    NavigateRequest.method,
    guard(ctx.log, 'navigate', null as NavigateRequest.Result, async (params: NavigateRequest.Params) => {
      if (!params || !directions.has(params.direction)) return null;
      const found = await ctx.folders.locateReady(params.uri);
      if (!found) return null;
      const next = found.folder.kb.neighbour(found.path, params.direction);
      return next ? { uri: found.folder.uriOf(next) } : null;
    }),
  );
}
