"""Reading a search (words, "phrases", OR) and showing a quote for a hit:
whole sentences, the words found marked."""

from __future__ import annotations

import pytest

from msskg.errors import ParameterError
from msskg.views.search_text import Excerpt, Pattern, excerpt, marked, parse_search

LONG = (
    "The ministry was founded in 1945. "
    + "It had many tasks in those years, some of them public and some not. " * 4
    + "It was later merged back with the Ministry of Internal Affairs. These workers left."
)


def test_words_phrases_and_or() -> None:
    assert parse_search("Security  FORCES") == [Pattern(("security", "forces"))]
    assert parse_search('"People\u2019s  Security" forces') == [
        Pattern(("people's security", "forces"))
    ]
    assert parse_search("a OR b c or d") == [Pattern(("a",)), Pattern(("b", "c", "or", "d"))]
    assert parse_search('"unclosed phrase') == [Pattern(("unclosed phrase",))]


def test_nothing_to_search_for_is_refused() -> None:
    for text in ("", "OR", '""', "- ."):
        with pytest.raises(ParameterError, match="search for at least one letter or digit"):
            parse_search(text)


def test_a_phrase_matches_its_words_in_order_only() -> None:
    (phrase,) = parse_search('"merged back"')
    assert phrase.matches("was later Merged\n back with")
    assert not phrase.matches("back, merged")
    (words,) = parse_search("merged back")
    assert words.matches("back, merged")


def test_an_excerpt_is_whole_sentences_around_the_match() -> None:
    shown = excerpt(LONG, parse_search("merged"))
    assert shown.text == "…It was later merged back with the Ministry of Internal Affairs.…"
    assert marked(shown) == "…It was later **merged** back with the Ministry of Internal Affairs.…"
    assert shown.marks == ((14, 20),)


def test_a_short_quote_is_whole_and_marked_everywhere() -> None:
    shown = excerpt("Security,  and security forces", parse_search("security forces"))
    assert shown == Excerpt("Security, and security forces", ((0, 8), (14, 29)))


def test_a_sentence_longer_than_the_limit_is_cut_at_words() -> None:
    sentence = "word " * 100 + "target " + "word " * 100
    shown = excerpt(sentence.strip() + ".", parse_search("target"), limit=60)
    assert shown.text.startswith("…word ") and shown.text.endswith(" word…")
    assert "target" in shown.text and len(shown.text) <= 62
