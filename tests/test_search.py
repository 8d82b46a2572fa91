"""msskg search: labels and names in either script, any case, parts of words,
and quotes; ranked hits with their kind and the command that shows more."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result

from msskg.cli import main
from msskg.graph.store import open_store
from msskg.views.search import find


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_korean_part_of_a_word_finds_the_body_and_its_quotes() -> None:
    result = run("search", "안전군")
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == (
        '3 found for "안전군":\n'
        "1. Social Security Forces (조선사회안전군) · armed force\n"
        "   quote: “- Agencyname: Social Security Forces - Nativenamea: 조선사회**안전군**” "
        "(msr:source-001)\n"
        "   msskg describe msr:social-security-forces\n"
        "2. A North Korean paramilitary force · characterisation\n"
        "   quote: “The Social Security Forces (조선사회**안전군**) is a North Korean paramilitary "
        "force” (msr:source-001)\n"
        "   msskg describe msr:char-ssf-paramilitary-001\n"
        '3. Social Security Forces as "Social Security Forces", 2020 \u2013 present · name period\n'
        "   quote: “- Agencyname: Social Security Forces - Nativenamea: 조선사회**안전군**” "
        "(msr:source-001)\n"
        "   msskg describe msr:name-2020-social-security-forces\n"
    )


def test_any_case_and_parts_of_words_in_several_words() -> None:
    result = run("search", "PAK", "mun")
    quote = (
        "   quote: “- **Pak Mun**-gyu (박문규) (23 October 1960 \u2013 22 October 1962 and "
        "23 October 1962)” (msr:source-000)\n"
    )
    assert result.stdout == (
        '3 found for "PAK mun":\n'
        "1. Pak Mun-gyu (박문규) · person\n"
        f"{quote}"
        "   msskg describe msr:pak-mun-gyu\n"
        "2. Pak Mun-gyu, Minister of Interior, from 23 October 1962 · term of office\n"
        f"{quote}"
        "   msskg describe msr:term-pak-mun-gyu-2\n"
        "3. Pak Mun-gyu, Minister of Interior, 23 October 1960 \u2013 22 October 1962"
        " · term of office\n"
        f"{quote}"
        "   msskg describe msr:term-pak-mun-gyu-1\n"
    )


def test_a_quote_is_shown_in_whole_sentences_with_the_words_marked() -> None:
    result = run("search", "merged back")
    quote = (
        "   quote: “However, the ministry was later **merged back** with the Ministry of "
        "Internal Affairs in October 1952.” (msr:source-000)\n"
    )
    assert result.stdout == (
        '2 found for "merged back":\n'
        "1. Merged back with the Ministry of Internal Affairs · merger\n"
        f"{quote}"
        "   msskg describe msr:event-1952-merger\n"
        '2. Ministry of Social Security as "Ministry of Social Security", '
        "May 1951 \u2013 October 1952 · name period\n"
        f"{quote}"
        "   msskg describe msr:name-1951-ministry-of-social-security\n"
    )


def test_the_best_hit_first_and_a_limit() -> None:
    result = run("search", "security", "forces", "--limit", "2")
    assert result.stdout == (
        '28 found for "security forces", the first 2 shown (--limit):\n'
        "1. Social Security Forces (조선사회안전군) · armed force\n"
        "   quote: “in 2020 was renamed as the People's Social **Security Forces**” "
        "(msr:source-000)\n"
        "   msskg describe msr:social-security-forces\n"
        "2. Source 001: Social Security Forces · source text\n"
        "   msskg describe msr:source-001\n"
    )


def test_every_word_a_quoted_phrase_and_or() -> None:
    def found(text: str) -> list[str]:
        return [hit.iri.rsplit("/", 1)[-1] for hit in find(open_store(), text)]

    every_word = found("Social Security Department")
    phrase = found('"Social Security Department"')
    assert len(every_word) == 15 and len(phrase) == 5 and set(phrase) < set(every_word)
    assert phrase[:3] == [
        "ministry-of-social-security",
        "event-1972-renaming",
        "name-1972-social-security-department",
    ]
    either = found('"merged back" OR Pyongyang')
    assert set(found("merged back")) | set(found("pyongyang")) == set(either)
    assert found("pyongyang OR") == found("pyongyang")


def test_a_hit_on_a_former_name_shows_the_quote_that_names_it() -> None:
    result = run("search", '"Social Security Department"', "--limit", "1")
    assert result.stdout == (
        '5 found for "Social Security Department", the first 1 shown (--limit):\n'
        "1. Ministry of Social Security (사회안전성) · ministry\n"
        "   name: Social Security Department\n"
        "   quote: “It became the **Social Security Department** (Korean: 사회안전부) in "
        "December 1972.” (msr:source-000)\n"
        "   msskg describe msr:ministry-of-social-security\n"
    )


def test_an_exact_alternative_label_ranks_first_and_is_shown() -> None:
    # The post's alternative label "Minister" is matched exactly, as is the ORG role
    # the minister's post plays (msr:role-minister): both rank above partial matches.
    hits = find(open_store(), "minister")
    assert sorted((h.iri, h.field, h.matched, h.kind) for h in hits[:2]) == [
        ("https://w3id.org/msskg/id/post-minister-of-social-security", "label", "Minister", "post"),
        ("https://w3id.org/msskg/id/role-minister", "label", "Minister", "role"),
    ]


def test_a_class_of_facts_is_a_fact_type() -> None:
    result = run("search", "renaming")
    assert result.stdout == (
        '1 found for "renaming":\n1. renaming (개칭) · fact type\n   msskg describe mss:Renaming\n'
    )


def test_json(home: Path) -> None:
    result = run("search", "renamed", "-f", "json")
    assert json.loads(result.stdout) == [
        {
            "iri": "https://w3id.org/msskg/id/name-1",
            "label": "name-1",
            "korean": None,
            "kind": "name period",
            "field": "quote",
            "matched": "renamed",
            "source": "msr:source-a",
            "score": 12,
            "command": "msskg describe msr:name-1",
            "quote": "renamed",
            "marks": [[0, 7]],
        }
    ]


def test_nothing_found_is_said(home: Path) -> None:
    result = run("search", "zzz")
    assert (result.exit_code, result.stdout) == (
        0,
        'nothing found for "zzz" (labels, names and quotes were searched)\n',
    )


def test_bad_input_is_one_line(home: Path) -> None:
    result = run("search", "--", "-")
    assert (result.exit_code, result.stdout, result.stderr) == (
        2,
        "",
        "Error: search for at least one letter or digit, e.g. msskg search minister\n",
    )
    result = run("search", "x", "--limit", "0")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: --limit takes a whole number from 1, not 0\n",
    )
    result = run("search", "x", "-f", "xml")
    assert (result.exit_code, result.stderr) == (
        2,
        'Error: unknown search format "xml"; use text, json\n',
    )
