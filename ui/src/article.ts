// An article: its metadata, the clean body with every entity mention and
// every quote marked on the text, and beside it the entities and the quotes
// with their speakers and the other articles that report the same words.

import { api, ArticleView, OffsetEncoding, take, typeClass, typeName, type Mention, type Quote } from "./api.js";
import { add, h, link } from "./dom.js";
import { nest, type Nested } from "./highlight.js";
import { go } from "./router.js";
import { empty, section, type Page } from "./ui.js";

export async function article(page: Page, id: string): Promise<void> {
  const { signal } = page;
  const loading = h("p", { class: "loading" }, "Loading…");
  add(page.view, loading);
  // Spans in UTF-16 code units: JavaScript's own string index.
  const [doc, mentions, quotes] = await Promise.all([
    api.getArticle({ id, view: ArticleView.FULL }, { signal }),
    take(api.listMentions({ articleId: id, offsetEncoding: OffsetEncoding.UTF16 }, { signal })),
    take(api.listQuotes({ articleId: id, offsetEncoding: OffsetEncoding.UTF16 }, { signal })),
  ]);
  loading.remove();

  add(page.view, 
    h("h1", null, doc.title || doc.source || doc.id),
    doc.subtitle ? h("p", { class: "subtitle" }, doc.subtitle) : null,
    h(
      "p",
      { class: "meta byline" },
      doc.outlet || "unknown outlet",
      " · ",
      doc.published || "undated",
      doc.authors.length ? ` · by ${doc.authors.join(", ")}` : "",
      doc.url ? [" · ", h("a", { href: doc.url, rel: "noopener noreferrer", target: "_blank" }, "original")] : null,
    ),
    h(
      "p",
      { class: "meta" },
      doc.storyId ? ["Story: ", link(`/story/${encodeURIComponent(doc.storyId)}`, "all coverage of this story")] : null,
      doc.duplicateOf
        ? [" · A syndicated copy of ", link(`/article/${encodeURIComponent(doc.duplicateOf)}`, "the original")]
        : null,
    ),
  );

  const layout = h("div", { class: "with-side" });
  const body = h("div", { class: "main-col" });
  const side = h("aside", { class: "side-col", "aria-label": "Entities and quotes" });
  layout.append(body, side);
  add(page.view, layout);

  add(
    body,
    h("div", { class: "legend" }, "Marked: ", h("span", { class: "quote" }, "quotes"), " and entity mentions by type (hover for details)."),
    markedBody(doc.body, mentions, quotes),
    doc.removedLines.length
      ? h(
          "details",
          { class: "removed" },
          h("summary", null, `${doc.removedLines.length} lines removed as page furniture`),
          h("ul", null, doc.removedLines.map((line) => h("li", null, line))),
        )
      : null,
  );

  const sidePage: Page = { view: side, signal };
  section(sidePage, "Entities", async (box) => {
    box.replaceChildren(entityList(mentions));
  });
  section(sidePage, `Quotes (${quotes.length})`, async (box) => {
    box.replaceChildren(quoteList(quotes, id));
  });
}

/**
 * The body with marks: `<span class="quote">` around quotes and
 * `<span class="mention">` on mentions, nested as the spans nest. A mention
 * is a link to its entity (click or Enter); not an `<a>`, because mentions
 * nest and links may not.
 */
export function markedBody(text: string, mentions: Mention[], quotes: Quote[]): HTMLElement {
  const spanOf = (m: { span?: { start: number; end: number } }) => ({ start: m.span?.start ?? 0, end: m.span?.end ?? 0 });
  const root = h("div", { class: "body", "data-testid": "article-body" });
  const draw = (parent: HTMLElement, nodes: Nested[], from: number, to: number): void => {
    let at = from;
    for (const node of nodes) {
      parent.append(text.slice(at, node.start));
      let element: HTMLElement;
      if (node.kind === "quote") {
        const quote = quotes[node.index]!;
        element = h("span", {
          class: "quote",
          "data-quote": node.index,
          title: `Quote by ${quote.speakerName || "an unknown speaker"}${quote.cue ? ` (${quote.cue})` : ""}`,
        });
      } else {
        const mention = mentions[node.index]!;
        element = h("span", {
          class: `mention type-${typeClass(mention.entityType)}`,
          role: "link",
          tabindex: 0,
          "data-mention": node.index,
          "data-entity": mention.entityId,
          title: `${typeName(mention.entityType)}: ${mention.entityId}`,
        });
      }
      draw(element, node.children, node.start, node.end);
      parent.append(element);
      at = node.end;
    }
    parent.append(text.slice(at, to));
  };
  draw(root, nest(text.length, quotes.map(spanOf), mentions.map(spanOf)), 0, text.length);
  const follow = (event: Event) => {
    const target = (event.target as Element).closest("[data-entity]");
    if (!target) return;
    if (event instanceof KeyboardEvent && event.key !== "Enter") return;
    event.preventDefault();
    go(`/entity/${encodeURIComponent(target.getAttribute("data-entity") ?? "")}`);
  };
  root.addEventListener("click", follow);
  root.addEventListener("keydown", follow);
  return root;
}

function entityList(mentions: Mention[]): HTMLElement {
  const byEntity = new Map<string, { mention: Mention; n: number }>();
  for (const m of mentions) {
    const seen = byEntity.get(m.entityId);
    if (seen) seen.n++;
    else byEntity.set(m.entityId, { mention: m, n: 1 });
  }
  const rows = [...byEntity.values()].sort((a, b) => b.n - a.n || a.mention.text.localeCompare(b.mention.text));
  if (!rows.length) return empty("entities found");
  return h(
    "ul",
    { class: "entity-list", "data-testid": "entities" },
    rows.map(({ mention, n }) =>
      h(
        "li",
        null,
        h(
          "a",
          { href: `#/entity/${encodeURIComponent(mention.entityId)}`, class: `chip type-${typeClass(mention.entityType)}` },
          mention.text,
        ),
        h("span", { class: "meta" }, ` ${typeName(mention.entityType)} · ${n}×`),
      ),
    ),
  );
}

function quoteList(quotes: Quote[], self: string): HTMLElement {
  if (!quotes.length) return empty("quotes found");
  return h(
    "ol",
    { class: "quote-list", "data-testid": "quotes" },
    quotes.map((q) =>
      h(
        "li",
        null,
        h("blockquote", null, q.text),
        h(
          "p",
          { class: "meta" },
          "— ",
          q.speakerEntityId
            ? link(`/entity/${encodeURIComponent(q.speakerEntityId)}`, q.speakerName || q.speakerEntityId)
            : q.speakerName || "speaker unknown",
          q.speakerRole ? `, ${q.speakerRole}` : "",
          q.cue ? ` (${q.cue})` : "",
        ),
        q.corroboratingArticleIds.filter((a) => a !== self).length
          ? h(
              "p",
              { class: "corroborated" },
              `Also reported by ${q.corroboratingArticleCount || q.corroboratingArticleIds.length} other article(s): `,
              q.corroboratingArticleIds
                .filter((a) => a !== self)
                .slice(0, 5)
                .map((a, i) => [i ? ", " : "", link(`/article/${encodeURIComponent(a)}`, `#${i + 1}`)]),
            )
          : null,
      ),
    ),
  );
}
