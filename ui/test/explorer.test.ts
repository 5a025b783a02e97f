// The corpus explorer in a real browser: Debian's Chromium, headless, driven
// by puppeteer-core (which never downloads a browser), against servers on the
// seeds. Each page is loaded as a user would, checked against what the API
// says through an independent gRPC client, and photographed into
// $SCREENSHOT_DIR (target/explorer/ from scripts/clients/browser.sh).

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { StoryOrder } from "../src/gen/newscorpus/v1/corpus_service_pb.js";
import { OffsetEncoding } from "../src/gen/newscorpus/v1/types_pb.js";
import { launch, tempFile, type Server } from "./server.js";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const SHOTS = process.env.SCREENSHOT_DIR ?? join(process.cwd(), "screenshots");
const WAIT = { timeout: 20_000 };

/** An article whose entity mentions come after emoji and astral characters. */
const ASTRAL = {
  title: "Bridge to reopen 🌉 after repairs",
  outlet: "Browser Test Gazette",
  published: "2026-03-02",
  text:
    "Bridge to reopen 🌉 after repairs\n\n" +
    "Fireworks 🎆🎆 and the sign 𝔸𝔹ℂ greeted the crews on Monday. Amara Okonkwo, the mayor of Lagos, " +
    "said the bridge would reopen within a week.\n\n" +
    "\"We will open it to traffic 🚗 on Friday,\" Okonkwo said. The Lagos State Ministry of Works agreed.\n",
};

let browser: Browser;
const errors: string[] = [];

before(async () => {
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Root in CI containers has no user namespaces for Chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
});

after(async () => {
  await browser?.close();
  assert.deepEqual(errors, [], "uncaught errors on the pages");
});

async function open(server: Server, route: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport(viewport);
  page.on("pageerror", (error) => errors.push(`${route}: ${String(error)}`));
  await page.goto(`${server.url}/#${route}`, { waitUntil: "domcontentloaded" });
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  // What the window shows, for the README (docs/img/explorer-*.png).
  await page.screenshot({ path: join(SHOTS, `${name}-window.png`) });
}

/** The page's text of each `[data-mention]` index (pieces of a mention cut by a quote's edge joined). */
async function markedMentions(page: Page): Promise<Map<number, string>> {
  const pairs = await page.$$eval("[data-testid=article-body] [data-mention]", (nodes) =>
    nodes.map((n) => [Number(n.getAttribute("data-mention")), n.textContent ?? ""] as [number, string]),
  );
  const out = new Map<number, string>();
  for (const [i, text] of pairs) out.set(i, (out.get(i) ?? "") + text);
  return out;
}

