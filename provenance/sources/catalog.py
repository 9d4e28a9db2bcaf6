"""Catalog of news outlets, agencies and institutions that documents may credit.

The catalog is read from the packaged data file ``provenance/data/outlets.tsv``
(tab-separated: name, kind, country, language, ambiguous, aliases) and can be
extended with a user file of the same format (:meth:`OutletCatalog.load`).

Rules:

* **Canonical names.**  Every name and alias is reduced to a *key*: NFKC,
  typographic apostrophes folded, accents removed, case-folded, a leading
  article ("the", "il", "lo", "la", "l'") dropped and everything that is not a
  letter or digit removed.  ``canonical()`` maps any spelling with a known key to
  the entry's canonical name, so "WSJ", "Wsj", "W.S.J.", "Wall street Journal"
  and "the Wall Street Journal" all give "Wall Street Journal".
* **Kinds.**  newspaper, agency, broadcaster, online, magazine (the *media*
  kinds) and institution.  Institutions (Kremlin/Cremlino, White House, ...)
  are attributed sources that are not outlets; they are in the catalog so that
  "fonti del Cremlino" is recognised and *not* mistaken for an outlet.
* **Ambiguity.**  An entry flagged ``ambiguous`` (or an alias written with a
  trailing ``*``) is also a common word or proper noun ("Open", "Domani",
  "Time", "Corriere*"); a spelling is ambiguous as soon as one catalog alias
  with that key is marked so (hence "RT" with alias "RT*").  The extractor accepts such a name only after an
  attribution cue, with its catalog capitalisation, and — when the alias has a
  leading article ("Il Post", "The Sun") — with that article or an Italian
  articulated preposition of the same family ("dal Post", "della Stampa").
* **Merging.**  Entries of a later file with the same canonical key replace the
  earlier entry's fields and add their aliases; an alias key claimed by two
  entries goes to the later one (the conflict is recorded in ``conflicts``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from importlib import resources
from pathlib import Path

from provenance.sources.scan import AliasScanner, LoweredAliases

MEDIA_KINDS: frozenset[str] = frozenset({"newspaper", "agency", "broadcaster", "online", "magazine"})
INSTITUTION = "institution"
KINDS: frozenset[str] = MEDIA_KINDS | {INSTITUTION}

_HEADER = ("name", "kind", "country", "language", "ambiguous", "aliases")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# "LA Times" is not "la Times": articles are lower-case, title-case or (English) upper-case.
_LEADING_ARTICLE = re.compile(r"^(?:(?P<word>[Tt]he|THE|[Ii]l|[Ll][oa])\s+|(?P<elided>[lL])'\s*)(?=\S)")
_NON_ALNUM = re.compile(r"[\W_]+")

# Italian articulated prepositions folded to the article they contain.
ARTICLE_FAMILY: dict[str, str] = {
    **dict.fromkeys(("il", "del", "dal", "al", "nel", "sul", "col"), "il"),
    **dict.fromkeys(("lo", "dello", "dallo", "allo", "nello", "sullo"), "lo"),
    **dict.fromkeys(("la", "della", "dalla", "alla", "nella", "sulla"), "la"),
    **dict.fromkeys(("l'", "dell'", "dall'", "all'", "nell'", "sull'"), "l'"),
    "the": "the",
}


def fold_name(name: str) -> str:
    """Return the lookup key of an outlet name (see the module rules)."""
    s = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).strip()
    s = _LEADING_ARTICLE.sub("", s, count=1)
    s = "".join(c for c in unicodedata.normalize("NFD", s) if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", s.casefold())


def split_article(alias: str) -> tuple[str | None, str]:
    """Split a leading article off an alias: "Il Post" -> ("il", "Post")."""
    s = alias.translate(_APOSTROPHES).strip()
    m = _LEADING_ARTICLE.match(s)
    if m is None:
        return None, alias.strip()
    article = (m.group("word") or "l'").lower()
    if m.group("elided"):
        article = "l'"
    return article, s[m.end() :]


@dataclass(frozen=True)
class Alias:
    """One way of writing an outlet's name, as listed in the catalog."""

    text: str
    ambiguous: bool = False


@dataclass(frozen=True)
class OutletEntry:
    """One outlet, agency or institution of the catalog."""

    name: str
    kind: str
    country: str = ""
    language: str = ""
    ambiguous: bool = False
    aliases: tuple[Alias, ...] = ()

    @property
    def is_media(self) -> bool:
        return self.kind in MEDIA_KINDS

    def all_aliases(self) -> tuple[Alias, ...]:
        """The canonical name (first) and every alias, ambiguity resolved per alias."""
        own = Alias(self.name, self.ambiguous)
        rest = tuple(Alias(a.text, a.ambiguous or self.ambiguous) for a in self.aliases)
        return (own, *rest)


