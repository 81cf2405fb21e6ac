"""Query understanding, offline: a shopper's words to the catalog's (synonyms, spellings, plurals, typos).

Where the alternatives of a query word come from, each with a weight below an exact match's 1.0:
  - curator synonyms (Settings; kept in the corrections log, so they sync): 0.9
  - the curated apparel-and-gear list (resources/lexicon/apparel_curated.json): same thing 0.9, audience 0.9,
    colour family 0.7, near (a word to the catalog word it usually means) 0.7
  - WordNet's apparel, gear, colour and audience part (resources/lexicon/wordnet_apparel.json, extracted at build
    time by packaging/build_lexicon.py): same synset 0.8, colour family 0.7, broader 0.55, narrower 0.4
  - the catalog's own vocabulary: words that name the same products in titles, categories and attributes, and
    the words of queries curators clicked through (search analytics): 0.5
Morphology: case, possessives ("men's" is "men"), plurals ("trousers", "ladies"), hyphens and joined forms
("t-shirt", "tshirt", "tee shirt" are one phrase). A word the index does not hold, with no alternative it
holds, is read as a typo of the nearest indexed word ("backpak" -> "backpack"), and the search says so.
Nothing here needs a network or a model: the weights were set from what each source means, not fitted.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from core.catalog import db
from core.resources import resource_path

EXACT = 1.0
CURATOR = 0.9
SAME = 0.9
AUDIENCE = 0.9
COLOUR_FAMILY = 0.7
NEAR = 0.7
WN_SYNONYM = 0.8
WN_BROADER = 0.55
WN_NARROWER = 0.4
CATALOG = 0.5
PREFIX = 0.6  # the last word as the start of a longer one ("coat" in "coating"): the curator may still be typing
MAX_ALTERNATIVES = 40  # per query word, best first: an FTS expression stays short
TYPO_MIN_LENGTH = 5  # shorter words have too many neighbours at one edit
SYNONYM_KINDS = ("add_synonym", "remove_synonym")
REFRESH_S = 30.0  # how long a catalog's learned vocabulary and index terms are reused before a fresh look

_TOKEN = re.compile(r"\w+(?:[-'’]\w+)*", re.UNICODE)
_SEP = re.compile(r"[\s\-'’_]+")


@dataclass(frozen=True)
class Alternative:
    phrase: str  # words the index should match, space-separated ("tank top")
    weight: float
    source: str  # exact, typo, prefix, curator, synonym, audience, colour, near, wordnet, catalog, clicks
    prefix: bool = False  # matches words that start with the phrase


@dataclass
class QueryWord:
    said: str  # what the shopper typed for it ("trousers", "t-shirt", "tee shirt")
    exact: str  # the form searched as typed (possessive dropped), or the typo's correction
    alternatives: list[Alternative] = field(default_factory=list)  # the exact form first (weight 1)
    corrected: bool = False  # exact is a correction of a typo

    def expanded(self) -> list[Alternative]:
        return [a for a in self.alternatives if a.weight < EXACT]


@dataclass
class Understanding:
    words: list[QueryWord]
    corrected: str | None = None  # the query as searched, when a typo was corrected ("backpack")
    # FTS5 expression -> the products it matches, for one search (core.search.lexical._matching)
    memo: dict[str, frozenset[int]] = field(default_factory=dict, repr=False)

    @property
    def expanded(self) -> bool:
        return any(w.expanded() for w in self.words)


def key(form: str) -> str:
    """A form's lookup key: lower case, one space between words, no hyphens or apostrophes."""
    return _SEP.sub(" ", form.lower()).strip()


_NOT_MEN = ("human", "german", "roman", "shaman", "caiman", "talisman", "ottoman")


