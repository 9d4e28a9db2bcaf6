"""Cited-source extraction: which outlets and agencies a document credits.

:func:`extract_cited_sources` scans ``doc.text`` with one regex built from the
catalog (longest alias first, word boundaries) and keeps a name only when one
of these licenses it, recorded in ``CitedSource.cue``:

1. **pre-cue** — an attribution phrase right before the name, optionally with a
   preposition and an article or articulated preposition in between:
   "secondo il", "Secondo quanto riportato dal", "come riportato da",
   "la rivelazione del", "L'articolo del", "scrive", "ha rivelato il",
   "citando fonti del", "il quotidiano statunitense", "according to",
   "told the", "reported by", "Fonte:".  ``cue`` is the phrase, case-folded
   (e.g. "secondo quanto riportato", "according to").
2. **post-cue** — a reporting verb or noun right after the name ("Reuters
   reported", "il Wsj scrive", "Reuters' report", "Kremlin sources"), or a
   headline colon ("Wsj: Musk ...").  ``cue`` is the word(s) (or ":").
   Ambiguous names take a post-cue only together with their catalog article
   ("The Sun reported", "Il Post scrive"; never "Domani scrive").
3. **credit** — the parenthesised agency credit "(ANSA)", "ROMA (ANSA) –",
   "(LaPresse/Reuters)" (``cue`` is the parenthesis as written), or a dash
   credit at the end of a line, "— Reuters" (``cue`` = "credit").
4. **bare mention** — an unambiguous media name with none of the above
   ("incluso il Wall Street Journal"): ``cue`` = "mention" (:data:`MENTION`),
   a weaker citation lineage may weight lower.  A one-word name is not taken
   bare next to another capitalised word ("Michael Bloomberg", "Reuters
   Institute").

5. **uncatalogued outlet** — a capitalised name the catalog does not know,
   licensed by a pre-cue, a post-cue or a credit as above (never bare), and
   taken only when it looks like an outlet ("according to The Alpine Ledger",
   "come riporta SportOra", "Lo riferisce il Baltic Courier"; not "secondo
   Maria Rossi", "according to Eurostat"): the rules are in
   :mod:`provenance.sources.names`.  ``name`` is the name as written (a
   capitalised leading article kept).

**Relays**: a credit that follows another credit in the same paragraph (at
most 200 characters after it) with a citing cue between them ("X, citing Y", "X, che cita il Y", "come riportato
da X ... le fonti citate dal Y") has ``via`` set to X: the document took the
text from X, which attributes it to Y.

Rejections: the name must have its catalog capitalisation (first significant
word capitalised; acronyms upper-case or, from three letters, title-case:
"WSJ"/"Wsj", never "wsj"; "AP", never "Ap"); it may not be glued to a hyphen
or a domain ("Post-it", "Reuters.com").  Ambiguous names ("Open", "Il Post",
"Domani", "Time", "Fox") need a pre-cue, the exact capitalisation, their
article when the catalog lists one ("dal Post", never "the Post"), and must
not run on into another proper noun ("Open Arms", "Open AI", "Repubblica
Ceca").  "Wall Street" alone is not an alias of anything.  Photo credits
("Foto ANSA") are dropped.  Names joined by "/", ",", "e", "and" share the
licence of the first ("secondo Reuters e Bloomberg", "(ANSA/AFP)").

Institutions (kind "institution": Kremlin/Cremlino, White House, ...) are
attributed sources but not outlets: they are returned only with
``include_institutions=True``, only with a pre- or post-cue ("fonti del
Cremlino", "il portavoce del Cremlino", "Kremlin sources"), never as bare
mentions or credits, so lineage never mistakes them for outlets; their
``name`` is the catalog's canonical (English) name and
``OutletCatalog.kind(name) == "institution"``.

The document's own outlet (``doc.outlet``) is not a citation of another source
and is skipped unless ``include_own_outlet=True``.

Every mention is returned (offsets into ``doc.text``, in text order) so a
report can highlight them; :func:`cited_outlets` reduces them to canonical
names ordered by first mention.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from provenance.records import CitedSource, Document
from provenance.sources import cues as C
from provenance.sources import names as N
from provenance.sources.catalog import ARTICLE_FAMILY, INSTITUTION, MEDIA_KINDS, OutletCatalog, Surface, fold_name

MENTION = "mention"
CREDIT = "credit"

_WINDOW = 160
_WORD = re.compile(r"[^\W_]+")
_FOREIGN_ARTICLES = frozenset({"le", "les", "el", "los", "las", "der", "die", "das", "la", "il", "the", "l"})
_WS = re.compile(r"\s+")
_NEXT_WORD = re.compile(r"(?<![\w@])\w")
# A relay: "X, citing Y", "X, che cita il Y", "X, which cites Y", "le fonti citate dal Y" (same paragraph).
_RELAY_CUE = re.compile(
    r"(?<!\w)(?:cit(?:ing|ando|a|ano|ed|es|e|at[oaie])|quot(?:ing|ed|es)|sulla\s+base\s+d)(?!\w)", re.IGNORECASE
)
_RELAY_GAP = 200


@dataclass(frozen=True)
class _Hit:
    """Outcome for one matched name (kept for names joined to it by "/", "e", ...)."""

    start: int
    end: int
    cue: str | None  # None: rejected or suppressed
    how: str  # "pre", "post", "credit", "mention", "photo", "rejected", "case"


def _norm_cue(text: str) -> str:
    return _WS.sub(" ", text.replace("\u2019", "'")).strip().casefold()


def case_ok(forms: Iterable[str], found: str, ambiguous: bool) -> bool:
    """Whether ``found`` has an acceptable capitalisation for one of the catalog ``forms``."""
    return any(_case_ok_one(f, found, ambiguous) for f in forms)


def _case_ok_one(form: str, found: str, ambiguous: bool) -> bool:
    a = _WORD.findall(form)
    t = _WORD.findall(found)
    if not a or not t:
        return False
    letters = [c for c in found if c.isalpha()]
    form_letters = [c for c in form if c.isalpha()]
    if len(letters) >= 2 and all(c.isupper() for c in letters) and not all(c.isupper() for c in form_letters):
        return not ambiguous  # headline capitals: "WALL STREET JOURNAL", never "OPEN"
    if len(a) != len(t):
        return t[0][0].isupper() or not a[0][0].isupper()
    first = True
    for aw, tw in zip(a, t, strict=True):
        alpha = [c for c in aw if c.isalpha()]
        if len(alpha) >= 2 and all(c.isupper() for c in alpha):  # acronym: WSJ, TG24
            title = tw[0].isupper() and tw[1:] == tw[1:].lower()
            if not (tw.isupper() or (len(alpha) >= 3 and title)):
                return False
            first = False
        elif aw[0].isupper():
            if aw.lower() in _FOREIGN_ARTICLES and first:
                continue  # "le Monde", "the Guardian": the article's case is free
            if (first or ambiguous) and not tw[0].isupper():
                return False
            first = False
    return True


def _strip_det(before: str) -> tuple[str, str | None]:
    """Remove an opening quote and a determiner before a name; return (rest, article family)."""
    rest = before
    q = C.OPENING_QUOTE.search(rest)
    if q is not None:
        rest = rest[: q.start()]
    m = C.DETERMINER.search(rest)
    if m is None:
        return rest, None
    word = (m.group("det") or (m.group("eli") + "'")).lower()
    rest = rest[: m.start()]
    q = C.OPENING_QUOTE.search(rest)  # quote around article and name: "«il Post»"
    if q is not None:
        rest = rest[: q.start()]
    return rest, ARTICLE_FAMILY.get(word)


def _license(text: str, start: int, end: int, s: Surface, mentions: bool = True) -> _Hit:
    """Decide whether the name at text[start:end] is credited, and by which cue.

    ``mentions=False``: the caller keeps credits only, so a name with no cue
    is "rejected" without telling a bare mention from a rejected one.
    """
    found = text[start:end]
    before = text[max(0, start - _WINDOW) : start]
    after = text[end : end + _WINDOW]
    if after.startswith("-") and len(after) > 1 and after[1].isalnum():
        return _Hit(start, end, None, "rejected")  # "Post-it", "Open-source"
    if after.startswith(".") and len(after) > 1 and after[1].isalpha():
        return _Hit(start, end, None, "rejected")  # "Reuters.com"
    if not case_ok(s.forms, found, s.ambiguous):
        return _Hit(start, end, None, "case")
    if C.PHOTO_CREDIT.search(before) or C.PHOTO_CREDIT.search(before.rstrip("( \t")):
        return _Hit(start, end, None, "photo")
    rest, family = _strip_det(before)
    if s.articles is not None and family not in s.articles:
        return _Hit(start, end, None, "rejected")  # "the Post" is not "Il Post"
    institution = s.kind == INSTITUTION
    runs_on = C.CONTINUATION.match(after) is not None

    pre = C.PRE_CUE.search(rest)
    if pre is not None:
        if s.ambiguous and runs_on:
            return _Hit(start, end, None, "rejected")  # "secondo Open Arms"
        return _Hit(start, end, _norm_cue(pre.group("cue")), "pre")
    # An ambiguous name takes a post-cue only with its own article: "The Sun reported", "Il Post scrive".
    with_article = s.articles is not None and family in s.articles and not runs_on
    if s.ambiguous and not with_article:
        return _Hit(start, end, None, "rejected")

    post_text = after
    cq = C.CLOSING_QUOTE.match(post_text)
    if cq is not None and not post_text.startswith("'s") and not post_text.startswith("’s"):
        post_text = post_text[cq.end() :]
    post = C.POST_CUE.match(after) or C.POST_CUE.match(post_text)
    if post is not None:
        return _Hit(start, end, _norm_cue(post.group("cue")), "post")
    if institution or s.ambiguous:
        return _Hit(start, end, None, "rejected")
    if C.POST_COLON.match(post_text):
        return _Hit(start, end, ":", "post")

    if family is None and C.PAREN_OPEN.search(before):
        close = C.PAREN_CLOSE.match(after)
        if close is not None:
            open_at = before.rfind("(")
            cue = text[start - (len(before) - open_at) : end + close.end()]
            return _Hit(start, end, cue, "credit")
    if family is None and C.DASH_BEFORE.search(before) and C.DASH_AFTER.match(after):
        return _Hit(start, end, CREDIT, "credit")

    if not mentions:
        return _Hit(start, end, None, "rejected")
    if s.single_token:
        prev = C.PREVIOUS_WORD.search(rest)
        if (prev is not None and prev.group("word")[0].isupper()) or runs_on:
            return _Hit(start, end, None, "rejected")  # "Michael Bloomberg", "Reuters Institute"
    return _Hit(start, end, MENTION, "mention")


def extract_cited_sources(
    doc: Document,
    catalog: OutletCatalog | None = None,
    *,
    include_institutions: bool = False,
    include_own_outlet: bool = False,
    uncatalogued: bool = True,
) -> list[CitedSource]:
    """Every credited outlet mention in ``doc.text``, in text order (see the module rules).

    ``uncatalogued=False`` keeps to the catalog's outlets (rule 5 off).
    """
    cat = catalog if catalog is not None else OutletCatalog.load()
    text = doc.text
    own = cat.canonical(doc.outlet) if doc.outlet else None
    found: list[CitedSource] = []
    taken: list[tuple[int, int]] = []  # catalog names credited or dropped as photo credits
    rejected: set[int] = set()  # starts of catalog names rejected as glued to a domain or hyphen
    prev: _Hit | None = None
    pos = 0
    aliases = cat.scanner(text)
    while (span := aliases.search(pos)) is not None:
        start, end = span
        pos = end
        s = cat.surface(text[start:end])
        if s is None:
            continue
        hit = _license(text, start, end, s)
        if hit.how == "case":
            # "l'agenzia Nova": "agenzia Nova" fails the case check, but "Nova" may not
            nxt = _NEXT_WORD.search(text, start + 1, end)
            if nxt is not None:
                pos = nxt.start()
            continue
        joined = prev is not None and prev.how in ("pre", "credit", "photo")
        if prev is not None and joined and C.JOINER.match(text[prev.end : start]):
            if prev.how == "photo":
                hit = _Hit(start, end, None, "photo")
            elif hit.how in ("mention", "rejected") and _joinable(text, start, end, s):
                hit = _Hit(start, end, prev.cue, prev.how)
        prev = hit
        if hit.how == "photo":
            taken.append(span)
        elif hit.how == "rejected" and text[end : end + 1] in ("-", "."):
            rejected.add(start)  # "Reuters.com", "Post-it": the catalog's guard, not another outlet
        if hit.cue is None:
            continue
        taken.append(span)
        if s.kind == INSTITUTION and not include_institutions:
            continue
        if s.kind == INSTITUTION and hit.how not in ("pre", "post"):
            continue
        if s.kind not in MEDIA_KINDS and s.kind != INSTITUTION:
            continue
        if own is not None and s.name == own and not include_own_outlet:
            continue
        found.append(CitedSource(s.name, text[start:end], start, end, hit.cue))
    if uncatalogued:
        found += _uncatalogued(text, taken, rejected, cat, doc.outlet)
        found.sort(key=lambda c: (c.start, c.end))
    return _mark_relays(text, found)


def _uncatalogued(
    text: str, taken: list[tuple[int, int]], rejected: set[int], cat: OutletCatalog, outlet: str | None
) -> list[CitedSource]:
    """Cued names the catalog does not know that look like outlets (:mod:`provenance.sources.names`).

    A name overlapping a credited catalog name is the catalog's; a name that
    starts with a catalog name the catalog rejected as glued to a domain or a
    hyphen ("Reuters.com", "Post-it") stays rejected.
    """
    own = fold_name(outlet) if outlet else None
    out: list[CitedSource] = []
    for spans in N.name_spans(text):
        for start, end in spans:  # longest first; the first credited reading wins
            cite = _uncatalogued_one(text, start, end, taken, rejected, cat, own)
            if cite is not None:
                out.append(cite)
                break
    return out


def _uncatalogued_one(
    text: str,
    start: int,
    end: int,
    taken: list[tuple[int, int]],
    rejected: set[int],
    cat: OutletCatalog,
    own: str | None,
) -> CitedSource | None:
    if any(s < end and start < e for s, e in taken):
        return None  # a catalogued outlet is credited here
    if start in rejected or start + N.leading_article_length(text[start:end]) in rejected:
        return None
    # does it look like an outlet (names module rules)? Asked first: most capitalised names are
    # people's or places', settled by the name and the words before it without reading any cue
    shape = N.outlet_shape(text, start, end)
    if shape is False:
        return None
    rest, _ = _strip_det(text[max(0, start - _WINDOW) : start])
    if shape is None and C.DESCRIPTOR_END.search(rest) is None:
        return None
    found = text[start:end]
    key = fold_name(found)
    if not key or key == own or cat.entry(found) is not None:
        return None
    surface = Surface(key, found, "unknown", False, (found,), None, len(N.content_words(found)) == 1)
    hit = _license(text, start, end, surface, mentions=False)
    if hit.cue is None or hit.how not in ("pre", "post", "credit"):
        return None  # a bare capitalised name is not a credit
    if hit.how == "post" and not C.REPORTING_POST.search(hit.cue):
        return None  # "X says" is how people and offices speak, not how a text is credited
    pre = C.PRE_CUE.search(rest) if hit.how == "pre" else None
    if pre is not None and not N.cue_in_running_text(rest[: pre.start("cue")], pre.group("cue")):
        return None  # "Laut Wall Street Journal sprach Musk": "Journal sprach" is no cue
    return CitedSource(N.display_name(found), found, start, end, hit.cue)


def _mark_relays(text: str, found: list[CitedSource]) -> list[CitedSource]:
    """Set ``via`` on a credit that another credited outlet relays (module rules)."""
    out: list[CitedSource] = []
    for i, c in enumerate(found):
        for p in reversed(found[:i]):
            between = text[p.end : c.start]
            if p.name == c.name:
                continue
            if len(between) > _RELAY_GAP or "\n" in between:
                break
            if _RELAY_CUE.search(between):
                c = replace(c, via=p.name)
            break
        out.append(c)
    return out


def _joinable(text: str, start: int, end: int, s: Surface) -> bool:
    """A name in a list may inherit the list's cue unless it fails its own guards."""
    found = text[start:end]
    if not case_ok(s.forms, found, s.ambiguous):
        return False
    _, family = _strip_det(text[max(0, start - _WINDOW) : start])
    if s.articles is not None and family not in s.articles:
        return False
    after = text[end : end + _WINDOW]
    return not (s.ambiguous and C.CONTINUATION.match(after))


