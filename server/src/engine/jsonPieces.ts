/**
 * The JSON of an array of `items`, in pieces of about `pieceChars` characters: what a large file is
 * written from without its whole text ever being one string (the facts file's string table, the
 * results of a run). Pieces stay small enough for V8's young generation (a string past 128 KB is
 * allocated among the large objects, which only a full collection frees: pieces of 1,024 items
 * were 20 MB of garbage at the peak of a run after an edit at 10,000 notes). An item longer than
 * that is one piece. The pieces joined are `JSON.stringify([...items])`.
 */
export function* jsonArrayPieces(items: Iterable<unknown>, pieceChars = 1 << 14): Generator<string> {
  let parts: string[] = [];
  let size = 0;
  let open = '[';
  for (const item of items) {
    // As in an array: what JSON cannot hold (undefined, a function) is null.
    const json = JSON.stringify(item) ?? 'null';
    parts.push(json);
    size += json.length + 1;
    if (size < pieceChars) continue;
    yield open + parts.join(',');
    open = ',';
    parts = [];
    size = 0;
  }
  if (parts.length) {
    yield open + parts.join(',');
    open = ',';
  }
  yield open === '[' ? '[]' : ']';
}