def singular(word: str) -> str:
    """English plural to singular by rule, WordNet's own detachment rules ("men" -> "man", "ies" -> "y", ...),
    for lookups (the index stems on its own)."""
    if word.endswith("mens"):  # "womens", "mens" typed without the apostrophe
        return word[:-4] + "man"
    if word.endswith("men") and not word.endswith(tuple(w[:-3] + "men" for w in _NOT_MEN)):
        return word[:-3] + "man"
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# --- the shipped lexicon ----------------------------------------------------------------------------------
class Lexicon:
    """The curated list and the WordNet extract as one map: key -> [(phrase, weight, source)]."""

    def __init__(self, curated: dict[str, Any], wordnet: dict[str, Any]) -> None:
        self.related: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
        self.never = set(curated.get("not_expanded", []))
        for name, entry in (wordnet.get("entries") or {}).items():
            for rel, weight in (("syn", WN_SYNONYM), ("family", COLOUR_FAMILY), ("broader", WN_BROADER),
                                ("narrower", WN_NARROWER)):
                for other in entry.get(rel, []):
                    self._add(name, other, weight, "wordnet")
        for group in curated.get("same", []):
            for a in group:
                for b in group:
                    self._add(a, b, SAME, "synonym")
        for word, targets in (curated.get("near") or {}).items():
            for t in targets:
                self._add(word, t, NEAR, "near")
        # Who a product is for and its colour describe it; co-occurrence never makes them synonyms of a name.
        self.describing = {key(w) for group in (curated.get("audience") or {}).values() for w in group}
        self.describing |= {key(w) for shade, fam in (curated.get("colour_family") or {}).items() for w in [shade, *fam]}
        for group in (curated.get("audience") or {}).values():
            for a in group:
                for b in group:
                    self._add(a, b, AUDIENCE, "audience")
        for shade, families in (curated.get("colour_family") or {}).items():
            for f in families:
                self._add(shade, f, COLOUR_FAMILY, "colour")
        self.compact = {k.replace(" ", ""): k for k in self.related}

    def _add(self, a: str, b: str, weight: float, source: str) -> None:
        ka, kb = key(a), key(b)
        if ka == kb or not ka or not kb:
            return
        old = self.related[ka].get(kb)
        if old is None or weight > old[0]:
            self.related[ka][kb] = (weight, source)

    def lookup(self, form: str) -> str | None:
        """The lexicon key for a form: as written, its singular, or its joined spelling ("tshirt")."""
        k = key(form)
        words = k.split(" ")
        for candidate in (k, " ".join(words[:-1] + [singular(words[-1])])):
            if candidate in self.related:
                return candidate
            joined = self.compact.get(candidate.replace(" ", ""))
            if joined:
                return joined
        return None

    def knows(self, form: str) -> bool:
        return self.lookup(form) is not None


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    curated = json.loads(resource_path("lexicon", "apparel_curated.json").read_text(encoding="utf-8"))
    wordnet_file = resource_path("lexicon", "wordnet_apparel.json")
    wordnet = json.loads(wordnet_file.read_text(encoding="utf-8")) if wordnet_file.exists() else {}
    return Lexicon(curated, wordnet)


# --- curator synonyms: a fold over the corrections log ----------------------------------------------------
def pair(term: str, synonym: str) -> tuple[str, str]:
    a, b = key(term), key(synonym)
    if not a or not b or a == b:
        raise ValueError("a synonym needs two different words, e.g. trousers and pants")
    return (a, b) if a <= b else (b, a)


def add_synonym(term: str, synonym: str, *, user: str | None = None) -> db.Correction:
    """A curator says two words mean the same in this catalog: logged (and so synced) like any correction."""
    return _record("add_synonym", term, synonym, user)


def remove_synonym(term: str, synonym: str, *, user: str | None = None) -> db.Correction:
    """A curator takes a synonym away, whether a curator added it or it came with the app."""
    return _record("remove_synonym", term, synonym, user)


def _record(kind: str, term: str, synonym: str, user: str | None) -> db.Correction:
    a, b = pair(term, synonym)

    def write() -> db.Correction:
        fields: dict[str, Any] = {"uid": db.new_uid(), "product": None, "sku": "", "kind": kind,
                                  "before": {}, "after": {"term": a, "synonym": b}}
        if user:
            fields["user"] = user
        row = db.Correction.create(**fields)
        db.audit("correction", "", kind=kind, uid=row.uid)
        from core.sync.outbox import enqueue_correction

        enqueue_correction(row)
        return row

    return db.transaction(write)


