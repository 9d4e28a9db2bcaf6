"""Labelled copying trees of rewritten articles (writes a JSONL corpus and its ground truth).

The labelled set behind ``rewrite_quality`` and ``lineage_quality``.  Procedure
(a pure function of :class:`LineageConfig`, ``seed`` included):

1. **Stories.**  From the shipped real articles of the language
   (:mod:`benchmarks.textsource`, never the seeds) pick ``n_trees`` topics and
   one *root* article in each; for each tree also ``negatives_per_tree``
   other articles of the same topic (*same-story hard negatives*: same subject
   and vocabulary, no shared text).  Articles of the remaining topics feed the
   :class:`~benchmarks.rewrite_ops.FillerPool` of unrelated material.
2. **Tree shape.**  A tree has ``n ~ U{docs_per_tree}`` documents and depth
   ``g ~ U{generations}`` (capped at ``n - 1``): first a chain root -> gen 1 ->
   ... -> gen g, then every further document is attached to an existing
   document of generation < g, the root with weight 2 and the others with
   weight 1 (many outlets copy the original, some copy a copy).  Each hard
   negative is the root of its own small tree of ``negative_tree_size``
   documents (its own rewrites), so the corpus has two independent families
   per topic.
3. **Texts.**  The root renders its article (headline line, then one paragraph
   per line); every other document is :func:`~benchmarks.rewrite_ops.rewrite`
   of its parent's draft at ``strength``, so changes accumulate down the tree
   and the sentence mapping (``origins``) is kept through every generation.
4. **Credits.**  A non-root document credits a source with probability
   ``citation_rate``: its parent's outlet, or -- with probability
   ``root_citation_rate`` when the parent is not the root -- the root's outlet
   (rewriters often credit the original they never read).  The credit is
   written into one of the first three body sentences with a template the
   detector's cue list covers ("Secondo X, ...", "Come riportato da X, ...",
   "According to X, ...", "X reported that ...", ...).  Credits are inherited
   with the text like any other words.
5. **Outlets and times.**  Each document of a tree gets a different outlet
   (real outlet names from the detector's catalog, unambiguous ones of the
   language, so credits can be recognised; ``outlets="fake"`` uses invented
   names that no catalog knows).  Each outlet of the corpus publishes
   timestamps with probability ``timestamp_rate`` (a share ``date_only_rate``
   of those only the day, stored as midnight); documents of other outlets have
   no ``published``.  The root is published on a random day of 2024 between
   06:00 and 20:00; a copy 15 minutes to 6 hours after its parent.
6. **Ids and order.**  Documents get opaque ids ``<lang><seed>-NNN`` in a
   shuffled order, so neither id nor position reveals the lineage.

Ground truth (:class:`GroundTruth`): per document its tree, topic, parent,
root, generation, outlet and the outlets it credits; per document the span and
origins of every sentence.  Derived labels: a *reuse pair* is two documents of
one tree sharing at least ``min_shared`` original sentences (pairs of one tree
sharing fewer are *weak* and excluded from pair scores); a *same-story pair*
is two documents of one topic from different trees; true *passage pairs* of
two documents are their sentence pairs with a common origin.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from pathlib import Path

from benchmarks.rewrite_ops import (
    PRESETS,
    Draft,
    FillerPool,
    RewriteLog,
    Sentence,
    SentenceSpan,
    Strength,
    decapitalize,
    draft_from_article,
    proper_words,
    rewrite,
)
from benchmarks.textsource import SourceArticle, articles_by_topic, load_articles
from provenance.records import Document

FAKE_OUTLETS: dict[str, tuple[str, ...]] = {
    "it": (
        "Gazzetta del Borgo", "Eco della Valle", "Il Corriere Lunare", "Notizie Fresche", "La Voce del Porto",
        "Il Quotidiano Sereno", "Agenzia Stellare", "Cronache di Collina", "Il Faro Digitale", "Il Giornale dei Laghi",
        "Radio Ponente", "Tele Levante", "Il Mattino di Brughiera", "La Sentinella Web", "Il Bollettino Rapido",
        "Agenzia Mezzogiorno Notizie", "Il Messaggero Alpino", "Cronaca Aperta", "La Lanterna", "Il Dispaccio",
    ),
    "en": (
        "Daily Lantern", "Harbor Herald", "The Morning Compass", "Northfield Courier", "Valley Dispatch",
        "Quickwire News", "The Evening Ledger", "Riverside Post", "Summit Gazette", "Metro Bulletin",
        "Coastline Chronicle", "The Prairie Wire", "Lakeside Tribune", "Capital Signal", "The Open Record",
        "Granite State Monitor", "Harborview Daily", "The Weekly Beacon", "Frontier Newswire", "The Civic Sentinel",
    ),
}  # fmt: skip

CITATION_TEMPLATES: dict[str, tuple[str, ...]] = {
    "it": (
        "Secondo {o}, {s}",
        "Come riportato da {o}, {s}",
        "Secondo quanto riferito da {o}, {s}",
        "{o} scrive che {s}",
    ),
    "en": ("According to {o}, {s}", "As reported by {o}, {s}", "{o} reported that {s}", "According to {o}, {s}"),
}


@dataclass(frozen=True)
class LineageConfig:
    """Parameters of one generated corpus (see the module docstring for their use)."""

    language: str = "it"
    seed: int = 0
    n_trees: int = 4
    docs_per_tree: tuple[int, int] = (5, 15)
    generations: tuple[int, int] = (2, 4)
    strength: Strength = Strength.MODERATE
    negatives_per_tree: int = 1
    negative_tree_size: tuple[int, int] = (1, 3)
    timestamp_rate: float = 0.7
    date_only_rate: float = 0.2
    citation_rate: float = 0.5
    root_citation_rate: float = 0.3
    outlets: str = "catalog"  # "catalog" | "fake"
    min_shared: int = 2


@dataclass(frozen=True)
class DocTruth:
    """The true place of one document in the collection."""

    id: str
    tree: str  # tree id; the hard negatives' trees are trees of their own
    topic: str  # same topic = same story
    article: str  # source article id of the tree's root
    parent: str | None
    root: str
    generation: int
    outlet: str
    credits: tuple[str, ...]  # outlets credited by a citation template in its own text or inherited
    hard_negative: bool = False


@dataclass
class GroundTruth:
    """Labels of a generated corpus (definitions in the module docstring)."""

    config: LineageConfig
    docs: dict[str, DocTruth]
    spans: dict[str, tuple[SentenceSpan, ...]]
    rewrite_counts: dict[str, dict[str, int]] = field(default_factory=dict)  # per doc: ops applied

    # ---- derived labels
    def trees(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for d in sorted(self.docs.values(), key=lambda d: (d.generation, d.id)):
            out.setdefault(d.tree, []).append(d.id)
        return out

    def shared_origins(self, a: str, b: str) -> int:
        oa = set().union(*(s.origins for s in self.spans[a]))
        ob = set().union(*(s.origins for s in self.spans[b]))
        return len(oa & ob)

    def pair_label(self, a: str, b: str) -> str:
        """The label of a pair: reuse, weak (same tree, < ``min_shared`` shared sentences), same-story, unrelated."""
        da, db = self.docs[a], self.docs[b]
        if da.tree == db.tree:
            return "reuse" if self.shared_origins(a, b) >= self.config.min_shared else "weak"
        return "same-story" if da.topic == db.topic else "unrelated"

    def labelled_pairs(self) -> dict[tuple[str, str], str]:
        """Every unordered pair (a < b) with its label."""
        ids = sorted(self.docs)
        return {(a, b): self.pair_label(a, b) for a, b in combinations(ids, 2)}

    def reuse_pairs(self) -> set[tuple[str, str]]:
        return {p for p, lab in self.labelled_pairs().items() if lab == "reuse"}

    def parent_pairs(self) -> set[tuple[str, str]]:
        """Unordered (a < b) parent-child pairs."""
        return {(min(d.id, d.parent), max(d.id, d.parent)) for d in self.docs.values() if d.parent is not None}

    def passage_pairs(self, a: str, b: str) -> list[tuple[SentenceSpan, SentenceSpan]]:
        """Sentence pairs of ``a`` and ``b`` that render a common original sentence."""
        return [(sa, sb) for sa in self.spans[a] for sb in self.spans[b] if sa.origins & sb.origins]

    def parents(self) -> dict[str, str | None]:
        return {d.id: d.parent for d in self.docs.values()}

    # ---- serialisation
    def to_json(self) -> dict[str, object]:
        return {
            "config": asdict(self.config),
            "docs": {k: asdict(v) for k, v in sorted(self.docs.items())},
            "spans": {
                k: [{"start": s.start, "end": s.end, "origins": sorted(s.origins)} for s in v]
                for k, v in sorted(self.spans.items())
            },
            "rewrite_counts": self.rewrite_counts,
        }

    @classmethod
    def from_json(cls, raw: dict[str, object]) -> GroundTruth:
        cfg = dict(raw["config"])  # type: ignore[call-overload]
        for key in ("docs_per_tree", "generations", "negative_tree_size"):
            cfg[key] = tuple(cfg[key])
        cfg["strength"] = Strength(cfg["strength"])
        docs = {
            k: DocTruth(**{**v, "credits": tuple(v["credits"])})
            for k, v in raw["docs"].items()  # type: ignore[attr-defined]
        }
        spans = {
            k: tuple(SentenceSpan(s["start"], s["end"], frozenset(s["origins"])) for s in v)
            for k, v in raw["spans"].items()  # type: ignore[attr-defined]
        }
        return cls(LineageConfig(**cfg), docs, spans, dict(raw.get("rewrite_counts", {})))  # type: ignore[call-overload]


@dataclass(frozen=True)
class SyntheticCorpus:
    documents: list[Document]
    truth: GroundTruth


# ---------------------------------------------------------------------------- generation


def outlet_pool(language: str, kind: str) -> list[str]:
    """Outlet names: unambiguous media of the language from the detector's catalog, or invented ones."""
    if kind == "fake":
        return list(FAKE_OUTLETS[language])
    if kind != "catalog":
        raise ValueError(f"outlets must be 'catalog' or 'fake', not {kind!r}")
    from provenance.sources import OutletCatalog

    names = [e.name for e in OutletCatalog.load() if e.is_media and not e.ambiguous and e.language == language]
    return sorted(set(names))


