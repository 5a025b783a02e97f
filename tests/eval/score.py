"""Copied from the shared evaluation kit (../shared/eval/score.py); the only
change is the per-type entity figures (`by_type`), which the quality test
(tests/clients/python/test_quality.py) holds to thresholds.

Score what the service extracted (a bundle from gather) against a gold file.

Entities: per article, bag of entities matched by surface form (case/punctuation-insensitive) and type.
Quotes: speech quotes (gold kind != scare) matched by text; attribution checked on matched quotes.
Prints one JSON line of figures; exit 0 when every threshold given on the command line holds.
usage: score.py GOLD BUNDLE [metric>=value ...]
"""
import json, re, sys, unicodedata

def norm(s):
    s = unicodedata.normalize("NFKC", s or "").lower()
    s = s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    s = re.sub(r"'s\b", "", s)
    s = re.sub(r"[^\w\s-]", " ", s)
    s = re.sub(r"^the\s+", "", s.strip())
    return re.sub(r"\s+", " ", s).strip()

def unwrap(o, key):
    return o[key] if isinstance(o, dict) and isinstance(o.get(key), dict) else o

TYPE_MAP = {"ORGANIZATION": "ORG", "LOCATION": "LOC", "WORK_OF_ART": "WORK", "NATIONALITY": "NORP"}
def etype(t):
    t = str(t or "").upper()
    t = t.split("ENTITY_TYPE_")[-1]
    return TYPE_MAP.get(t, t)

HONORIFICS = {"mr", "mrs", "ms", "dr", "sir", "dame", "lord", "president", "prime", "minister", "captain",
              "general", "gen", "maj", "negotiator", "senator", "sen", "rep", "governor", "mayor", "king",
              "queen", "prince", "princess", "professor", "prof", "spokesman", "spokeswoman", "chief"}
PRONOUNS = {"he", "she", "they", "it", "who", "we", "i", "you", "him", "her"}

def speaker_ok(pred, gold_name, gold_alias):
    """A predicted speaker matches when, titles aside, it is an alias of the gold speaker or shares its surname."""
    toks = [t for t in pred.split() if t not in HONORIFICS]
    if not toks or " ".join(toks) in PRONOUNS:
        return False
    bare = " ".join(toks)
    if gold_name in gold_alias.get(bare, set()) or bare == norm(gold_name):
        return True
    gl = norm(gold_name).split()
    return len(toks[-1]) >= 3 and gl and toks[-1] == gl[-1]

def prf(tp, npred, ngold):
    p = tp / npred if npred else 0.0; r = tp / ngold if ngold else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)

def base(fname):
    return fname.rsplit("/", 1)[-1]

def main():
    gold = json.load(open(sys.argv[1])); bundle = json.load(open(sys.argv[2]))
    fig, misses = score(gold, bundle)
    missing = fig["articles_missing"]
    if "-v" in sys.argv:
        for k, v in misses.items():
            print(k, len(v)); [print("   ", x) for x in v[:40]]
    ok = True
    for cond in sys.argv[3:]:
        if cond == "-v": continue
        k, v = cond.split(">=")
        if (fig.get(k) or 0) < float(v): ok = False
    print(json.dumps(fig))
    sys.exit(0 if ok and not missing else 1)