@dataclass(frozen=True)
class Surface:
    """How one alias core (alias without its leading article) is matched in text.

    ``forms`` are the catalog spellings sharing this key (used for the
    capitalisation check); ``articles`` is the set of article families one of
    which must precede an ambiguous core (None: no article needed).
    """

    key: str
    name: str
    kind: str
    ambiguous: bool
    forms: tuple[str, ...]
    articles: frozenset[str] | None
    single_token: bool


def _parse_bool(value: str, where: str) -> bool:
    v = value.strip().lower()
    if v in ("yes", "y", "true", "1"):
        return True
    if v in ("no", "n", "false", "0", ""):
        return False
    raise ValueError(f"{where}: ambiguous must be yes/no, got {value!r}")


def parse_catalog(text: str, origin: str = "<catalog>") -> list[OutletEntry]:
    """Parse catalog text (the TSV format described in the module docstring)."""
    entries: list[OutletEntry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cols = line.split("\t")
        where = f"{origin}:{number}"
        if tuple(c.strip().lower() for c in cols) == _HEADER:
            continue
        if len(cols) < 2 or len(cols) > len(_HEADER):
            raise ValueError(f"{where}: expected {len(_HEADER)} tab-separated columns, got {len(cols)}")
        cols += [""] * (len(_HEADER) - len(cols))
        name, kind, country, language, ambiguous, aliases = (c.strip() for c in cols)
        if not name or not fold_name(name):
            raise ValueError(f"{where}: empty outlet name")
        if kind not in KINDS:
            raise ValueError(f"{where}: unknown kind {kind!r} (expected one of {sorted(KINDS)})")
        alias_list: list[Alias] = []
        for a in aliases.split("|"):
            a = a.strip()
            if not a:
                continue
            star = a.endswith("*")
            a = a.rstrip("*").strip()
            if a and fold_name(a):
                alias_list.append(Alias(a, star))
        entries.append(
            OutletEntry(name, kind, country, language, _parse_bool(ambiguous, where), tuple(alias_list))
        )
    return entries


def _alias_tokens(core: str) -> list[str]:
    """Regex pieces for an alias core: flexible spaces, apostrophes, dots and hyphens."""
    out: list[str] = []
    for ch in core:
        if ch.isspace():
            if out and out[-1] == r"\s+":
                continue
            out.append(r"\s+")
        elif ch in "'\u2019":
            out.append(r"['\u2019]")
        elif ch == ".":
            out.append(r"\.?")
        elif ch == "-":
            out.append(r"[-\s]?")
        elif ch == "/":
            out.append(r"\s*/\s*")
        else:
            out.append(_folded(ch))
    return out


def _folded(ch: str) -> str:
    """A letter of an alias, case-folded (the pattern is searched ignoring case)."""
    return re.escape(ch.casefold())


_Trie = dict[str, "_Trie"]


def _trie_regex(cores: Iterable[str], rewrite: Mapping[str, str] | None = None) -> str:
    """One alternation for many aliases, factored as a trie (much faster than a flat list).

    At each node the continuations are tried before stopping, so the longest
    alias wins; backtracking falls back to a shorter one.  ``rewrite`` replaces
    pieces as the trie is written (its shape and order stay those of the pieces).
    """
    trie: _Trie = {}
    end = ""  # marker key: an alias ends here
    for core in cores:
        node = trie
        for tok in _alias_tokens(core):
            node = node.setdefault(tok, {})
        node[end] = {}

    def build(node: _Trie) -> str:
        branches = [(rewrite or {}).get(tok, tok) + build(child) for tok, child in sorted(node.items()) if tok != end]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end in node:
            return "(?:" + body + ")?" if len(branches) > 1 or len(body) > 1 else body + "?"
        return body

    return build(trie)


class OutletCatalog:
    """Outlets, agencies and institutions with their aliases (immutable once built)."""

    def __init__(self, entries: Iterable[OutletEntry]) -> None:
        merged: dict[str, OutletEntry] = {}
        for e in entries:
            k = fold_name(e.name)
            old = merged.get(k)
            if old is not None:  # a later entry for the same outlet: its fields, both alias lists
                seen = {fold_name(a.text) for a in e.all_aliases()}
                keep = tuple(a for a in old.aliases if fold_name(a.text) not in seen)
                e = replace(e, aliases=e.aliases + keep)
            merged[k] = e
        self._entries: dict[str, OutletEntry] = merged  # canonical key -> entry
        self._by_key: dict[str, OutletEntry] = {}
        conflicts: list[str] = []
        variants: dict[str, list[tuple[OutletEntry, Alias, str | None, str]]] = {}
        for e in merged.values():
            for a in e.all_aliases():
                article, core = split_article(a.text)
                key = fold_name(core)
                if not key:
                    continue
                prev = self._by_key.get(key)
                if prev is not None and prev.name != e.name:
                    conflicts.append(f"{a.text!r}: {prev.name} / {e.name}")
                    variants.pop(key, None)
                self._by_key[key] = e
                variants.setdefault(key, []).append((e, a, article, core))
        self.conflicts: tuple[str, ...] = tuple(conflicts)
        self._surfaces: dict[str, Surface] = {}
        for key, vs in variants.items():
            e = vs[0][0]
            ambiguous = any(a.ambiguous for _, a, _, _ in vs)
            articles: frozenset[str] | None = None
            if ambiguous and all(art is not None for _, _, art, _ in vs):
                articles = frozenset(art for _, _, art, _ in vs if art is not None)
            forms = tuple(dict.fromkeys(core for _, _, _, core in vs))
            single = all(len(re.findall(r"[^\W_]+", f)) == 1 for f in forms)
            self._surfaces[key] = Surface(key, e.name, e.kind, ambiguous, forms, articles, single)

    # ----------------------------------------------------------------- loading
    @classmethod
    def load(cls, extra: str | Path | None = None) -> OutletCatalog:
        """The packaged catalog, merged with ``extra`` (a file of the same format) if given.

        Without ``extra`` the same cached instance is returned on every call.
        """
        if extra is None:
            return default_catalog()
        path = Path(extra)
        own = parse_catalog(path.read_text(encoding="utf-8-sig"), str(path))
        return cls([*default_catalog().entries, *own])

    @classmethod
    def from_text(cls, text: str, origin: str = "<catalog>") -> OutletCatalog:
        """A catalog from TSV text alone (no packaged entries); handy for tests."""
        return cls(parse_catalog(text, origin))

    # ----------------------------------------------------------------- lookups
    @property
    def entries(self) -> tuple[OutletEntry, ...]:
        return tuple(self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[OutletEntry]:
        return iter(self._entries.values())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.entry(name) is not None

    def entry(self, name: str) -> OutletEntry | None:
        """The entry a name or alias refers to, or None."""
        key = fold_name(name)
        return self._entries.get(key) or self._by_key.get(key)

    def canonical(self, name: str) -> str | None:
        """Canonical name for any known spelling of an outlet ("Wsj" -> "Wall Street Journal")."""
        e = self.entry(name)
        return e.name if e is not None else None

    def kind(self, name: str) -> str | None:
        """Kind of the outlet a name refers to ("agency", "institution", ...), or None."""
        e = self.entry(name)
        return e.kind if e is not None else None

    def is_media(self, name: str) -> bool:
        """True for a known news outlet or agency (not an institution)."""
        e = self.entry(name)
        return e is not None and e.is_media

    def surface(self, found: str) -> Surface | None:
        """How a matched alias core is to be checked (internal to the extractor)."""
        return self._surfaces.get(fold_name(found))

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        """One regex finding every alias core, longest first, at word boundaries."""
        cores = {f for s in self._surfaces.values() for f in s.forms}
        alternation = _trie_regex(cores) or r"(?!x)x"
        return re.compile(rf"(?<![\w@])(?:{alternation})(?!\w)", re.IGNORECASE)

    def scanner(self, text: str) -> AliasScanner:
        """The spans of :attr:`pattern`'s matches in ``text``, found faster (:mod:`provenance.sources.scan`)."""
        return AliasScanner(self.pattern, self._lowered, text)

    @cached_property
    def _lowered(self) -> LoweredAliases | None:
        cores = {f for s in self._surfaces.values() for f in s.forms}
        if not cores:
            return None
        # the pieces of the pattern that are a letter written as itself (case-folded), not a class
        letters = {_folded(ch): ch.casefold() for core in cores for ch in core if _alias_tokens(ch) == [_folded(ch)]}
        return LoweredAliases(
            letters.values(), lambda pieces: _trie_regex(cores, {tok: pieces[f] for tok, f in letters.items()})
        )


_DEFAULT: OutletCatalog | None = None


def default_catalog() -> OutletCatalog:
    """The packaged catalog, read once and cached."""
    global _DEFAULT
    if _DEFAULT is None:
        text = resources.files("provenance").joinpath("data/outlets.tsv").read_text(encoding="utf-8")
        _DEFAULT = OutletCatalog(parse_catalog(text, "provenance/data/outlets.tsv"))
    return _DEFAULT