@dataclass
class _Node:
    key: int
    parent: int | None
    generation: int
    draft: Draft | None = None
    outlet: str = ""
    time: datetime | None = None
    credits: tuple[str, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)


def tree_shape(n: int, depth: int, rng: random.Random) -> list[tuple[int | None, int]]:
    """(parent index, generation) of ``n`` nodes: a chain of ``depth`` copies, the rest attached (step 2)."""
    depth = max(0, min(depth, n - 1))
    nodes: list[tuple[int | None, int]] = [(None, 0)]
    for g in range(1, depth + 1):
        nodes.append((g - 1, g))
    while len(nodes) < n:
        eligible = [i for i, (_, g) in enumerate(nodes) if g < depth]
        weights = [2.0 if i == 0 else 1.0 for i in eligible]
        parent = rng.choices(eligible, weights)[0]
        nodes.append((parent, nodes[parent][1] + 1))
    return nodes


def add_credit(draft: Draft, outlet: str, language: str, rng: random.Random) -> Draft:
    """Write a credit to ``outlet`` into one of the first three body sentences (step 4)."""
    body = [(i, j) for i, p in enumerate(draft.paragraphs) for j, s in enumerate(p) if not s.title]
    if not body:
        return draft
    i, j = rng.choice(body[:3])
    s = draft.paragraphs[i][j]
    proper = proper_words(x.text for x in draft.sentences)

    text = rng.choice(CITATION_TEMPLATES[language]).format(o=outlet, s=decapitalize(s.text, proper))
    paras = [list(p) for p in draft.paragraphs]
    paras[i][j] = Sentence(text, s.origins, s.title)
    return Draft(tuple(tuple(p) for p in paras))