def score(gold, bundle):
    """(figures, misses) for a bundle of what the service returned."""
    arts = [unwrap(a, "article") for a in bundle["articles"]]
    ents = {e.get("id"): e for e in (unwrap(x, "entity") for x in bundle["entities"])}
    mentions = [unwrap(m, "mention") for m in bundle["mentions"]]
    quotes = [unwrap(q, "quote") for q in bundle["quotes"]]
    by_src = {}
    for a in arts:
        src = a.get("source") or a.get("sourceUri") or a.get("sourcePath") or a.get("id", "")
        by_src[base(src)] = a
    gold_alias = {}
    for ge in gold.get("entities", []):
        keys = {norm(ge["name"])} | {norm(x) for x in ge.get("aliases", [])}
        for k in keys:
            gold_alias.setdefault(k, set()).add(ge["name"])

    tp = npred = ngold = 0; tpu = 0; core_tp = core_pred = core_gold = 0
    type_tp, type_pred, type_gold = {}, {}, {}
    CORE = {"PERSON", "ORG", "GPE", "NORP"}
    q_tp = q_pred = q_gold = 0; attr_ok = attr_n = 0
    meta_ok = meta_n = 0; missing = []
    pred_ids_for_gold = {}  # gold corpus entity name -> set of predicted entity ids
    misses = {"entity_fn": [], "entity_fp": [], "quote_fn": [], "attr_wrong": []}
    for ga in gold["articles"]:
        a = by_src.get(base(ga["file"]))
        if a is None:
            missing.append(ga["file"]); ngold += len(ga["entities"]); continue
        aid = a.get("id")
        # metadata
        for field in ("title", "outlet", "published"):
            if field in ga:
                meta_n += 1
                if norm(a.get(field) or "") == norm(ga.get(field) or ""):
                    meta_ok += 1
        if "authors" in ga:
            meta_n += 1
            if sorted(map(norm, a.get("authors") or [])) == sorted(map(norm, ga["authors"])):
                meta_ok += 1
        # predicted entities in this article: entity id -> surfaces
        surf = {}
        for m in mentions:
            if m.get("articleId") == aid:
                surf.setdefault(m.get("entityId"), set()).add(norm(m.get("text", "")))
        pred = []
        for eid, ss in surf.items():
            e = ents.get(eid, {})
            keys = set(ss) | {norm(e.get("name", ""))}
            pred.append((eid, keys, etype(e.get("type")), e.get("name", eid)))
        golds = []
        for ge in ga["entities"]:
            keys = {norm(ge["name"])} | {norm(x) for x in ge.get("mentions", [])}
            golds.append((ge["name"], keys, ge["type"]))
        used = set(); matched_gold = set()
        for gi, (gname, gkeys, gtype) in enumerate(golds):
            best = None
            for pi, (eid, pkeys, ptype, pname) in enumerate(pred):
                if pi in used or not (pkeys & gkeys):
                    continue
                score = len(pkeys & gkeys) + (10 if ptype == gtype else 0)
                if best is None or score > best[0]:
                    best = (score, pi)
            if best:
                pi = best[1]; used.add(pi); matched_gold.add(gi); tpu += 1
                pred_ids_for_gold.setdefault(gname, set()).add(pred[pi][0])
                if pred[pi][2] == gtype:
                    tp += 1
                    type_tp[gtype] = type_tp.get(gtype, 0) + 1
                    if gtype in CORE: core_tp += 1
                else:
                    misses["entity_fp"].append(f"{ga['file'][:3]}: {pred[pi][3]} typed {pred[pi][2]} not {gtype}")
        for gi, (gname, _, gtype) in enumerate(golds):
            if gi not in matched_gold:
                misses["entity_fn"].append(f"{ga['file'][:3]}: {gname} [{gtype}]")
        for pi, p in enumerate(pred):
            if pi not in used:
                misses["entity_fp"].append(f"{ga['file'][:3]}: {p[3]} [{p[2]}]")
        npred += len(pred); ngold += len(golds)
        for p in pred: type_pred[p[2]] = type_pred.get(p[2], 0) + 1
        for g in golds: type_gold[g[2]] = type_gold.get(g[2], 0) + 1
        core_pred += sum(1 for p in pred if p[2] in CORE); core_gold += sum(1 for g in golds if g[2] in CORE)
        # quotes
        gq = [q for q in ga["quotes"] if q["kind"] != "scare"]
        pq = [q for q in quotes if q.get("articleId") == aid and "SCARE" not in str(q.get("kind", "")).upper()]
        q_gold += len(gq); q_pred += len(pq); usedq = set()
        for g in gq:
            gt = set(norm(g["text"]).split()); hit = None
            for i, p in enumerate(pq):
                if i in usedq: continue
                pt = set(norm(p.get("text", "")).split())
                if gt and pt and len(gt & pt) / len(gt | pt) >= 0.8:
                    hit = i; break
            if hit is None:
                misses["quote_fn"].append(f"{ga['file'][:3]}: {g['text'][:50]}"); continue
            usedq.add(hit); q_tp += 1
            if g.get("speaker"):
                attr_n += 1
                p = pq[hit]
                names = {norm(p.get("speakerName", ""))}
                se = ents.get(p.get("speakerEntityId"))
                if se:
                    names |= {norm(se.get("name", ""))} | {norm(x) for x in se.get("aliases", [])}
                ok = any(speaker_ok(n, g["speaker"], gold_alias) for n in names if n)
                attr_ok += ok
                if not ok:
                    misses["attr_wrong"].append(f"{ga['file'][:3]}: '{g['text'][:30]}' -> {p.get('speakerName')} (gold {g['speaker']})")
    # alias merging: gold entities seen under several surface forms or in several articles must map to one id
    merge_n = merge_ok = 0
    for name, ids in pred_ids_for_gold.items():
        ge = next((x for x in gold.get("entities", []) if x["name"] == name), None)
        if ge and (len(ge.get("articles", [])) > 1 or len(ge.get("aliases", [])) > 1):
            merge_n += 1; merge_ok += (len(ids) == 1)
    ep, er, ef = prf(tp, npred, ngold); up, ur, uf = prf(tpu, npred, ngold)
    cp, cr, cf = prf(core_tp, core_pred, core_gold); qp, qr, qf = prf(q_tp, q_pred, q_gold)
    fig = {"entity_f1": round(ef, 3), "entity_p": round(ep, 3), "entity_r": round(er, 3),
           "entity_untyped_f1": round(uf, 3), "core_entity_f1": round(cf, 3),
           "quote_f1": round(qf, 3), "quote_p": round(qp, 3), "quote_r": round(qr, 3),
           "attribution_acc": round(attr_ok / attr_n, 3) if attr_n else 0.0,
           "alias_merge_acc": round(merge_ok / merge_n, 3) if merge_n else 0.0,
           "metadata_acc": round(meta_ok / meta_n, 3) if meta_n else None,
           "articles_missing": missing}
    fig["by_type"] = {t: dict(zip(("p", "r", "f1"), (round(x, 3) for x in prf(type_tp.get(t, 0), type_pred.get(t, 0), type_gold.get(t, 0)))), gold=type_gold.get(t, 0), pred=type_pred.get(t, 0))
                      for t in sorted(set(type_gold) | set(type_pred))}
    return fig, misses

if __name__ == "__main__":
    main()
