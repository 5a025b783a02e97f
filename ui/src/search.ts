// Search: the query language of SearchArticles, filters (outlet, dates,
// entity, speaker), hits with highlighted snippets, facet counts and a date
// histogram of the matching articles (AggregateArticles with the same query
// and filter). The form's state lives in the URL, so a search can be shared.

import { api, DateInterval, FacetKind, OffsetEncoding, type FacetResult } from "./api.js";
import { histogram } from "./charts.js";
import { add, count, fill, h } from "./dom.js";
import { empty, errorBox as errorOf, hitRow, section, type Page } from "./ui.js";
import { go } from "./router.js";

const PAGE_SIZE = 20;
const FIELDS = ["q", "outlet", "from", "to", "entity", "speaker"] as const;
type Field = (typeof FIELDS)[number];

/** The search route with these parameters (empty ones left out). */
export function searchRoute(params: Partial<Record<Field, string>>): string {
  const query = new URLSearchParams();
  for (const field of FIELDS) {
    const value = params[field]?.trim();
    if (value) query.set(field, value);
  }
  return `/search?${query}`;
}

function read(params: URLSearchParams): Record<Field, string> {
  return Object.fromEntries(FIELDS.map((f) => [f, params.get(f) ?? ""])) as Record<Field, string>;
}

export function search(page: Page, params: URLSearchParams): void {
  const state = read(params);
  const { signal } = page;
  add(page.view, h("h1", null, "Search"), form(state));
  if (!state.q) {
    add(page.view, 
      h(
        "p",
        { class: "hint" },
        "Words, \"exact phrases\", title:word, outlet:name, AND / OR / NOT, prefix*. Filters narrow the hits.",
      ),
    );
    return;
  }
  const layout = h("div", { class: "with-side" });
  const main = h("div", { class: "main-col" });
  const side = h("aside", { class: "side-col", "aria-label": "Facets" });
  layout.append(main, side);
  add(page.view, layout);
  const sub: Page = { view: main, signal };

  section(
    sub,
    "Hits",
    async (body) => {
      const filter = await resolveFilter(state, signal);
      const list = h("ol", { class: "hits", "data-testid": "hits" });
      fill(body, list);
      let cursor = "";
      const more = async (): Promise<void> => {
        let n = 0;
        let last = "";
        for await (const hit of api.searchArticles(
          { query: state.q, filter, limit: PAGE_SIZE, cursor, maxSnippets: 3, offsetEncoding: OffsetEncoding.UTF16 },
          { signal },
        )) {
          list.append(hitRow(hit));
          last = hit.cursor;
          n++;
        }
        body.querySelector("button.more")?.remove();
        if (n === 0 && !cursor) body.append(empty("articles match"));
        if (n === PAGE_SIZE && last) {
          cursor = last;
          const button = h("button", { type: "button", class: "more" }, "More hits");
          button.addEventListener("click", () => {
            button.disabled = true;
            button.textContent = "Loading…";
            more().catch((error) => body.append(errorOf(error)));
          });
          body.append(button);
        }
      };
      await more();
    },
    { "data-testid": "search-hits" },
  );

  const facets: Page = { view: side, signal };
  section(facets, "Facets", async (body) => {
    const filter = await resolveFilter(state, signal);
    const result = await api.aggregateArticles(
      {
        query: state.q,
        filter,
        facets: [
          { kind: FacetKind.DATE_HISTOGRAM, interval: DateInterval.MONTH },
          { kind: FacetKind.OUTLET, size: 10 },
          { kind: FacetKind.ENTITY, size: 10 },
          { kind: FacetKind.SPEAKER, size: 10 },
        ],
      },
      { signal },
    );
    const [dates, outlets, entities, speakers] = result.results;
    fill(
      body,
      h("p", { class: "total", "data-testid": "match-count" }, `${count(result.articleCount)} matching articles`),
      dates ? dateChart(dates, state) : null,
      outlets ? facetList("Outlets", outlets, (key) => ({ ...state, outlet: key })) : null,
      entities ? facetList("Entities", entities, (key) => ({ ...state, entity: key })) : null,
      speakers ? facetList("Speakers", speakers, (key) => ({ ...state, speaker: key })) : null,
    );
  });
}

/** The ArticleFilter of the form; an entity given by name is looked up first. */
async function resolveFilter(state: Record<Field, string>, signal: AbortSignal): Promise<{ outlet: string; publishedFrom: string; publishedTo: string; entityId: string; speaker: string }> {
  let entityId = state.entity;
  if (entityId && !entityId.includes("/")) {
    entityId = (await api.getEntity({ selector: { case: "name", value: entityId } }, { signal })).id;
  }
  return {
    outlet: state.outlet,
    publishedFrom: state.from,
    publishedTo: state.to,
    entityId,
    speaker: state.speaker,
  };
}

function form(state: Record<Field, string>): HTMLFormElement {
  const input = (name: Field, label: string, attrs: Record<string, string> = {}) =>
    h("label", { class: `field field-${name}` }, h("span", null, label), h("input", { name, value: state[name], ...attrs }));
  const element = h(
    "form",
    { class: "search-form", role: "search" },
    input("q", "Query", { type: "search", placeholder: "e.g. helicopter crash", "aria-label": "Query" }),
    input("outlet", "Outlet"),
    input("from", "From", { type: "date" }),
    input("to", "To", { type: "date" }),
    input("entity", "Entity (name or id)"),
    input("speaker", "Speaker"),
    h("button", { type: "submit" }, "Search"),
  );
  element.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(element);
    go(searchRoute(Object.fromEntries(FIELDS.map((f) => [f, String(data.get(f) ?? "")]))));
  });
  return element;
}

function facetList(
  title: string,
  result: FacetResult,
  narrow: (key: string) => Record<Field, string>,
): HTMLElement {
  return h(
    "div",
    { class: "facet" },
    h("h3", null, title),
    result.buckets.length
      ? h(
          "ul",
          null,
          result.buckets.map((b) =>
            h("li", null, h("a", { href: `#${searchRoute(narrow(b.key))}` }, b.label || b.key), h("span", { class: "n" }, count(b.count))),
          ),
        )
      : empty(title.toLowerCase()),
  );
}

/** The month histogram; a bar narrows the search to its month. */
function dateChart(result: FacetResult, state: Record<Field, string>): HTMLElement {
  const bars = result.buckets.map((b) => ({ key: b.key, count: Number(b.count) }));
  return h(
    "figure",
    { class: "facet" },
    h("figcaption", null, "By month", result.undatedCount ? ` (${count(result.undatedCount)} undated)` : ""),
    bars.length
      ? histogram(bars, "Matching articles by month", (bar) => {
          const end = new Date(`${bar.key}T00:00:00Z`);
          end.setUTCMonth(end.getUTCMonth() + 1);
          end.setUTCDate(0);
          go(searchRoute({ ...state, from: bar.key, to: end.toISOString().slice(0, 10) }));
        })
      : empty("dated articles"),
  );
}