def _seeded(config: LineageConfig, *parts: object) -> random.Random:
    key = "|".join(str(p) for p in (config.seed, config.language, config.strength, *parts))
    return random.Random(int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big"))


def _grow_tree(
    root_article: SourceArticle,
    n: int,
    depth: int,
    outlets: list[str],
    config: LineageConfig,
    rng: random.Random,
    filler: FillerPool,
    ts_outlets: dict[str, str],
) -> list[_Node]:
    shape = tree_shape(n, depth, rng)
    nodes = [_Node(k, p, g) for k, (p, g) in enumerate(shape)]
    chosen = rng.sample(outlets, n)  # distinct inside the tree (the caller passes the topic's unused ones)
    day = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(330))
    params = PRESETS[config.strength]
    for node in nodes:
        node.outlet = chosen[node.key]
        if node.parent is None:
            node.draft = draft_from_article(root_article)
            node.time = day + timedelta(minutes=rng.randrange(6 * 60, 20 * 60))
            continue
        parent = nodes[node.parent]
        assert parent.draft is not None and parent.time is not None
        log = RewriteLog()
        draft = rewrite(parent.draft, params, rng, config.language, filler, log)
        credits = set(parent.credits)
        if rng.random() < config.citation_rate:
            credited = parent.outlet
            if parent.parent is not None and rng.random() < config.root_citation_rate:
                credited = nodes[0].outlet
            draft = add_credit(draft, credited, config.language, rng)
            credits.add(credited)
            log.counts["credit"] += 1
        node.draft = draft
        text = draft.render().text
        node.credits = tuple(sorted(c for c in credits if re.search(rf"(?<!\w){re.escape(c)}(?!\w)", text)))
        node.time = parent.time + timedelta(minutes=rng.randrange(15, 6 * 60))
        node.counts = dict(log.counts)
    for node in nodes:
        ts_outlets.setdefault(
            node.outlet,
            ("date" if rng.random() < config.date_only_rate else "time")
            if rng.random() < config.timestamp_rate
            else "none",
        )
    return nodes


