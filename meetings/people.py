"""Names as minutes print them, read into one identity per person: plain Python, no Django.

A participant list or a case handler field prints the same person in many
ways: `Carl Holst (V)`, `Formand Carl Holst`, `Carl Holst, formand`,
`CARL HOLST`. `read_name` strips what is not the name (party letters and other
notes in parentheses, role words, punctuation around it) and gives the name
as shown and a key: two printed names are one person exactly when their keys
are equal. A handler may be an e-mail address (`jenbj@regioner.dk`): that is
an identity too, kept apart from any name.

What the archive is unsure of is never merged: a single word (`Tilde`, only a
first name, or only a surname) is no person at all, and two full names that
share a surname or a first name are two people. A printed string that holds
two names, or words that are not a name, is no person either. So a name gets
a page only when reading it leaves nothing to guess.

This module must never touch the database: it is tested on strings alone.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Words of a role or a title, printed before or after a name ("Formand Carl Holst",
# "Carl Holst, næstformand"). Compared case-folded, without a final full stop.
ROLE_WORDS = frozenset(
    [
        "formand",
        "næstformand",
        "viceformand",
        "forperson",
        "næstforperson",
        "fmd",
        "nfmd",
        "medlem",
        "medlemmer",
        "menigt",
        "bestyrelsesmedlem",
        "udvalgsmedlem",
        "byrådsmedlem",
        "regionsrådsmedlem",
        "kommunalbestyrelsesmedlem",
        "rådsmedlem",
        "folketingsmedlem",
        "mf",
        "borgmester",
        "viceborgmester",
        "overborgmester",
        "rådmand",
        "rådkvinde",
        "regionsrådsformand",
        "udvalgsformand",
        "suppleant",
        "stedfortræder",
        "observatør",
        "tilforordnet",
        "tilforordnede",
        "gæst",
        "referent",
        "sekretær",
        "mødeleder",
        "ordstyrer",
        "ordfører",
        "direktør",
        "kommunaldirektør",
        "regionsdirektør",
        "adm",
        "administrerende",
        "kst",
        "konstitueret",
        "chef",
        "kontorchef",
        "afdelingschef",
        "centerchef",
        "enhedschef",
        "teamleder",
        "konsulent",
        "chefkonsulent",
        "specialkonsulent",
        "fuldmægtig",
        "sagsbehandler",
        "kontaktperson",
        "afbud",
        "fraværende",
        "deltager",
        "deltagere",
        "deltog",
        "første",
        "anden",
        "tredje",
    ]
)
# Lower-case words that belong inside a name ("Ludwig van Beethoven", "Lise af Rosenborg").
PARTICLES = frozenset(
    [
        "af",
        "von",
        "van",
        "de",
        "da",
        "der",
        "den",
        "du",
        "la",
        "le",
        "ten",
        "ter",
        "zu",
        "di",
        "el",
        "al",
    ]
)
# Lower-case words that turn what follows a role word into a description of it:
# "formand for Danske Regioner" names no person.
CONNECTORS = frozenset(["for", "i", "af", "ved", "hos", "fra", "til", "og", "på"])
# Most names have two to four words; six is generous ("Anne Marie Bæk Lund Jespersen").
MAX_WORDS = 6

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# "(V)", "(fra kl. 16.00)", "[A]": notes beside a name are never part of it.
NOTE_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# Between a name and a role or a note: commas, colons, semicolons, slashes, dashes
# with spaces around them (a hyphen inside a word joins its name: Hans-Jørgen).
PART_SPLIT_RE = re.compile(r"[,;:/]|\s[-–—]\s")
ORDINAL_RE = re.compile(r"^\d{1,2}\.$")
# A word of a name: a capital letter first, then letters, hyphens and apostrophes,
# an optional full stop (an initial: "V.", "Chr."). Unicode letters, digits excluded.
NAME_WORD_RE = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*\.?$")
LABEL_PREFIX_RE = re.compile(r"^\s*(?:e-?mail|mail)\s*:?\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Name:
    """A printed name as the archive reads it.

    `key` is the identity of a person known by name (None when only an e-mail
    address is printed); `email` the address printed with it, lower-cased.
    """

    shown: str
    key: str | None
    email: str | None = None

    @property
    def identity(self) -> str:
        """The key of the person this name is: the name's, else the address's."""
        return self.key if self.key is not None else email_key(self.email or "")


def email_key(email: str) -> str:
    """The key of a person known only by an e-mail address: it can equal no name's key."""
    return "@" + email.casefold()


