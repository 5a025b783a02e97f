// Marks on a text: entity mentions and quotes drawn over an article body.
//
// The spans come from the API counted in UTF-16 code units (the request asks
// for OFFSET_ENCODING_UTF16), which is how JavaScript strings index, so
// `text.slice(start, end)` is exactly the marked text even with emoji and
// other astral characters.
//
// Marks nest: a quote holds mentions, and a mention can hold another
// ("Barack Obama" inside "the Barack Obama nuclear deal"). They are arranged
// as a tree, each mark inside the smallest one that contains it, so every
// mark stays one element whose text is exactly its span. A mark that crosses
// another's edge (rare) is cut there into pieces that share its index, whose
// texts together are its span.

export interface Mark {
  start: number;
  end: number;
}

export interface Nested {
  kind: "quote" | "mention";
  /** Index in the list the mark came from. */
  index: number;
  start: number;
  end: number;
  children: Nested[];
}

/** Before `b` in document order: earlier start, then longer, then quotes before mentions. */
function before(a: Nested, b: Nested): boolean {
  if (a.start !== b.start) return a.start < b.start;
  if (a.end !== b.end) return a.end > b.end;
  return a.kind === "quote" && b.kind === "mention";
}

/** The marks as a tree (roots in order); spans out of the text are dropped. */
export function nest(length: number, quotes: Mark[], mentions: Mark[]): Nested[] {
  const queue: Nested[] = [];
  const add = (kind: Nested["kind"], marks: Mark[]) =>
    marks.forEach((m, index) => {
      if (m.start < m.end && m.end <= length) queue.push({ kind, index, start: m.start, end: m.end, children: [] });
    });
  add("quote", quotes);
  add("mention", mentions);
  queue.sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const roots: Nested[] = [];
  const open: Nested[] = [];
  while (queue.length) {
    let mark = queue.shift()!;
    while (open.length && open[open.length - 1]!.end <= mark.start) open.pop();
    const parent = open[open.length - 1];
    if (parent && mark.end > parent.end) {
      // Crosses its parent's end: the rest goes back in the queue, in order.
      const rest: Nested = { ...mark, start: parent.end, children: [] };
      let at = 0;
      while (at < queue.length && before(queue[at]!, rest)) at++;
      queue.splice(at, 0, rest);
      mark = { ...mark, end: parent.end };
    }
    (parent ? parent.children : roots).push(mark);
    open.push(mark);
  }
  return roots;
}
