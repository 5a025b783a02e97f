// Hand-drawn SVG: a date histogram and an entity's ego network. Both are small
// (tens of bars, at most a few dozen nodes), so a chart library would add more
// code than it saves; each chart also carries a text alternative.

import { s } from "./dom.js";

export interface Bar {
  /** First day of the bucket, `YYYY-MM-DD`. */
  key: string;
  count: number;
}

/** Bars of a date histogram; `pick` is called with the bar clicked (or entered). */
export function histogram(bars: Bar[], label: string, pick?: (bar: Bar, next: Bar | undefined) => void): SVGElement {
  const width = 640;
  const height = 160;
  const bottom = 22;
  const max = Math.max(1, ...bars.map((b) => b.count));
  // Bars no wider than 48 units, centred: one bar must not fill the chart.
  const step = Math.min(48, width / Math.max(1, bars.length));
  const left = (width - step * bars.length) / 2;
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${height}`,
    class: "chart",
    role: "img",
    "aria-label": `${label}: ${bars.map((b) => `${b.key} ${b.count}`).join(", ")}`,
  });
  bars.forEach((bar, i) => {
    const h = ((height - bottom - 6) * bar.count) / max;
    const rect = s(
      "rect",
      {
        x: (left + i * step + step * 0.1).toFixed(1),
        y: (height - bottom - h).toFixed(1),
        width: Math.max(1, step * 0.8).toFixed(1),
        height: Math.max(bar.count > 0 ? 1 : 0, h).toFixed(1),
        class: "bar",
        "data-key": bar.key,
      },
      s("title", {}, `${bar.key}: ${bar.count}`),
    );
    if (pick) {
      rect.setAttribute("tabindex", "0");
      rect.setAttribute("role", "button");
      rect.setAttribute("aria-label", `${bar.key}: ${bar.count} articles`);
      const choose = () => pick(bar, bars[i + 1]);
      rect.addEventListener("click", choose);
      rect.addEventListener("keydown", (event) => {
        const key = (event as KeyboardEvent).key;
        if (key === "Enter" || key === " ") {
          event.preventDefault();
          choose();
        }
      });
    }
    svg.append(rect);
  });
  // Labels on the first and last bars and a few between, never overlapping.
  const every = Math.max(1, Math.ceil(bars.length / 6));
  bars.forEach((bar, i) => {
    if (i % every !== 0 && i !== bars.length - 1) return;
    if (i === bars.length - 1 && i % every !== 0 && bars.length - 1 - (i - (i % every)) < every / 2) return;
    svg.append(
      s("text", { x: (left + i * step + step / 2).toFixed(1), y: height - 6, class: "axis", "text-anchor": "middle" }, bar.key),
    );
  });
  svg.append(s("text", { x: 2, y: 12, class: "axis" }, `max ${max}`));
  return svg;
}

export interface Node {
  id: string;
  name: string;
  /** CSS class of the entity type. */
  kind: string;
  /** Articles mentioning both (or, for the centre, the entity's own count). */
  weight: number;
  href: string;
}

/**
 * An ego network: the entity in the middle, its related entities on a circle
 * around it, nearer and larger the more articles they share with it.
 */
export function network(centre: Node, partners: Node[]): SVGElement {
  // Wide enough for the labels left and right of the circle.
  const width = 760;
  const size = 520;
  const mid = size / 2;
  const centreX = width / 2;
  const max = Math.max(1, ...partners.map((p) => p.weight));
  const svg = s("svg", {
    viewBox: `0 0 ${width} ${size}`,
    class: "network",
    role: "img",
    "aria-label": `${centre.name} and the entities seen with it: ${partners
      .map((p) => `${p.name} (${p.weight})`)
      .join(", ")}`,
  });
  const edges = s("g", { class: "edges" });
  const nodes = s("g", { class: "nodes" });
  svg.append(edges, nodes);
  partners.forEach((p, i) => {
    const angle = (2 * Math.PI * i) / Math.max(1, partners.length) - Math.PI / 2;
    const reach = mid - 70 - 70 * (p.weight / max) * 0.6;
    const x = centreX + reach * Math.cos(angle);
    const y = mid + reach * Math.sin(angle);
    edges.append(
      s("line", {
        x1: centreX,
        y1: mid,
        x2: x.toFixed(1),
        y2: y.toFixed(1),
        "stroke-width": (1 + 5 * (p.weight / max)).toFixed(1),
        class: "edge",
      }),
    );
    nodes.append(node(p, x, y, 6 + 10 * Math.sqrt(p.weight / max), Math.cos(angle) < -0.1 ? "end" : "start"));
  });
  nodes.append(node(centre, centreX, mid, 22, "middle", true));
  return svg;
}

function node(n: Node, x: number, y: number, r: number, anchor: string, centre = false): SVGElement {
  const dx = anchor === "middle" ? 0 : anchor === "end" ? -(r + 4) : r + 4;
  const dy = anchor === "middle" ? r + 16 : 4;
  return s(
    "a",
    { href: n.href, class: `node type-${n.kind}${centre ? " centre" : ""}`, "aria-label": n.name },
    s("circle", { cx: x.toFixed(1), cy: y.toFixed(1), r: r.toFixed(1) }),
    s("text", { x: (x + dx).toFixed(1), y: (y + dy).toFixed(1), "text-anchor": anchor }, short(n.name)),
    s("title", {}, `${n.name}: ${n.weight} article${n.weight === 1 ? "" : "s"}`),
  );
}

/** A label cut to 28 characters (the full name is in the node's title). */
function short(name: string): string {
  const chars = Array.from(name);
  return chars.length > 28 ? `${chars.slice(0, 27).join("")}…` : name;
}
