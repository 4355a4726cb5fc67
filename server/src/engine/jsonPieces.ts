/**
 * The JSON of an array of `items`, `batch` of them per piece: what a large file is written from
 * without its whole text ever being one string (the facts file's string table, the results of a run).
 * The pieces joined are `JSON.stringify([...items])`.
 */
export function* jsonArrayPieces(items: Iterable<unknown>, batch: number): Generator<string> {
  let pending: unknown[] = [];
  let open = '[';
  for (const item of items) {
    pending.push(item);
    if (pending.length < batch) continue;
    yield open + JSON.stringify(pending).slice(1, -1);
    open = ',';
    pending = [];
  }
  if (pending.length) {
    yield open + JSON.stringify(pending).slice(1, -1);
    open = ',';
  }
  yield open === '[' ? '[]' : ']';
}