class _Fold:
    """The synonym corrections folded so far: the pair -> on/off state, the last row id and uid read."""

    def __init__(self) -> None:
        self.state: dict[tuple[str, str], bool] = {}
        self.last_id = 0
        self.last_uid = ""
        self.result: tuple[set, set] = (set(), set())


_CURATOR: dict[str, _Fold] = {}
_LOCK = threading.Lock()


def curator_synonyms() -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """(added, removed) word pairs, the later correction winning, from every catalog that synced here.
    Folded incrementally (rows after the last id read); a pulled row older than one already folded refolds."""
    if db.database.deferred:  # no catalog open: the shipped lexicon alone
        return set(), set()
    name = str(db.database.database)
    last = db.database.execute_sql("SELECT max(id) FROM correction").fetchone()[0] or 0
    with _LOCK:
        fold = _CURATOR.get(name)
        if fold is not None and fold.last_id == last:
            return fold.result
    fold = fold if fold is not None and last > fold.last_id else _Fold()
    rows = db.database.execute_sql("SELECT id, uid, kind, after FROM correction WHERE id > ? AND kind IN (?, ?) "
                                   "ORDER BY uid", (fold.last_id, *SYNONYM_KINDS)).fetchall()
    if rows and fold.last_uid and rows[0][1] < fold.last_uid:
        fold = _Fold()  # an older correction arrived late (a sync): fold again in time order
        rows = db.database.execute_sql("SELECT id, uid, kind, after FROM correction WHERE kind IN (?, ?) "
                                       "ORDER BY uid", SYNONYM_KINDS).fetchall()
    for _id, uid, kind, after in rows:
        fold.last_uid = max(fold.last_uid, uid)
        try:
            doc = json.loads(after) if isinstance(after, str) else (after or {})
            fold.state[pair(doc.get("term", ""), doc.get("synonym", ""))] = kind == "add_synonym"
        except (ValueError, AttributeError, TypeError):
            continue  # a malformed row from another catalog changes nothing
    fold.last_id = last
    fold.result = ({p for p, on in fold.state.items() if on}, {p for p, on in fold.state.items() if not on})
    with _LOCK:
        _CURATOR[name] = fold
    return fold.result


def synonym_list() -> list[dict[str, str]]:
    """What Settings shows: the curators' synonyms and the built-in ones they removed."""
    added, removed = curator_synonyms()
    return ([{"term": a, "synonym": b, "state": "added"} for a, b in sorted(added)]
            + [{"term": a, "synonym": b, "state": "removed"} for a, b in sorted(removed)])


# --- what the catalog teaches ------------------------------------------------------------------------------
# db path -> (checked at, fingerprint, taught, surface words)
_LEARNED: dict[str, tuple[float, tuple, dict[str, dict[str, tuple[float, str]]], Counter[str]]] = {}
CO_MIN_SUPPORT = 3  # products a word must name before its company means anything
CO_MIN_SHARE = 0.8  # of the products with word a, the share that also carry b
CO_MIN_BACK = 0.5  # and of those with b, the share with a: both ways, or it is a category, not a synonym
CO_MAX_COMMON = 0.5  # b on more than this share of products says nothing (a colour everything has)
CLICK_MIN_QUERIES = 2  # distinct clicked-through queries before a query word is taught


def learned() -> dict[str, dict[str, tuple[float, str]]]:
    """key -> {key: (weight, source)} taught by this catalog: co-occurrence and clicked-through queries."""
    return _learned()[0]


def catalog_words() -> Counter[str]:
    """The words of the catalog's titles, categories and attributes, with how many products hold each: what
    a typo is corrected to (surface words, as a curator would read them)."""
    return _learned()[1]


