/**
 * Every handler runs through `guard`: an exception (a bug, a file that vanished, a request that was
 * cancelled) is logged and answered with an empty result, so that no request can bring the server down.
 */
import type { CancellationToken } from 'vscode-languageserver/node';
import { CancelledError } from '../engine/types';
import type { Logger } from './context';

export function guard<P, R>(
  log: Logger,
  name: string,
  fallback: R,
  handler: (params: P, token: CancellationToken) => NoInfer<R> | Promise<NoInfer<R>>,
): (params: P, token: CancellationToken) => Promise<R> {
  return async (params, token) => {
    try {
      const result = await handler(params, token);
      return token.isCancellationRequested ? fallback : result;
    } catch (error) {
      if (!(error instanceof CancelledError) && !token.isCancellationRequested) log.error(`${name} failed: ${describe(error)}`);
      return fallback;
    }
  };
}

/** Runs a notification handler (no result); logs what it throws. */
export function guardNotification<P>(log: Logger, name: string, handler: (params: P) => void | Promise<void>): (params: P) => void {
  return (params) => {
    try {
      const pending = handler(params);
      if (pending) pending.catch((error) => log.error(`${name} failed: ${describe(error)}`));
    } catch (error) {
      log.error(`${name} failed: ${describe(error)}`);
    }
  };
}

export function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
