/**
 * The JSON of an array of `items`, in pieces of about `pieceChars` characters (at most a quarter more,
 * unless an item alone is longer than a few of them): what a large file is
 * written from without its whole text ever being one string (the facts file's string table, the
 * results of a run). Pieces stay small enough for V8's young generation (a string past 128 KB is
 * allocated among the large objects, which only a full collection frees: pieces of 1,024 items
 * were 20 MB of garbage at the peak of a run after an edit at 10,000 notes). Items are turned into
 * JSON a few at a time (one call per item was 3 % of that run). The pieces joined are
 * `JSON.stringify([...items])`.
 */
export function* jsonArrayPieces(items: Iterable<unknown>, pieceChars = 1 << 14): Generator<string> {
  const batch: unknown[] = [];
  let parts: string[] = [];
  let size = 0;
  let open = '[';
  // Items per call: doubled while a call's JSON is under an eighth of a piece, halved when over.
  let perCall = 1;
  const flush = () => {
    // As in an array: what JSON cannot hold (undefined, a function) is null.
    const json = JSON.stringify(batch).slice(1, -1);
    batch.length = 0;
    parts.push(json);
    size += json.length + 1;
    perCall = json.length < pieceChars / 8 ? Math.min(perCall * 2, 1024) : Math.max(1, perCall >> 1);
  };
  for (const item of items) {
    batch.push(item);
    if (batch.length < perCall) continue;
    flush();
    if (size < pieceChars) continue;
    yield open + parts.join(',');
    open = ',';
    parts = [];
    size = 0;
  }
  if (batch.length) flush();
  if (parts.length) {
    yield open + parts.join(',');
    open = ',';
  }
  yield open === '[' ? '[]' : ']';
}