def generate(config: LineageConfig) -> SyntheticCorpus:
    """Generate the corpus and its ground truth (module docstring, steps 1-6)."""
    rng = _seeded(config, "corpus")
    by_topic = articles_by_topic(load_articles(config.language))
    eligible = sorted(t for t, arts in by_topic.items() if len(arts) >= 1 + config.negatives_per_tree)
    if config.n_trees > len(eligible):
        raise ValueError(f"{config.n_trees} trees need as many topics; {config.language} has {len(eligible)}")
    topics = rng.sample(eligible, config.n_trees)
    filler_articles = [a for t, arts in sorted(by_topic.items()) if t not in topics for a in arts]
    filler = FillerPool(filler_articles, _seeded(config, "filler"))
    outlets = outlet_pool(config.language, config.outlets)
    ts_outlets: dict[str, str] = {}

    families: list[tuple[str, str, SourceArticle, list[_Node], bool]] = []
    for t_idx, topic in enumerate(topics):
        arts = rng.sample(by_topic[topic], 1 + config.negatives_per_tree)
        free = list(outlets)  # the families of one topic use different outlets
        for k, art in enumerate(arts):
            negative = k > 0
            if negative:
                n, depth = rng.randint(*config.negative_tree_size), 1
            else:
                n, depth = rng.randint(*config.docs_per_tree), rng.randint(*config.generations)
            if n > len(free):
                raise ValueError(f"a tree of {n} documents needs {n} outlets; {len(free)} are left in the pool")
            tree_rng = _seeded(config, "tree", t_idx, k)
            nodes = _grow_tree(art, n, depth, free, config, tree_rng, filler, ts_outlets)
            used = {node.outlet for node in nodes}
            free = [o for o in free if o not in used]
            families.append((f"T{t_idx}" + (f"n{k}" if negative else ""), topic, art, nodes, negative))

    total = sum(len(f[3]) for f in families)
    numbers = list(range(1, total + 1))
    rng.shuffle(numbers)
    it = iter(numbers)
    documents: list[Document] = []
    docs: dict[str, DocTruth] = {}
    spans: dict[str, tuple[SentenceSpan, ...]] = {}
    counts: dict[str, dict[str, int]] = {}
    for tree_id, topic, art, nodes, negative in families:
        ids = [f"{config.language}{config.seed}-{next(it):03d}" for _ in nodes]
        for node in nodes:
            assert node.draft is not None and node.time is not None
            rendered = node.draft.render()
            doc_id = ids[node.key]
            mode = ts_outlets[node.outlet]
            published = None if mode == "none" else node.time
            if published is not None and mode == "date":
                published = published.replace(hour=0, minute=0)
            title = rendered.text.split("\n", 1)[0]
            documents.append(
                Document(
                    id=doc_id,
                    text=rendered.text,
                    outlet=node.outlet,
                    published=published,
                    language=config.language,
                    title=title,
                    origin=f"synthetic:{tree_id}",
                )
            )
            docs[doc_id] = DocTruth(
                id=doc_id,
                tree=tree_id,
                topic=topic,
                article=art.id,
                parent=None if node.parent is None else ids[node.parent],
                root=ids[0],
                generation=node.generation,
                outlet=node.outlet,
                credits=node.credits,
                hard_negative=negative,
            )
            spans[doc_id] = rendered.spans
            counts[doc_id] = node.counts
    documents.sort(key=lambda d: d.id)
    return SyntheticCorpus(documents, GroundTruth(config, docs, spans, counts))


