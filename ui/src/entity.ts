// An entity: name, type, aliases, roles; its coverage week by week; the
// entities seen with it, drawn as a network; its articles and its quotes.

import { api, ArticleView, DateInterval, FacetKind, RelationOrder, take, typeClass, typeName } from "./api.js";
import { histogram, network } from "./charts.js";
import { add, count, fill, h, link } from "./dom.js";
import { searchRoute } from "./search.js";
import { articleRow, empty, entityChip, section, type Page } from "./ui.js";

const RELATED = 16;

export async function entity(page: Page, id: string): Promise<void> {
  const { signal } = page;
  const loading = h("p", { class: "loading" }, "Loading…");
  add(page.view, loading);
  const e = await api.getEntity({ selector: { case: "id", value: id } }, { signal });
  loading.remove();
  add(page.view, 
    h("h1", null, e.name, " ", h("span", { class: `chip type-${typeClass(e.type)}` }, typeName(e.type))),
    h(
      "p",
      { class: "meta", "data-testid": "entity-counts" },
      `${count(e.mentionCount)} mentions in ${count(e.articleCount)} articles`,
      " · ",
      link(searchRoute({ q: `"${e.name}"`, entity: e.id }), "search its articles"),
    ),
    e.aliases.length ? h("p", null, "Also written: ", h("span", { class: "aliases" }, e.aliases.join(" · "))) : null,
    e.roles.length ? h("p", null, "Roles: ", e.roles.join(" · ")) : null,
  );

  const layout = h("div", { class: "with-side" });
  const main = h("div", { class: "main-col" });
  const side = h("aside", { class: "side-col" });
  layout.append(main, side);
  add(page.view, layout);
  const mainPage: Page = { view: main, signal };
  const sidePage: Page = { view: side, signal };

  section(mainPage, "Coverage over time", async (body) => {
    const result = await api.aggregateArticles(
      { filter: { entityId: e.id }, facets: [{ kind: FacetKind.DATE_HISTOGRAM, interval: DateInterval.WEEK }] },
      { signal },
    );
    const facet = result.results[0];
    const bars = (facet?.buckets ?? []).map((b) => ({ key: b.key, count: Number(b.count) }));
    fill(
      body,
      bars.length ? histogram(bars, `Articles mentioning ${e.name}, by week`) : empty("dated articles"),
      facet?.undatedCount ? h("p", { class: "meta" }, `${count(facet.undatedCount)} undated articles`) : null,
    );
  });

  section(
    mainPage,
    "Seen with",
    async (body) => {
      const relations = await take(
        api.listRelatedEntities({ entity: e.id, order: RelationOrder.SCORE, limit: RELATED }, { signal }),
      );
      if (!relations.length) {
        fill(body, empty("entities in the same articles"));
        return;
      }
      fill(
        body,
        network(
          { id: e.id, name: e.name, kind: typeClass(e.type), weight: e.articleCount, href: `#/entity/${encodeURIComponent(e.id)}` },
          relations.map((r) => ({
            id: r.entityId,
            name: r.name,
            kind: typeClass(r.type),
            weight: r.articleCount,
            href: `#/entity/${encodeURIComponent(r.entityId)}`,
          })),
        ),
        h(
          "table",
          { class: "relations" },
          h("thead", null, h("tr", null, h("th", null, "entity"), h("th", null, "articles"), h("th", null, "paragraphs"), h("th", null, "NPMI"))),
          h(
            "tbody",
            null,
            relations.map((r) =>
              h(
                "tr",
                null,
                h("td", null, entityChip({ id: r.entityId, name: r.name, type: r.type })),
                h("td", null, count(r.articleCount)),
                h("td", null, count(r.paragraphCount)),
                h("td", null, r.score.toFixed(2)),
              ),
            ),
          ),
        ),
      );
    },
    { class: "related" },
  );

  section(sidePage, "Articles", async (body) => {
    const articles = await take(
      api.listArticles({ filter: { entityId: e.id }, view: ArticleView.BASIC, limit: 50 }, { signal }),
    );
    fill(
      body,
      articles.length ? h("ul", { class: "articles", "data-testid": "entity-articles" }, articles.map(articleRow)) : empty("articles"),
      e.articleCount > articles.length ? h("p", { class: "meta" }, `First ${articles.length} of ${count(e.articleCount)}.`) : null,
    );
  });

  section(sidePage, "Quotes", async (body) => {
    const quotes = await take(api.listQuotes({ speaker: e.id, limit: 50 }, { signal }));
    fill(
      body,
      quotes.length
        ? h(
            "ol",
            { class: "quote-list" },
            quotes.map((q) =>
              h(
                "li",
                null,
                h("blockquote", null, q.text),
                h("p", { class: "meta" }, link(`/article/${encodeURIComponent(q.articleId)}`, "in this article"), q.cue ? ` (${q.cue})` : ""),
              ),
            ),
          )
        : empty("quotes attributed"),
    );
  });
}
