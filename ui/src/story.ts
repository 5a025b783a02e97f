// Stories: the list (largest or latest), and one story's coverage across
// outlets and dates with the quotes several of its articles share.

import { api, ArticleView, StoryOrder, take, type Entity, type Quote } from "./api.js";
import { add, count, fill, h, link } from "./dom.js";
import { articleRow, empty, entityChip, errorBox, section, type Page } from "./ui.js";

const PAGE_SIZE = 50;

export function stories(page: Page, params: URLSearchParams): void {
  const recent = params.get("order") === "recent";
  add(page.view, 
    h("h1", null, "Stories"),
    h(
      "p",
      { class: "tabs" },
      recent ? link("/stories", "Largest") : h("strong", null, "Largest"),
      " · ",
      recent ? h("strong", null, "Latest") : link("/stories?order=recent", "Latest"),
    ),
  );
  section(page, recent ? "Latest stories" : "Largest stories", async (body) => {
    const list = h("ol", { class: "stories", "data-testid": "stories" });
    fill(body, list);
    let cursor = "";
    const more = async (): Promise<void> => {
      let n = 0;
      for await (const story of api.listStories(
        { order: recent ? StoryOrder.RECENT : StoryOrder.SIZE, limit: PAGE_SIZE, cursor },
        { signal: page.signal },
      )) {
        n++;
        cursor = story.cursor;
        list.append(
          h(
            "li",
            null,
            link(`/story/${encodeURIComponent(story.id)}`, story.title || story.id),
            h(
              "span",
              { class: "meta" },
              `${count(story.articleCount)} articles · ${story.outlets.length} outlets · ${story.firstPublished || "undated"}`,
              story.lastPublished && story.lastPublished !== story.firstPublished ? ` – ${story.lastPublished}` : "",
            ),
          ),
        );
      }
      body.querySelector("button.more")?.remove();
      if (!list.childElementCount) body.append(empty("stories"));
      if (n === PAGE_SIZE) {
        const button = h("button", { type: "button", class: "more" }, "More stories");
        button.addEventListener("click", () => {
          button.disabled = true;
          more().catch((error) => body.append(errorBox(error)));
        });
        body.append(button);
      }
    };
    await more();
  });
}

export async function story(page: Page, id: string): Promise<void> {
  const { signal } = page;
  const loading = h("p", { class: "loading" }, "Loading…");
  add(page.view, loading);
  const s = await api.getStory({ id }, { signal });
  loading.remove();
  add(page.view, 
    h("h1", null, s.title || s.id),
    s.id !== id ? h("p", { class: "meta" }, "This story absorbed the one you asked for.") : null,
    h(
      "p",
      { class: "meta", "data-testid": "story-counts" },
      `${count(s.articleCount)} articles from ${s.outlets.length} outlets · ${s.firstPublished || "undated"}`,
      s.lastPublished && s.lastPublished !== s.firstPublished ? ` – ${s.lastPublished}` : "",
      ` · ${count(s.quoteCount)} quotes, ${count(s.corroboratedQuoteCount)} reported by several articles`,
    ),
    h("p", null, "Outlets: ", s.outlets.join(" · ")),
  );

  section(page, "Who is in it", async (body) => {
    const entities: Entity[] = await Promise.all(
      s.topEntityIds.map((eid) => api.getEntity({ selector: { case: "id", value: eid } }, { signal })),
    );
    fill(body, entities.length ? h("p", { class: "chips" }, entities.map((e) => entityChip(e))) : empty("entities"));
  });

  const layout = h("div", { class: "with-side" });
  const main = h("div", { class: "main-col" });
  const side = h("aside", { class: "side-col" });
  layout.append(main, side);
  add(page.view, layout);

  section({ view: main, signal }, "Coverage", async (body) => {
    const articles = await take(
      api.listArticles({ filter: { storyId: s.id }, view: ArticleView.BASIC, limit: 500 }, { signal }),
    );
    articles.sort((a, b) => (a.published || "9999").localeCompare(b.published || "9999"));
    fill(
      body,
      articles.length ? h("ul", { class: "articles", "data-testid": "story-articles" }, articles.map(articleRow)) : empty("articles"),
    );
  });

  section({ view: side, signal }, "Quotes several outlets carry", async (body) => {
    const quotes = await take(api.listQuotes({ articleFilter: { storyId: s.id }, limit: 2000 }, { signal }));
    // One line per quoted text: the first article's version, with how many
    // articles of the story carry it.
    const shared = new Map<string, { quote: Quote; articles: Set<string> }>();
    for (const q of quotes) {
      if (!q.corroboratingArticleCount && !q.corroboratingArticleIds.length) continue;
      const key = q.text.toLowerCase().replace(/\W+/g, " ").trim();
      const seen = shared.get(key);
      if (seen) seen.articles.add(q.articleId);
      else shared.set(key, { quote: q, articles: new Set([q.articleId]) });
    }
    const rows = [...shared.values()].sort((a, b) => b.articles.size - a.articles.size);
    fill(
      body,
      rows.length
        ? h(
            "ol",
            { class: "quote-list" },
            rows.map(({ quote, articles }) =>
              h(
                "li",
                null,
                h("blockquote", null, quote.text),
                h(
                  "p",
                  { class: "meta" },
                  "— ",
                  quote.speakerEntityId
                    ? link(`/entity/${encodeURIComponent(quote.speakerEntityId)}`, quote.speakerName)
                    : quote.speakerName || "speaker unknown",
                  ` · in ${articles.size} article${articles.size === 1 ? "" : "s"} of this story`,
                ),
              ),
            ),
          )
        : empty("quotes shared between articles"),
    );
  });
}