def read_name(printed: str) -> Name | None:
    """The person a printed name is, or None when it names no one for certain."""
    text = _clean(printed)
    email = None
    found = EMAIL_RE.search(text)
    if found:
        email = found.group(0).casefold().strip(".")
        text = text[: found.start()] + " " + text[found.end() :]
        text = re.sub(r"<\s*>|\bmailto:", " ", text)
        text = LABEL_PREFIX_RE.sub("", text)
        if EMAIL_RE.search(text):
            return None  # two addresses: whose is the field?
    words = _name_words(text)
    if words is None:
        return Name(email, None, email) if email else None
    return Name(_shown(words), name_key(words), email)


def name_key(words: list[str]) -> str:
    """The identity of a name: its words case-folded, without full stops."""
    return " ".join(word.casefold().replace(".", "") for word in words)


def search_words(text: str) -> list[str]:
    """A search query's words as name keys hold them (case-folded, no punctuation)."""
    cleaned = NOTE_RE.sub(" ", _clean(text))
    words = re.findall(r"[^\W_][^\W_'’-]*(?:[-'’][^\W_]+)*", cleaned)
    return [word.casefold() for word in words]


def _clean(printed: str) -> str:
    text = unicodedata.normalize("NFC", printed or "")
    text = text.replace("\u00ad", "").replace("\u00a0", " ").replace("\u2009", " ")
    return " ".join(text.split())


def _name_words(text: str) -> list[str] | None:
    """The words of the one name in `text`, or None when there is none or more than one."""
    text = NOTE_RE.sub(" ", text)
    if "(" in text or ")" in text:
        return None  # an unbalanced note: where does it end?
    names: list[list[str]] = []
    for part in PART_SPLIT_RE.split(text):
        words = part.strip(" .\t\"'“”„»«*").split()
        if not words:
            continue
        lead = _strip_roles(words)
        if not words:
            continue  # only a role ("formand")
        if lead and words[0] in CONNECTORS:
            continue  # a description of the role ("formand for udvalget")
        if not all(_is_name_word(word) for word in words):
            if any(ch.isdigit() for ch in part):
                continue  # a telephone number, a time: contact details beside the name
            return None  # words that are not a name: unsure what the part says
        names.append(words)
    if len(names) != 1:
        return None
    words = names[0]
    full_words = [word for word in words if len(word.rstrip(".")) > 1 and not word.endswith(".")]
    if len(full_words) < 2 or len(words) > MAX_WORDS:
        return None
    if words[0].casefold() in PARTICLES or words[-1].casefold() in PARTICLES:
        return None
    return words


def _strip_roles(words: list[str]) -> bool:
    """Remove role words (and ordinals: "1. næstformand") at both ends; whether any led."""
    led = False
    while words and (_is_role(words[0]) or ORDINAL_RE.match(words[0])):
        words.pop(0)
        led = True
    while words and _is_role(words[-1]):
        words.pop()
    return led


def _is_role(word: str) -> bool:
    return word.casefold().rstrip(".") in ROLE_WORDS


def _is_name_word(word: str) -> bool:
    if not NAME_WORD_RE.match(word):
        return False
    return word[0].isupper() or word.casefold() in PARTICLES


def _shown(words: list[str]) -> str:
    """The name as a page shows it; a name printed in capitals is shown in title case."""
    letters = [ch for ch in "".join(words) if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters) and len(letters) > 3:
        words = [_title(word) for word in words]
    return " ".join(words)


def _title(word: str) -> str:
    if word.casefold() in PARTICLES:
        return word.casefold()
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[0] + m.group(0)[1:].lower(), word)


DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"})


def slug_for(name: Name) -> str:
    """A person's address: the name's letters, æ ø å as ae oe aa (as the bodies' slugs)."""
    text = name.shown if name.key is not None else (name.email or "").replace("@", " ")
    text = unicodedata.normalize("NFKD", text.translate(DANISH_LETTERS))
    ascii_text = text.encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:100].strip("-") or "person"
