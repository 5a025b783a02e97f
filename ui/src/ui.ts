// Pieces every page uses: a section that shows its own loading state and its
// own error (one failing call never blanks the page), article rows, and the
// error box with the API's message.

import { cancelled, describe, typeClass, typeName, type Article, type Entity, type SearchHit } from "./api.js";
import { count, h, fill, link } from "./dom.js";

/** What a page gets: where to draw and a signal that fires when the user navigates away. */
export interface Page {
  view: HTMLElement;
  signal: AbortSignal;
}

/** The error box: the gRPC status and the API's own message, never a stack. */
export function errorBox(error: unknown): HTMLElement {
  const { code, message, unauthenticated } = describe(error);
  return h(
    "div",
    { class: "error", role: "alert" },
    h("strong", null, code),
    " ",
    h("span", { class: "message" }, message),
    unauthenticated
      ? h("p", null, "This server asks for a token: ", h("button", { type: "button", "data-action": "token" }, "enter a token"))
      : null,
  );
}

/**
 * A titled section whose body is filled by `load`; it shows "Loading…" until
 * then, and the error if `load` fails. Returns the section (already added).
 */
export function section(
  page: Page,
  title: string,
  load: (body: HTMLElement) => Promise<void>,
  extra: Record<string, string> = {},
): HTMLElement {
  const body = h("div", { class: "section-body", "aria-busy": "true" }, h("p", { class: "loading" }, "Loading…"));
  const box = h("section", extra, h("h2", null, title), body);
  page.view.append(box);
  load(body)
    .catch((error: unknown) => {
      if (page.signal.aborted || cancelled(error)) return;
      fill(body, errorBox(error));
    })
    .finally(() => body.removeAttribute("aria-busy"));
  return box;
}

/** "no X" when a list is empty. */
export function empty(what: string): HTMLElement {
  return h("p", { class: "empty" }, `No ${what}.`);
}

export function dateText(published: string): string {
  return published || "undated";
}

/** One article in a list: title (linked), outlet, date. */
export function articleRow(
  article: Pick<Article, "id" | "title" | "source" | "outlet" | "published" | "duplicateOf">,
): HTMLElement {
  return h(
    "li",
    { class: "article-row" },
    link(`/article/${encodeURIComponent(article.id)}`, article.title || article.source || article.id),
    h(
      "span",
      { class: "meta" },
      article.outlet || "unknown outlet",
      " · ",
      dateText(article.published),
      article.duplicateOf ? h("span", { class: "badge" }, "copy") : null,
    ),
  );
}

/** A search hit: title, meta and snippets with the matched words marked. */
export function hitRow(hit: SearchHit): HTMLElement {
  return h(
    "li",
    { class: "hit" },
    link(`/article/${encodeURIComponent(hit.articleId)}`, hit.title || hit.articleId),
    h("span", { class: "meta" }, hit.outlet || "unknown outlet", " · ", dateText(hit.published)),
    hit.snippets.map((snippet) => {
      const p = h("p", { class: "snippet" });
      let at = 0;
      for (const span of snippet.highlights) {
        if (span.start < at || span.end > snippet.text.length) continue;
        p.append(snippet.text.slice(at, span.start), h("mark", null, snippet.text.slice(span.start, span.end)));
        at = span.end;
      }
      p.append(snippet.text.slice(at));
      return p;
    }),
  );
}

/** An entity as a chip: its name linked to its page, coloured by type. */
export function entityChip(entity: Pick<Entity, "id" | "name" | "type">, extra?: string | number): HTMLElement {
  return h(
    "a",
    {
      href: `#/entity/${encodeURIComponent(entity.id)}`,
      class: `chip type-${typeClass(entity.type)}`,
      title: typeName(entity.type),
    },
    entity.name,
    extra !== undefined ? h("span", { class: "n" }, typeof extra === "number" ? count(extra) : extra) : null,
  );
}
