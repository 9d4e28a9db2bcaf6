"""Audit of the story families: can *any* text similarity tell hard negatives from copies?

    python -m benchmarks stories_audit [--quick] [--out DIR]

The stories benchmark counts a pair (independent article, other article of the
story) as a hard negative: same event, "no shared text".  This audit measures
how much text such pairs share, with tool-independent baselines, so a figure of
the tool can be read against what the data allows.  For every story and every
pair of present articles *in one language*:

* ``direct``: one article is the other's parent (truth);
* ``indirect``: a reuse pair (common root paragraph) that is not parent-child;
* ``hard negative``: one of the two is an independent article.

Similarities (scikit-learn ``TfidfVectorizer`` fitted on all articles, cosine):
word unigrams+bigrams, character 4-grams within words, and word trigrams (the
share of verbatim phrasing).  For each: the median per class and the ROC AUC of
``direct`` against ``hard negative`` and of ``indirect`` against ``hard
negative`` (1.0 = every copy is more similar than every hard negative; 0.5 =
no better than chance; below 0.5 = hard negatives are the *more* similar).

Second table: each article's similarity to its story's fact sheet (``facts.md``,
the notes every article of the story was written from; articles in the fact
sheet's language only), median by role.  An independent article as close to
the fact sheet as a rewrite is to its parent is, textually, a rewrite of a
common written source.

Third table, parent identifiability with the direction handed over: for
every present article whose parent is present and in its language, the
candidates are the story's other present articles in that language that are
not its descendants (truth) and not published after it; the share of articles
whose most similar candidate is a true parent, per role, for each similarity
above and for the share of the article's distinct words found in the candidate
(containment, which favours long candidates where cosine favours short ones).
Two candidate sets: every such article, and reuse relatives only (independent
articles left out, which hands over the hard-negative problem as well).  A
lineage method that reads text alone does not know the direction for free, so
these shares bound from above what the same similarity can do as a parent
picker.

Writes ``benchmarks/results/stories_audit.json`` and ``.png`` (``_quick`` with ``--quick``:
four stories).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import py3langid
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import roc_auc_score

from benchmarks.plots import grouped_bars
from benchmarks.stories_data import STORIES_DIR, Story, load_stories, reuse_truth

RESULTS = Path(__file__).resolve().parent / "results"

MEASURES: dict[str, dict[str, Any]] = {
    "word 1-2-grams": {"ngram_range": (1, 2), "sublinear_tf": True},
    "char 4-grams": {"analyzer": "char_wb", "ngram_range": (4, 4), "sublinear_tf": True},
    "word 3-grams": {"ngram_range": (3, 3)},
}


def pair_class(story: Story, a: str, b: str, truth: set[tuple[str, str]]) -> str | None:
    """``direct``, ``indirect``, ``hard negative`` or None (a negative that involves no independent article)."""
    arts = story.articles
    if "independent" in (arts[a].role, arts[b].role):
        return "hard negative"
    if (min(a, b), max(a, b)) not in truth:
        return None
    return "direct" if a in arts[b].parents or b in arts[a].parents else "indirect"


def auc(positive: list[float], negative: list[float]) -> float | None:
    if not positive or not negative:
        return None
    return float(roc_auc_score([1] * len(positive) + [0] * len(negative), positive + negative))


def audit(stories: list[Story]) -> dict[str, Any]:
    """The two tables of the module docstring, as a dict."""
    ids = [a.id for s in stories for a in s.present]
    texts = [s.articles[i].text for s in stories for i in (a.id for a in s.present)]
    facts = [(STORIES_DIR / s.name / "facts.md").read_text(encoding="utf-8") for s in stories]
    row = {i: k for k, i in enumerate(ids)}
    fact_row = {s.name: len(ids) + k for k, s in enumerate(stories)}
    fact_language = {s.name: py3langid.classify(f)[0] for s, f in zip(stories, facts, strict=True)}
    pairs_out: dict[str, Any] = {}
    facts_out: dict[str, Any] = {}
    for name, options in MEASURES.items():
        x = TfidfVectorizer(**options).fit_transform(texts + facts)
        sims: dict[str, list[float]] = defaultdict(list)
        to_facts: dict[str, list[float]] = defaultdict(list)
        for s in stories:
            truth = reuse_truth(s)
            present = sorted(a.id for a in s.present)
            for k, a in enumerate(present):
                for b in present[k + 1 :]:
                    if s.articles[a].language != s.articles[b].language:
                        continue
                    cls = pair_class(s, a, b, truth)
                    if cls is not None:
                        sims[cls].append(float((x[row[a]] @ x[row[b]].T).toarray()[0, 0]))
                if s.articles[a].language == fact_language[s.name]:
                    sim = float((x[row[a]] @ x[fact_row[s.name]].T).toarray()[0, 0])
                    to_facts[s.articles[a].role].append(sim)
        pairs_out[name] = {
            "median": {c: round(statistics.median(v), 4) for c, v in sorted(sims.items())},
            "pairs": {c: len(v) for c, v in sorted(sims.items())},
            "auc_direct_vs_hard_negative": _round(auc(sims["direct"], sims["hard negative"])),
            "auc_indirect_vs_hard_negative": _round(auc(sims["indirect"], sims["hard negative"])),
        }
        facts_out[name] = {r: round(statistics.median(v), 4) for r, v in sorted(to_facts.items())}
    return {"pairs_in_one_language": pairs_out, "similarity_to_fact_sheet_by_role": facts_out}


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.casefold()))


def parent_identifiability(stories: list[Story]) -> dict[str, Any]:
    """The third table of the module docstring: share of articles whose closest earlier relative is a parent."""
    ids = [a.id for s in stories for a in s.present]
    texts = [a.text for s in stories for a in s.present]
    row = {i: k for k, i in enumerate(ids)}
    vectors = {name: TfidfVectorizer(**options).fit_transform(texts) for name, options in MEASURES.items()}
    words = {i: _words(t) for i, t in zip(ids, texts, strict=True)}

    def similarity(name: str, child: str, candidate: str) -> float:
        if name == "word containment":
            return len(words[child] & words[candidate]) / max(1, len(words[child]))
        x = vectors[name]
        return float((x[row[child]] @ x[row[candidate]].T).toarray()[0, 0])

    names = [*MEASURES, "word containment"]
    hits: dict[str, dict[str, dict[str, int]]] = {
        c: {n: defaultdict(int) for n in [*names, "articles"]} for c in ("all candidates", "reuse relatives only")
    }
    for s in stories:
        arts = s.articles
        descendants = {a.id: {b.id for b in s.present if a.id in s.ancestors(b.id)} for a in s.present}
        for a in s.present:
            parents = {p for p in a.parents if not arts[p].absent and arts[p].language == a.language}
            if not parents:
                continue
            for case in hits:
                candidates = [
                    b.id
                    for b in s.present
                    if b.id != a.id
                    and b.language == a.language
                    and b.id not in descendants[a.id]
                    and not (a.published and b.published and b.published[:10] > a.published[:10])
                    and (case == "all candidates" or b.role != "independent")
                ]
                if not candidates:  # the parent is dated after the article: nothing to pick from
                    continue
                hits[case]["articles"][a.role] += 1
                for name in names:
                    best = max(candidates, key=lambda c, n=name: similarity(n, a.id, c))  # type: ignore[misc]
                    hits[case][name][a.role] += best in parents
    out: dict[str, Any] = {}
    for case, by_name in hits.items():
        counts = by_name["articles"]
        out[case] = {"articles": dict(sorted(counts.items())), "articles_all": sum(counts.values())}
        for name in names:
            got = by_name[name]
            out[case][name] = {
                "overall": round(sum(got.values()) / max(1, sum(counts.values())), 3),
                **{r: round(got[r] / counts[r], 3) for r in sorted(counts)},
            }
    return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def _table(result: dict[str, Any]) -> str:
    lines = ["| similarity | median direct / indirect / hard negative | AUC direct vs HN | AUC indirect vs HN |"]
    lines.append("|---|---|---|---|")
    for name, r in result["pairs_in_one_language"].items():
        med = r["median"]
        cells = " / ".join(str(med.get(c, "-")) for c in ("direct", "indirect", "hard negative"))
        lines.append(
            f"| {name} | {cells} | {r['auc_direct_vs_hard_negative']} | {r['auc_indirect_vs_hard_negative']} |"
        )
    roles = sorted({k for v in result["similarity_to_fact_sheet_by_role"].values() for k in v})
    lines += ["", "| similarity to the fact sheet (median) | " + " | ".join(roles) + " |"]
    lines.append("|---|" + "---|" * len(roles))
    for name, by_role in result["similarity_to_fact_sheet_by_role"].items():
        lines.append(f"| {name} | " + " | ".join(str(by_role.get(r, "-")) for r in roles) + " |")
    for case, r in result.get("parent_identifiability", {}).items():
        roles = list(r["articles"])
        lines += ["", f"| closest earlier relative is a parent ({case}) | overall | " + " | ".join(roles) + " |"]
        lines.append("|---|---|" + "---|" * len(roles))
        counts = " | ".join(str(r["articles"][x]) for x in roles)
        lines.append(f"| articles | {r['articles_all']} | {counts} |")
        for name in [*MEASURES, "word containment"]:
            cells = " | ".join(str(r[name][x]) for x in roles)
            lines.append(f"| {name} | {r[name]['overall']} | {cells} |")
    return "\n".join(lines)


def _plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    classes = ("direct", "indirect", "hard negative")
    rows = result["pairs_in_one_language"]
    fig, ax = plt.subplots(figsize=(8, 4.2))
    grouped_bars(ax, list(rows), {cls: [r["median"].get(cls, 0.0) for r in rows.values()] for cls in classes})
    ax.set_ylabel("median cosine (same-language pairs)")
    ax.set_title("story families: hard negatives share as much text as copies")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks stories_audit", description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="CI smoke run: four stories")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    stories = load_stories()
    if args.quick:
        stories = stories[:4]
    if not stories:
        print(f"error: no stories under {STORIES_DIR}", file=sys.stderr)
        return 2
    result = {
        "benchmark": "stories_audit",
        "procedure": __doc__,
        "command": "python -m benchmarks stories_audit",
        "stories": [s.name for s in stories],
        **audit(stories),
        "parent_identifiability": parent_identifiability(stories),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"stories_audit{'_quick' if args.quick else ''}.json"
    path.write_text(json.dumps(result, indent=1, ensure_ascii=False), encoding="utf-8")
    _plot(result, path.with_suffix(".png"))
    print(_table(result))
    print(f"\nwrote {path} and {path.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