describe("corpus explorer in headless Chromium", () => {
  let server: Server;

  before(async () => {
    server = await launch();
  });

  after(async () => {
    assert.equal(await server?.stop(), 0);
  });

  it("home shows the corpus at a glance without typing", async () => {
    const stats = await server.grpc().getCorpusStats({});
    const page = await open(server, "/");
    await page.waitForSelector("[data-testid=counts]", WAIT);
    const counts = await page.$eval("[data-testid=counts]", (n) => n.textContent ?? "");
    assert.match(counts, new RegExp(`articles\\s*${stats.articleCount}`));
    assert.match(counts, new RegExp(`quotes\\s*${stats.quoteCount.toLocaleString("en-GB")}`));
    await page.waitForSelector("[data-testid=latest] li", WAIT);
    const latest = await page.$$eval("[data-testid=latest] li", (n) => n.length);
    // Dated articles first, newest first; undated ones after them.
    const dates = await page.$$eval("[data-testid=latest] li .meta", (n) =>
      n.map((m) => /\d{4}-\d{2}-\d{2}/.exec(m.textContent ?? "")?.[0] ?? ""),
    );
    const dated = dates.filter(Boolean);
    assert.ok(dated.length > 0);
    assert.deepEqual(dated, [...dated].sort().reverse());
    assert.deepEqual(dates.slice(0, dated.length), dated, "undated ones come last");
    assert.equal(latest, Math.min(10, Number(stats.articleCount)));
    await page.waitForSelector("ul.stories li a", WAIT);
    await page.waitForSelector("ol.ranking li", WAIT);
    await shot(page, "home");
    await page.close();
  });

  it("search shows highlighted hits, facet counts and a date histogram", async () => {
    const page = await open(server, "/");
    await page.waitForSelector("#quick-search input");
    await page.type("#quick-search input", "sanctions");
    await page.keyboard.press("Enter");
    await page.waitForSelector("[data-testid=hits] li", WAIT);
    const hits = await server.grpc().searchArticles({ query: "sanctions" });
    let expected = 0;
    for await (const _ of hits) expected++;
    assert.ok(expected > 0);
    const shown = await page.$$eval("[data-testid=hits] > li", (n) => n.length);
    assert.equal(shown, Math.min(20, expected));
    const marks = await page.$$eval(".snippet mark", (n) => n.map((m) => (m.textContent ?? "").toLowerCase()));
    assert.ok(marks.length > 0 && marks.every((m) => m.startsWith("sanctions")), marks.join(","));
    await page.waitForSelector("[data-testid=match-count]", WAIT);
    const total = await page.$eval("[data-testid=match-count]", (n) => n.textContent ?? "");
    assert.equal(total, `${expected} matching articles`);
    assert.ok((await page.$$("svg.chart rect.bar")).length > 0, "date histogram drawn");
    assert.ok((await page.$$(".facet li")).length > 0, "facet buckets listed");
    await shot(page, "search");
    await page.close();
  });

  it("search filters (outlet, entity by name, dates) narrow the hits as the API does", async () => {
    const grpc = server.grpc();
    // A person in some articles but not all, so the filter narrows.
    const stats = await grpc.getCorpusStats({});
    let person = "";
    for await (const e of grpc.listEntities({ type: 1 })) {
      if (!person && e.articleCount > 1 && e.articleCount < Number(stats.articleCount)) person = e.name;
    }
    assert.ok(person);
    const cases = [
      { route: "/search?q=iran&outlet=South+China+Morning+Post", filter: { outlet: "South China Morning Post" } },
      { route: "/search?q=iran&from=2022-04-28&to=2022-04-30", filter: { publishedFrom: "2022-04-28", publishedTo: "2022-04-30" } },
      {
        route: `/search?q=iran&entity=${encodeURIComponent(person)}`,
        filter: { entityId: (await grpc.getEntity({ selector: { case: "name", value: person } })).id },
      },
    ];
    for (const { route, filter } of cases) {
      let expected = 0;
      for await (const _ of grpc.searchArticles({ query: "iran", filter })) expected++;
      const all = [];
      for await (const hit of grpc.searchArticles({ query: "iran" })) all.push(hit);
      assert.ok(expected > 0 && expected < all.length, `${route}: ${expected} of ${all.length} narrows`);
      const page = await open(server, route);
      await page.waitForSelector("[data-testid=match-count]", WAIT);
      await page.waitForSelector("[data-testid=hits] li", WAIT);
      assert.equal(await page.$$eval("[data-testid=hits] > li", (n) => n.length), expected, route);
      assert.equal(await page.$eval("[data-testid=match-count]", (n) => n.textContent), `${expected} matching articles`);
      await page.close();
    }
  });

  it("an article marks every mention exactly, also after emoji and astral characters", async () => {
    const grpc = server.grpc();
    const results = grpc.ingestArticles(
      (async function* () {
        yield { ...ASTRAL, clientRef: "astral" };
      })(),
    );
    let id = "";
    for await (const r of results) id = r.articleId;
    assert.ok(id, "ingested");
    const mentions = [];
    for await (const m of grpc.listMentions({ articleId: id, offsetEncoding: OffsetEncoding.UTF16 })) mentions.push(m);
    assert.ok(mentions.length >= 3, `mentions found: ${mentions.map((m) => m.text).join(", ")}`);
    const quotes = [];
    for await (const q of grpc.listQuotes({ articleId: id, offsetEncoding: OffsetEncoding.UTF16 })) quotes.push(q);

    const page = await open(server, `/article/${encodeURIComponent(id)}`);
    await page.waitForSelector("[data-testid=article-body]", WAIT);
    const marked = await markedMentions(page);
    assert.equal(marked.size, mentions.length, "every mention is marked");
    mentions.forEach((m, i) => assert.equal(marked.get(i), m.text, `mention ${i} (${m.entityId})`));
    const quoteTexts = await page.$$eval("[data-testid=article-body] .quote", (n) => n.map((q) => q.textContent));
    assert.equal(quoteTexts.length, quotes.length);
    assert.ok(quoteTexts[0]?.includes("🚗"), "the quote's mark keeps its emoji");
    // The whole body is shown, character for character.
    const article = await grpc.getArticle({ id });
    assert.equal(await page.$eval("[data-testid=article-body]", (n) => n.textContent), article.body);
    await page.close();
  });

  it("a seed article shows its entities and quotes with speakers; a mention opens its entity", async () => {
    const grpc = server.grpc();
    let seed = "";
    for await (const a of grpc.listArticles({ limit: 1 })) seed = a.id;
    const mentions = [];
    for await (const m of grpc.listMentions({ articleId: seed, offsetEncoding: OffsetEncoding.UTF16 })) mentions.push(m);
    const page = await open(server, `/article/${encodeURIComponent(seed)}`);
    await page.waitForSelector("[data-testid=article-body] [data-mention]", WAIT);
    const marked = await markedMentions(page);
    assert.equal(marked.size, mentions.length);
    mentions.forEach((m, i) => assert.equal(marked.get(i), m.text));
    await page.waitForSelector("[data-testid=quotes] li", WAIT);
    const speakers = await page.$$eval("[data-testid=quotes] li .meta", (n) => n.map((s) => s.textContent ?? ""));
    assert.ok(speakers.some((s) => s.length > 3 && !s.includes("unknown")), "some quote has a speaker");
    await shot(page, "article");
    await page.setViewport({ width: 390, height: 844 });
    await shot(page, "article-phone");

    // Follow the first person mention, as a user would.
    const person = mentions.findIndex((m) => m.entityId.startsWith("person/"));
    assert.ok(person >= 0);
    await page.setViewport({ width: 1280, height: 900 });
    await Promise.all([page.waitForSelector("[data-testid=entity-counts]", WAIT), page.click(`[data-mention="${person}"]`)]);
    const entity = await grpc.getEntity({ selector: { case: "id", value: mentions[person]!.entityId } });
    assert.equal(await page.$eval("h1", (n) => n.firstChild?.textContent), entity.name);
    await page.waitForSelector("[data-testid=entity-articles] li", WAIT);
    assert.equal(await page.$$eval("[data-testid=entity-articles] li", (n) => n.length), Math.min(50, entity.articleCount));
    await page.waitForSelector("svg.network .node", WAIT);
    await page.waitForSelector("svg.chart", WAIT);
    await shot(page, "entity");
    await page.close();
  });

  it("a story lists its coverage across outlets", async () => {
    const grpc = server.grpc();
    let first = null;
    for await (const s of grpc.listStories({ order: StoryOrder.SIZE, limit: 1 })) first = s;
    assert.ok(first);
    const page = await open(server, "/stories");
    await page.waitForSelector("[data-testid=stories] li a", WAIT);
    await Promise.all([page.waitForSelector("[data-testid=story-articles] li", WAIT), page.click("[data-testid=stories] li a")]);
    assert.equal(await page.$$eval("[data-testid=story-articles] li", (n) => n.length), first.articleCount);
    await shot(page, "story");
    await page.close();
  });

  it("live follows a watch while another client ingests", async () => {
    const page = await open(server, "/live");
    await page.waitForFunction(
      () => document.querySelector("[data-testid=live-status]")?.textContent?.startsWith("Following"),
      WAIT,
    );
    // The watch is open once the server has answered the call's headers;
    // give it a moment, then ingest from a gRPC client.
    await new Promise((done) => setTimeout(done, 500));
    const title = `Live test article ${Date.now()}`;
    const results = server.grpc().ingestArticles(
      (async function* () {
        yield { title, outlet: "Live Wire", published: "2026-03-03", text: `${title}\n\nThe council of Springfield met on Tuesday to vote on the budget.\n` };
      })(),
    );
    for await (const _ of results);
    await page.waitForFunction(
      (t) => [...document.querySelectorAll("[data-testid=live-articles] li a")].some((a) => a.textContent === t),
      WAIT,
      title,
    );
    await shot(page, "live");
    await page.close();
  });

  it("a failing call shows the API's status and message, never a blank page", async () => {
    const page = await open(server, "/article/no-such-article");
    await page.waitForSelector(".error", WAIT);
    const text = await page.$eval(".error", (n) => n.textContent ?? "");
    assert.match(text, /^NOT_FOUND /);
    assert.match(text, /no-such-article/);
    await shot(page, "error");
    await page.close();
  });
});