def _learned() -> tuple[dict[str, dict[str, tuple[float, str]]], Counter[str]]:
    if db.database.deferred:
        return {}, Counter()
    name = str(db.database.database)
    now = time.monotonic()
    with _LOCK:
        hit = _LEARNED.get(name)
    if hit and now - hit[0] < REFRESH_S:
        return hit[2], hit[3]
    # Every REFRESH_S at most, a look at whether the products or the clicks changed (a ms at 10k products);
    # the vocabulary is taught again only then (~0.1 s at 10k).
    mark = tuple(db.database.execute_sql(
        "SELECT (SELECT count(*) FROM product), (SELECT max(updated_at) FROM product), "
        "(SELECT max(id) FROM query_click)").fetchone())
    if hit and hit[1] == mark:
        with _LOCK:
            _LEARNED[name] = (now, mark, hit[2], hit[3])
        return hit[2], hit[3]
    out: dict[str, dict[str, tuple[float, str]]] = defaultdict(dict)
    surface: Counter[str] = Counter()
    _co_occurrence(out, surface)
    _clicks(out)
    with _LOCK:
        _LEARNED[name] = (now, mark, out, surface)
    return out, surface


def _words_of(text: str) -> set[str]:
    return {singular(w) for w in re.findall(r"[^\W\d_]+", (text or "").lower()) if len(w) > 2}


def _category_words(category: str) -> set[str]:
    leaf = (category or "").split("/")[-1]
    return _words_of(leaf)


def _co_occurrence(out: dict[str, dict[str, tuple[float, str]]], surface: Counter[str]) -> None:
    """A title's head word (its last) and attribute values against the category words of the same products:
    "Pullover" in titles under "Hoodies & Sweatshirts" teaches pullover ~ hoodie ~ sweatshirt."""
    rows = db.database.execute_sql(
        "SELECT title, category, attributes FROM product WHERE deleted_at IS NULL").fetchall()
    if not rows:
        return
    n = len(rows)
    df: Counter[str] = Counter()
    both: Counter[tuple[str, str]] = Counter()
    for title, category, attributes in rows:
        surface.update({w for w in re.findall(r"[^\W\d_]+", f"{title} {category} {attributes}".lower())
                        if len(w) >= TYPO_MIN_LENGTH - 1})
        cats = _category_words(category)
        heads = set()
        title_words = [singular(w) for w in re.findall(r"[^\W\d_]+", (title or "").lower()) if len(w) > 2]
        if title_words:
            heads.add(title_words[-1])
        try:
            values = json.loads(attributes).values() if attributes else []
        except ValueError:
            values = []
        for v in values:
            if isinstance(v, str) and len(v) < 40:
                heads |= _words_of(v)
        for w in heads | cats:
            df[w] += 1
        for h in heads:
            for c in cats:
                if h != c:
                    both[(h, c)] += 1
    describing = lexicon().describing
    for (h, c), count in both.items():
        if h in describing or c in describing:
            continue
        if df[h] >= CO_MIN_SUPPORT and count / df[h] >= CO_MIN_SHARE and count / df[c] >= CO_MIN_BACK \
                and df[c] / n <= CO_MAX_COMMON:
            out[h].setdefault(c, (CATALOG, "catalog"))
            out[c].setdefault(h, (CATALOG, "catalog"))


def _clicks(out: dict[str, dict[str, tuple[float, str]]]) -> None:
    """A query word the clicked product does not hold, taught to mean that product's category words."""
    rows = db.database.execute_sql(
        "SELECT q.id, q.text, p.title, p.category, p.attributes FROM query_click c "
        "JOIN query_result q ON q.id = c.query_id JOIN product p ON p.id = c.product_id "
        "WHERE q.text != '' AND p.deleted_at IS NULL").fetchall()
    seen: dict[tuple[str, str], set[int]] = defaultdict(set)
    for qid, text, title, category, attributes in rows:
        held = _words_of(title) | _words_of(category or "") | _words_of(attributes or "")
        for w in _words_of(text) - held:
            for c in _category_words(category):
                seen[(w, c)].add(qid)
    for (w, c), queries in seen.items():
        if len(queries) >= CLICK_MIN_QUERIES:
            out[w][c] = (CATALOG, "clicks")


