// The home page: the corpus at a glance, nothing to type.

import { api, DateInterval, FacetKind, StoryOrder, take, typeName, ArticleView } from "./api.js";
import { add, count, h, fill, link } from "./dom.js";
import { articleRow, empty, section, type Page } from "./ui.js";

/** How many of the latest dated articles the home page lists. */
const LATEST = 10;

export function home(page: Page): void {
  add(page.view, h("h1", null, "Corpus at a glance"));
  const signal = page.signal;

  section(page, "Counts", async (body) => {
    const stats = await api.getCorpusStats({}, { signal });
    const cards: [string, bigint | number][] = [
      ["articles", stats.articleCount],
      ["entities", stats.entityCount],
      ["mentions", stats.mentionCount],
      ["quotes", stats.quoteCount],
      ["quotes reported by several articles", stats.corroboratedQuoteCount],
    ];
    fill(
      body,
      h(
        "dl",
        { class: "cards", "data-testid": "counts" },
        cards.map(([label, value]) => h("div", { class: "card" }, h("dt", null, label), h("dd", null, count(value)))),
      ),
      h(
        "p",
        { class: "by-type" },
        stats.entitiesByType.map((t) => h("span", { class: "meta" }, `${count(t.count)} ${typeName(t.type)} · `)),
      ),
    );
  });

  section(page, "Latest articles", async (body) => {
    // The API lists articles in corpus order; the latest by date come from the
    // day histogram: the last days that hold LATEST articles, then those days'
    // articles, newest first. Undated articles fill the list when the dated
    // ones are too few.
    const histogram = await api.aggregateArticles(
      { facets: [{ kind: FacetKind.DATE_HISTOGRAM, interval: DateInterval.DAY }] },
      { signal },
    );
    const days = histogram.results[0]?.buckets.filter((b) => b.count > 0n) ?? [];
    let from = "";
    let seen = 0n;
    for (let i = days.length - 1; i >= 0 && seen < BigInt(LATEST); i--) {
      from = days[i]!.key;
      seen += days[i]!.count;
    }
    const articles = from
      ? await take(api.listArticles({ filter: { publishedFrom: from }, view: ArticleView.BASIC, limit: 1000 }, { signal }))
      : [];
    articles.sort((a, b) => b.published.localeCompare(a.published));
    articles.splice(LATEST);
    if (articles.length < LATEST) {
      for await (const article of api.listArticles({ view: ArticleView.BASIC, limit: 1000 }, { signal })) {
        if (article.published) continue;
        articles.push(article);
        if (articles.length >= LATEST) break;
      }
    }
    fill(body, articles.length ? h("ul", { class: "articles", "data-testid": "latest" }, articles.map(articleRow)) : empty("articles"));
  });

  section(page, "Largest stories", async (body) => {
    const stories = await take(api.listStories({ order: StoryOrder.SIZE, limit: 5 }, { signal }));
    fill(
      body,
      stories.length
        ? h(
            "ul",
            { class: "stories" },
            stories.map((story) =>
              h(
                "li",
                null,
                link(`/story/${encodeURIComponent(story.id)}`, story.title || story.id),
                h(
                  "span",
                  { class: "meta" },
                  `${story.articleCount} articles · ${story.outlets.length} outlets · ${story.firstPublished || "undated"}`,
                  story.lastPublished && story.lastPublished !== story.firstPublished ? ` – ${story.lastPublished}` : "",
                ),
              ),
            ),
          )
        : empty("stories"),
      h("p", null, link("/stories", "All stories →")),
    );
  });

  section(page, "Most quoted", async (body) => {
    const result = await api.aggregateArticles({ facets: [{ kind: FacetKind.SPEAKER, size: 10 }] }, { signal });
    const buckets = result.results[0]?.buckets ?? [];
    fill(
      body,
      buckets.length
        ? h(
            "ol",
            { class: "ranking" },
            buckets.map((b) =>
              h(
                "li",
                null,
                b.key.includes("/") ? link(`/entity/${encodeURIComponent(b.key)}`, b.label) : b.label,
                h("span", { class: "meta" }, ` ${count(b.count)} articles`),
              ),
            ),
          )
        : empty("quotes"),
    );
  });
}
