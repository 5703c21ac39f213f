"""Reading printed names into people (meetings/people.py): strings in, identities out."""

from __future__ import annotations

import pytest

from meetings.people import Name, email_key, read_name, search_words, slug_for


def key(printed: str) -> str | None:
    name = read_name(printed)
    return name.key if name else None


@pytest.mark.parametrize(
    "printed",
    [
        "Carl Holst",
        "Carl Holst (V)",
        "Formand Carl Holst",
        "Carl Holst, formand",
        "Carl Holst (V), formand",
        "Formand: Carl Holst",
        "formand Carl Holst (V)",
        "Næstformand Carl Holst",
        "1. næstformand Carl Holst",
        "Regionsrådsformand Carl Holst (V).",
        "Carl Holst – formand",
        "Carl  Holst",
        "Carl\u00a0Holst",
        "CARL HOLST",
        "Carl Holst (fra kl. 16.00)",
        "Carl Holst, formand for Danske Regioner",
        "Borgmester Carl Holst",
        "Carl Holst [V]",
        "Carl Holst.",
    ],
)
def test_every_printed_form_of_a_name_is_one_person(printed):
    assert key(printed) == "carl holst"


def test_the_name_is_shown_as_printed_without_what_is_not_the_name():
    assert read_name("Formand Carl Holst (V)") == Name("Carl Holst", "carl holst")
    assert read_name("CARL HOLST").shown == "Carl Holst"
    assert read_name("HANS-JØRGEN KIRSTEIN").shown == "Hans-Jørgen Kirstein"
    assert read_name("Anne V. Kristensen").shown == "Anne V. Kristensen"


def test_initials_keep_their_letter_and_lose_their_full_stop_in_the_key():
    assert key("Anne V. Kristensen") == key("Anne V Kristensen") == "anne v kristensen"
    assert key("John T. Olsen (A)") == "john t olsen"


def test_letters_of_danish_and_other_names_are_kept():
    assert key("Per Tærsbøl") == "per tærsbøl"
    assert key("Poul Müller") == "poul müller"
    assert key("Annette Budtz-Jørgensen") == "annette budtz-jørgensen"
    assert key("Ludwig van Beethoven") == "ludwig van beethoven"


@pytest.mark.parametrize(
    "printed",
    [
        "Tilde",  # a first name alone
        "Holst",  # a surname alone
        "Formand Holst",
        "formand",
        "",
        "   ",
        "Carl H.",  # one full word and an initial
        "Carl Holst og Bent Hansen",  # two people
        "Carl Holst, Bent Hansen",
        "Holst, Carl",  # surname first: which is which is a guess
        "carl holst",  # not written as a name
        "Hele bestyrelsen",
        "Deltagere fra SST",
        "Carl Holst deltog fra punkt 3",
        "Punkt 3",
        "Carl Holst (V",
        "a b c d e f g h",
    ],
)
def test_a_name_the_archive_is_unsure_of_is_no_person(printed):
    assert key(printed) is None


def test_full_names_that_share_a_surname_or_a_first_name_are_kept_apart():
    assert key("Carl Holst") != key("Anne Holst")
    assert key("Thor Grønlykke") != key("Thor Buch Grønlykke")
    assert key("Tilde Ølholm") == "tilde ølholm" and key("Tilde") is None


def test_a_handler_email_is_an_identity_of_its_own():
    name = read_name("jenbj@regioner.dk")
    assert name == Name("jenbj@regioner.dk", None, "jenbj@regioner.dk")
    assert name.identity == email_key("jenbj@regioner.dk") == "@jenbj@regioner.dk"
    assert read_name("MBK@Regioner.dk").identity == "@mbk@regioner.dk"
    assert read_name("E-mail: mbk@regioner.dk").email == "mbk@regioner.dk"


def test_a_name_printed_with_its_email_is_the_named_person_with_that_address():
    for printed in (
        "Ulla Riel, ulr@regioner.dk",
        "Ulla Riel <ulr@regioner.dk>",
        "Ulla Riel (ulr@regioner.dk)",
        "Ulla Riel, tlf. 3529 8100, ulr@regioner.dk",
    ):
        assert read_name(printed) == Name("Ulla Riel", "ulla riel", "ulr@regioner.dk"), printed
    assert read_name("a@regioner.dk, b@regioner.dk") is None


def test_slugs_write_danish_letters_as_urls_do():
    assert slug_for(read_name("Per Tærsbøl")) == "per-taersboel"
    assert slug_for(read_name("Anne V. Kristensen")) == "anne-v-kristensen"
    assert slug_for(read_name("Poul Müller")) == "poul-muller"
    assert slug_for(read_name("jenbj@regioner.dk")) == "jenbj-regioner-dk"


def test_search_words_are_folded_like_keys():
    assert search_words("Carl HOLST (V)") == ["carl", "holst"]
    assert search_words("“Hans-Jørgen”") == ["hans-jørgen"]
