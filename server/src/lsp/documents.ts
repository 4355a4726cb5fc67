/**
 * Open documents: their text overrides the disk while they are open (each change is applied and
 * committed at once, so the page's diagnostics and those of the pages that depend on it follow the
 * typing); closing one makes the page what the disk says again.
 */
import type { ServerContext } from './context';
import { guardNotification } from './guard';

export function registerDocuments(ctx: ServerContext): void {
  ctx.documents.onDidChangeContent(
    guardNotification(ctx.log, 'didChange', ({ document }) => {
      ctx.folders.locate(document.uri)?.folder.documentChanged(document.uri, document.getText());
    }),
  );
  ctx.documents.onDidClose(
    guardNotification(ctx.log, 'didClose', ({ document }) => {
      ctx.folders.locate(document.uri)?.folder.documentClosed(document.uri);
    }),
  );
  ctx.documents.listen(ctx.connection);
}
