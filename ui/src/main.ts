// The explorer's shell: header, navigation, the token dialog, and the router
// that draws one page at a time. Each page gets an AbortSignal that fires when
// the user navigates away, so its calls and streams stop.

import { setToken, token } from "./api.js";
import { article } from "./article.js";
import { h, fill } from "./dom.js";
import { entity } from "./entity.js";
import { home } from "./home.js";
import { live } from "./live.js";
import { current, go } from "./router.js";
import { search, searchRoute } from "./search.js";
import { stories, story } from "./story.js";
import { errorBox, type Page } from "./ui.js";

const view = document.getElementById("view") as HTMLElement;
let controller: AbortController | null = null;

function render(): void {
  controller?.abort();
  controller = new AbortController();
  const page: Page = { view, signal: controller.signal };
  const route = current();
  view.replaceChildren();
  markNav(route.name);
  let done: void | Promise<void> = undefined;
  try {
    switch (route.name) {
      case "":
        done = home(page);
        break;
      case "search":
        done = search(page, route.params);
        break;
      case "article":
        done = article(page, route.arg);
        break;
      case "entity":
        done = entity(page, route.arg);
        break;
      case "story":
        done = story(page, route.arg);
        break;
      case "stories":
        done = stories(page, route.params);
        break;
      case "live":
        done = live(page);
        break;
      default:
        view.append(h("h1", null, "Not found"), h("p", null, "No such page. ", h("a", { href: "#/" }, "Home")));
    }
  } catch (error) {
    done = Promise.reject(error);
  }
  const signal = controller.signal;
  Promise.resolve(done).catch((error: unknown) => {
    if (signal.aborted) return;
    for (const node of view.querySelectorAll(".loading")) node.remove();
    view.append(errorBox(error));
  });
  document.title = `${route.name ? `${route.name[0]!.toUpperCase()}${route.name.slice(1)} · ` : ""}newscorpus explorer`;
  // Keyboard and screen-reader users land on the new page's content.
  view.focus({ preventScroll: true });
  window.scrollTo(0, 0);
}

function markNav(name: string): void {
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav.main a")) {
    const target = a.getAttribute("href")?.replace(/^#\//, "").split(/[/?]/)[0] ?? "";
    if (target === name) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function tokenDialog(): void {
  const dialog = document.getElementById("token-dialog") as HTMLDialogElement;
  const input = dialog.querySelector("input") as HTMLInputElement;
  input.value = token();
  dialog.showModal();
}

function setup(): void {
  const quick = document.getElementById("quick-search") as HTMLFormElement;
  quick.addEventListener("submit", (event) => {
    event.preventDefault();
    const q = (quick.elements.namedItem("q") as HTMLInputElement).value;
    go(searchRoute({ q }));
  });
  const dialog = document.getElementById("token-dialog") as HTMLDialogElement;
  dialog.addEventListener("close", () => {
    if (dialog.returnValue === "save") {
      setToken((dialog.querySelector("input") as HTMLInputElement).value);
      render();
    }
  });
  document.getElementById("token-button")?.addEventListener("click", tokenDialog);
  // The skip link moves focus; following its href would change the route.
  document.getElementById("skip")?.addEventListener("click", (event) => {
    event.preventDefault();
    view.focus();
  });
  // Error boxes offer "enter a token" when the server asks for one.
  view.addEventListener("click", (event) => {
    const target = event.target as HTMLElement;
    if (target.closest("[data-action=token]")) tokenDialog();
  });
  window.addEventListener("hashchange", render);
  // Any error no page caught is still shown, never a blank page.
  window.addEventListener("unhandledrejection", (event) => {
    if (controller?.signal.aborted) return;
    view.append(errorBox(event.reason));
  });
  render();
}

try {
  setup();
} catch (error) {
  fill(view, errorBox(error));
}