def iter_configs(
    seeds: list[int],
    strengths: list[Strength],
    languages: list[str],
    timestamp_rates: list[float],
    **overrides: object,
) -> Iterator[LineageConfig]:
    """The grid of configurations the quality benchmarks run."""
    for language in languages:
        for strength in strengths:
            for rate in timestamp_rates:
                for seed in seeds:
                    yield LineageConfig(
                        language=language,
                        seed=seed,
                        strength=strength,
                        timestamp_rate=rate,
                        **overrides,  # type: ignore[arg-type]
                    )


# ---------------------------------------------------------------------------- files


def document_record(doc: Document) -> dict[str, object]:
    """The JSONL record of a document in the format ``provenance`` reads."""
    rec: dict[str, object] = {"id": doc.id, "text": doc.text, "language": doc.language}
    if doc.outlet:
        rec["outlet"] = doc.outlet
    if doc.published is not None:
        rec["published"] = (
            doc.published.date().isoformat()
            if doc.published.hour == doc.published.minute == 0
            else doc.published.isoformat()
        )
    if doc.title:
        rec["title"] = doc.title
    return rec


def write_corpus(corpus: SyntheticCorpus, out: Path) -> tuple[Path, Path]:
    """Write ``corpus.jsonl`` and ``truth.json`` into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    docs_path, truth_path = out / "corpus.jsonl", out / "truth.json"
    with docs_path.open("w", encoding="utf-8") as fh:
        for d in corpus.documents:
            fh.write(json.dumps(document_record(d), ensure_ascii=False) + "\n")
    truth_path.write_text(json.dumps(corpus.truth.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
    return docs_path, truth_path


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m benchmarks synthetic_lineage",
        description="Write a labelled synthetic copying-tree corpus (corpus.jsonl + truth.json).",
    )
    ap.add_argument("--out", type=Path, required=True, help="output directory")
    ap.add_argument("--language", choices=["it", "en"], default="it")
    ap.add_argument("--strength", choices=[s.value for s in Strength], default="moderate")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--trees", type=int, default=4)
    ap.add_argument("--timestamp-rate", type=float, default=0.7)
    ap.add_argument("--citation-rate", type=float, default=0.5)
    ap.add_argument("--outlets", choices=["catalog", "fake"], default="catalog")
    ap.add_argument("--quick", action="store_true", help="two small trees")
    args = ap.parse_args(argv)
    config = LineageConfig(
        language=args.language,
        seed=args.seed,
        n_trees=2 if args.quick else args.trees,
        docs_per_tree=(4, 6) if args.quick else (5, 15),
        strength=Strength(args.strength),
        timestamp_rate=args.timestamp_rate,
        citation_rate=args.citation_rate,
        outlets=args.outlets,
    )
    corpus = generate(config)
    docs_path, truth_path = write_corpus(corpus, args.out)
    trees = corpus.truth.trees()
    print(f"{len(corpus.documents)} documents in {len(trees)} trees -> {docs_path}, {truth_path}")
    print(f"try: provenance lineage {docs_path}", file=sys.stderr)
    return 0