# --- understanding a query ------------------------------------------------------------------------------
def tokens(text: str | None) -> list[str]:
    """The query's words: lower case, hyphenated words kept whole, possessives dropped ("men's" -> "men")."""
    out = []
    for t in _TOKEN.findall((text or "").lower()):
        t = re.sub(r"['’]s$", "", t).replace("’", "'")
        if t:
            out.append(t)
    return out


def understand(text: str | None) -> Understanding:
    """The query's words with their alternatives, longest known phrase first ("tee shirt" is one word)."""
    lex = lexicon()
    toks = tokens(text)
    added, removed = curator_synonyms()
    taught = learned()
    words: list[QueryWord] = []
    i = 0
    toks = [t for t in toks if t not in lex.never] or toks  # "for", "with", the "s" of "men s"
    while i < len(toks):
        span = 1
        for n in (3, 2):  # a known phrase: "tee shirt", "tank top", "navy blue"
            if i + n <= len(toks) and lex.lookup(" ".join(toks[i:i + n])):
                span = n
                break
        said = " ".join(toks[i:i + span])
        i += span
        words.append(_word(said, lex, added, removed, taught))
    present = index_terms()
    if present is not None:  # alternatives the catalog never uses only make the FTS5 expression longer
        for w in words:
            w.alternatives = w.alternatives[:1] + [a for a in w.alternatives[1:] if _in_index(a.phrase, present)]
    if words and " " not in words[-1].exact and not words[-1].exact.isdigit():
        last = words[-1]  # the word being typed may be the start of a longer one
        last.alternatives.insert(1, Alternative(last.exact, PREFIX, "prefix", prefix=True))
    return Understanding(words)


def _irregular_plural(phrase: str) -> str | None:
    """The "-men" plural of a phrase ending in "-man" (the index's stemmer keeps them apart), else None."""
    if phrase.endswith("man") and not phrase.endswith(_NOT_MEN):
        return phrase[:-3] + "men"
    return None


def _word(said: str, lex: Lexicon, added, removed, taught) -> QueryWord:
    exact = key(said) if " " in said else said.replace("'", "")
    word = QueryWord(said=said, exact=exact, alternatives=[Alternative(exact, EXACT, "exact")])
    if key(said) in lex.never:
        return word
    found: dict[str, tuple[float, str]] = {}
    k = lex.lookup(said) or key(said)
    forms = {key(said), k, singular(key(said))}
    for form in forms:
        for other, (weight, source) in lex.related.get(form, {}).items():
            if other not in found or weight > found[other][0]:
                found[other] = (weight, source)
        for other, (weight, source) in taught.get(form, {}).items():
            found.setdefault(other, (weight, source))
    bases = forms | {singular(f) for f in forms}
    for a, b in added:
        if a in bases or b in bases or singular(a) in bases or singular(b) in bases:
            found[b if a in bases or singular(a) in bases else a] = (CURATOR, "curator")
    for a, b in removed:  # the pair and its plurals: "trousers" / "pants" also takes "trouser" / "pant"
        if a in bases or singular(a) in bases or b in bases or singular(b) in bases:
            other = singular(b if a in bases or singular(a) in bases else a)
            for k in [k for k in found if k == other or singular(k) == other]:
                del found[k]
    for form in forms:
        found.pop(form, None)
    for phrase, value in list(found.items()):  # "woman" is stemmed apart from "women": search both
        plural = _irregular_plural(phrase)
        if plural and plural not in found and plural not in forms:
            found[plural] = value
    ranked = sorted(found.items(), key=lambda kv: (-kv[1][0], kv[0]))[:MAX_ALTERNATIVES]
    word.alternatives += [Alternative(p, w, s) for p, (w, s) in ranked if p != exact]
    return word


# --- the index's own terms --------------------------------------------------------------------------------
_TERMS: dict[str, tuple[tuple, frozenset[str]]] = {}


