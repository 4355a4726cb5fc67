/**
 * Hover on a link: the title of the page it leads to, its path, and its first lines (or the first
 * lines of the section the fragment names). Only files of the workspace are read, through the same
 * checks as indexing (inside the root, not binary, not too large).
 */
import { MarkupKind, type Hover, type HoverParams } from 'vscode-languageserver/node';
import { pagePreview } from '../engine/preview';
import type { ServerContext } from './context';
import { guard } from './guard';
import { linkAt } from './linkAt';

/** Backticks that cannot close the code span a path is shown in. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${longest ? ' ' : ''}${text}${longest ? ' ' : ''}${fence}`;
}

export function registerHover(ctx: ServerContext): void {
  ctx.connection.onHover(
    guard(ctx.log, 'hover', null as Hover | null, async (params: HoverParams) => {
      const at = await linkAt(ctx, params.textDocument.uri, params.position);
      if (!at) return null;
      const { folder, page, index, target } = at;
      const targetPage = folder.kb.page(target.path);
      const parts: string[] = [];
      if (targetPage) {
        let preview;
        try {
          preview = pagePreview(await folder.readText(target.path), targetPage.facts, targetPage.title, target.fragment);
        } catch (error) {
          ctx.log.warn(`hover: ${(error as Error).message}`);
        }
        const heading = preview?.heading ?? target.heading;
        parts.push(`**${escapeMarkdown(targetPage.title)}**${heading ? ` › ${escapeMarkdown(heading.text)}` : ''}`);
        parts.push(codeSpan(target.path));
        if (preview?.lines.length) parts.push(preview.lines.join('\n') + (preview.truncated ? '\n\n…' : ''));
      } else parts.push(codeSpan(target.path));
      const value = parts.join('\n\n');
      return {
        contents: ctx.client.markdownHover ? { kind: MarkupKind.Markdown, value } : { kind: MarkupKind.PlainText, value },
        range: page.facts.links[index].range,
      };
    }),
  );
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#]/g, (c) => `\\${c}`);
}
