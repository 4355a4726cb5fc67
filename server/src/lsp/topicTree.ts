/** `kbnav/topicTree`: the topics of the entry page, their pages in chain order, and the pages no topic reaches. */
import { buildTopicTree, type TopicTreeNode } from '../engine/topicTree';
import { TopicTreeRequest, type TopicNode } from '../protocol';
import type { ServerContext } from './context';
import type { KbFolder } from './folders';
import { guard } from './guard';
import { localize } from '../engine/messages';

function toProtocol(folder: KbFolder, node: TopicTreeNode): TopicNode {
  return {
    id: node.id,
    kind: node.kind,
    label: node.label,
    ...(node.path !== undefined ? { uri: folder.uriOf(node.path) } : {}),
    problems: node.problems,
    children: node.children.map((child) => toProtocol(folder, child)),
  };
}

export function registerTopicTree(ctx: ServerContext): void {
  ctx.connection.onRequest(
    TopicTreeRequest.method,
    guard(ctx.log, 'topicTree', [] as TopicTreeRequest.Result, async (params: TopicTreeRequest.Params | undefined, token) => {
      const folder = params?.folderUri ? ctx.folders.byUri(params.folderUri) : ctx.folders.all()[0];
      if (!folder) return [];
      await folder.whenReady();
      return buildTopicTree(folder.kb, { unreachedLabel: localize(ctx.locale, 'unreachedPages'), token }).map((node) => toProtocol(folder, node));
    }),
  );
}
