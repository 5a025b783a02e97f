// Live: follows WatchArticles, newest first, until the user leaves the page
// (leaving cancels the stream, which ends the server's work for it).

import { api, ArticleView, cancelled } from "./api.js";
import { add, h } from "./dom.js";
import { articleRow, errorBox, type Page } from "./ui.js";

/** Articles kept on the page; older ones scroll off. */
const KEEP = 200;

export function live(page: Page): void {
  const status = h("p", { class: "live-status", role: "status", "data-testid": "live-status" }, "Connecting…");
  const list = h("ul", { class: "articles live", "aria-live": "polite", "data-testid": "live-articles" });
  add(page.view, h("h1", null, "Live"), h("p", null, "New articles appear here as they are ingested."), status, list);
  (async () => {
    let n = 0;
    const stream = api.watchArticles({ view: ArticleView.BASIC }, { signal: page.signal, timeoutMs: 0 });
    status.textContent = "Following new articles…";
    status.classList.add("on");
    for await (const article of stream) {
      n++;
      list.prepend(articleRow(article));
      while (list.childElementCount > KEEP) list.lastElementChild?.remove();
      status.textContent = `Following new articles… ${n} so far.`;
    }
    status.textContent = "The server ended the stream.";
    status.classList.remove("on");
  })().catch((error: unknown) => {
    if (page.signal.aborted || cancelled(error)) return;
    status.classList.remove("on");
    status.replaceChildren(errorBox(error));
  });
}