def index_terms() -> frozenset[str] | None:
    """The text index's terms (FTS5's, stemmed), read again when the catalog's vocabulary is (see _learned);
    None when there is no catalog or no index to read."""
    if db.database.deferred:
        return None
    name = str(db.database.database)
    _learned()
    with _LOCK:
        mark = _LEARNED[name][1] if name in _LEARNED else None
        hit = _TERMS.get(name)
    if hit is not None and hit[0] == mark:
        return hit[1]
    try:
        db.database.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.product_fts_terms "
                                "USING fts5vocab(main, 'product_fts', 'row')")
        terms = frozenset(t for (t,) in db.database.execute_sql("SELECT term FROM temp.product_fts_terms"))
    except Exception:  # no text index (an old catalog) or no temp schema: keep every alternative
        return None
    with _LOCK:
        _TERMS[name] = (mark, terms)
    return terms


def _in_index(phrase: str, terms: frozenset[str]) -> bool:
    """Whether every word of the phrase is in the index. The index holds Porter stems, and a stem is the
    word's start (or ends in "i" for a final "y"), so a word counts when one of its starts is a term."""
    for w in re.findall(r"\w+", phrase.lower()):  # the index's tokenizer splits on hyphens and apostrophes
        if not any(w[:i] in terms for i in range(min(3, len(w)), len(w) + 1)) and not (
                w.endswith("y") and w[:-1] + "i" in terms):
            return False
    return True


# --- typos -----------------------------------------------------------------------------------------------
_NEAREST: dict[tuple[str, int, str], str | None] = {}  # (catalog, vocabulary id, word) -> correction


def nearest_term(word: str) -> str | None:
    """The word a mistyped one most likely meant: fewest edits (1, or 2 for long words), then the catalog's
    words before the lexicon's, then the most products. None for short words, digits, or nothing near.
    Like most spellers it trusts the first letter (or a swap of the first two), which keeps the candidates
    to a few hundred; answers are remembered until the catalog's words change."""
    if len(word) < TYPO_MIN_LENGTH or not word.isalpha():
        return None
    surface = catalog_words()
    memo = (str(db.database.database) if not db.database.deferred else "", id(surface), word)
    if memo in _NEAREST:
        return _NEAREST[memo]
    limit = 1 if len(word) < 8 else 2
    forms = {word, singular(word)}
    starts = {word[0], word[1]}
    candidates = [(t, d) for t, d in surface.items() if t[:1] in starts]
    candidates += [(k, 0) for k in lexicon().related if k[:1] in starts and k.isalpha() and k not in surface]
    best: tuple[int, int, int, str] | None = None
    for term, docs in candidates:
        if abs(len(term) - len(word)) > limit or term in forms:
            continue
        if term[0] != word[0] and term[:2] != word[1::-1]:  # another first letter only as a swap of two
            continue
        # the word as typed before its singular: "trosers" is "trousers", not "trouser"
        d, via_singular = min((edit_distance(f, term, limit), f != word) for f in forms)
        if d <= limit and (best is None or (d, via_singular, -docs, term) < best):
            best = (d, via_singular, -docs, term)
    found = best[3] if best else None
    with _LOCK:
        if len(_NEAREST) > 10_000:
            _NEAREST.clear()
        _NEAREST[memo] = found
    return found


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of neighbours is one edit), capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                cur[j] = min(cur[j], prev2[j - 2] + 1)
        if min(cur) > limit:
            return limit + 1
        prev2, prev = prev, cur
    return prev[-1]


def correct(understanding: Understanding, matches: Any) -> Understanding:
    """Replace each word that finds nothing (matches(word) is False) and is no known word with the nearest
    indexed term; says what was searched instead in understanding.corrected."""
    lex = lexicon()
    changed = False
    added, removed = curator_synonyms()
    taught = learned()
    for n, word in enumerate(understanding.words):
        if " " in word.said or lex.knows(word.said) or matches(word):
            continue
        term = nearest_term(word.said)
        if term is None:
            continue
        fixed = _word(term, lex, added, removed, taught)
        fixed.said, fixed.corrected = word.said, True
        fixed.alternatives[0] = Alternative(term, EXACT, "typo")
        understanding.words[n] = fixed
        changed = True
    if changed:
        understanding.corrected = " ".join(w.exact for w in understanding.words)
    return understanding