def cited_outlets(
    mentions: Iterable[CitedSource],
    catalog: OutletCatalog | None = None,
    *,
    include_mentions: bool = True,
    include_institutions: bool = False,
) -> list[str]:
    """Canonical names of the credited outlets, ordered by first mention.

    ``include_mentions=False`` drops bare mentions (cue "mention");
    institutions are dropped unless ``include_institutions``.
    """
    cat = catalog if catalog is not None else OutletCatalog.load()
    names: dict[str, None] = {}
    for c in sorted(mentions, key=lambda c: (c.start, c.end)):
        if not include_mentions and c.cue == MENTION:
            continue
        if not include_institutions and cat.kind(c.name) == INSTITUTION:
            continue
        names.setdefault(c.name, None)
    return list(names)


def mentions_outlet(
    doc: Document,
    outlet: str,
    catalog: OutletCatalog | None = None,
    *,
    include_mentions: bool = True,
) -> bool:
    """Whether ``doc`` credits ``outlet`` (any spelling of it; unknown names compare as written).

    A document's credit to its own outlet (an ANSA story's "(ANSA)") does not
    count: it says nothing about copying.  ``include_mentions=False`` ignores
    bare mentions.
    """
    cat = catalog if catalog is not None else OutletCatalog.load()
    target = cat.canonical(outlet) or outlet.strip()
    for c in extract_cited_sources(doc, cat, include_institutions=True):
        if c.name == target and (include_mentions or c.cue != MENTION):
            return True
    return False