describe("explorer with auth, and gRPC-Web across origins, in headless Chromium", () => {
  let guarded: Server;
  let closed: Server;
  let allowing: Server;
  // A page of another origin, as a third-party web app would be (the
  // explorer's own pages may only call their own origin: its CSP says so).
  let app: HttpServer;
  let appOrigin = "";

  before(async () => {
    app = createHttpServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end("<!doctype html><title>another web app</title>");
    });
    await new Promise<void>((done) => app.listen(0, "127.0.0.1", done));
    const address = app.address();
    appOrigin = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
    const tokens = tempFile("tokens", "read:browser-secret-token-1\n");
    [guarded, closed, allowing] = await Promise.all([
      launch(["--auth-token-file", tokens], "browser-secret-token-1"),
      launch(),
      launch(["--cors-origin", appOrigin]),
    ]);
  });

  after(async () => {
    for (const s of [guarded, closed, allowing]) assert.equal(await s?.stop(), 0);
    app?.close();
  });

  it("asks for a token, then works with it", async () => {
    const page = await open(guarded, "/");
    await page.waitForSelector(".error [data-action=token]", WAIT);
    assert.match(await page.$eval(".error", (n) => n.textContent ?? ""), /^UNAUTHENTICATED /);
    await page.click(".error [data-action=token]");
    await page.type("#token-dialog input", "browser-secret-token-1");
    await Promise.all([page.waitForSelector("[data-testid=counts]", WAIT), page.click("#token-dialog button[value=save]")]);
    await page.close();
  });

  it("works over TLS: the page and its gRPC-Web calls on the https port", async () => {
    const dir = mkdtempSync(join(tmpdir(), "newscorpus-tls-"));
    const [cert, key] = [join(dir, "cert.pem"), join(dir, "key.pem")];
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
    ], { stdio: "ignore" });
    const secure = await launch(["--tls-cert", cert, "--tls-key", key]);
    // A browser of its own that accepts the self-signed certificate.
    const trusting = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--ignore-certificate-errors"],
    });
    try {
      const stats = await secure.grpc().getCorpusStats({});
      const page = await trusting.newPage();
      page.on("pageerror", (error) => errors.push(`tls: ${String(error)}`));
      await page.goto(`${secure.url}/#/`, { waitUntil: "domcontentloaded" });
      assert.ok(page.url().startsWith("https://"));
      await page.waitForSelector("[data-testid=counts]", WAIT);
      const counts = await page.$eval("[data-testid=counts]", (n) => n.textContent ?? "");
      assert.match(counts, new RegExp(`articles\\s*${stats.articleCount}`));
    } finally {
      await trusting.close();
      assert.equal(await secure.stop(), 0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a server that goes away mid-session gives an error box, not a blank page", async () => {
    const doomed = await launch();
    const page = await open(doomed, "/");
    await page.waitForSelector("[data-testid=counts]", WAIT);
    assert.equal(await doomed.stop(), 0);
    await page.click('nav.main a[href="#/stories"]');
    await page.waitForSelector(".error", WAIT);
    const text = await page.$eval(".error", (n) => n.textContent ?? "");
    assert.match(text, /^(UNAVAILABLE|UNKNOWN) \S/, text);
    assert.doesNotMatch(text, /\bat \S+:\d+:\d+/, "no stack trace");
    await shot(page, "server-gone");
    await page.close();
  });

  /** A gRPC-Web call to `to` from a page of the other web app: "ok", or what the page's fetch saw. */
  async function fromApp(to: Server): Promise<string> {
    const page = await browser.newPage();
    await page.goto(`${appOrigin}/`);
    const outcome = await page.evaluate(async (target) => {
      try {
        const response = await fetch(`${target}/newscorpus.v1.CorpusService/GetCorpusStats`, {
          method: "POST",
          headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
          body: new Uint8Array([0, 0, 0, 0, 0]),
        });
        return response.ok ? `ok ${response.headers.get("grpc-status") ?? "(status in trailers)"}` : `http ${response.status}`;
      } catch (error) {
        return `blocked: ${String(error)}`;
      }
    }, to.url);
    await page.close();
    return outcome;
  }

  it("a page of an origin not allowed gets no CORS grant; an allowed one calls", async () => {
    assert.match(await fromApp(closed), /^blocked: TypeError/);
    assert.match(await fromApp(allowing), /^ok /);
  });
});
