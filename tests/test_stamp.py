"""A stamp finds a cache entry without reading the files, and never serves old data."""

from __future__ import annotations

import os
from pathlib import Path

import pyoxigraph as ox
import pytest

from msskg.graph import stamp, store
from msskg.graph.store import open_store

LABEL = """SELECT ?l WHERE {
  <https://w3id.org/msskg/id/ministry> <http://www.w3.org/2000/01/rdf-schema#label> ?l
  FILTER (lang(?l) = 'en') }"""


def _label() -> str:
    (row,) = open_store(in_memory_limit=0).store.query(LABEL, use_default_graph_as_union=True)  # type: ignore[misc]
    value = row["l"]
    assert isinstance(value, ox.Literal)
    return value.value


def _edit_keeping_size_and_mtime(path: Path) -> None:
    """Social -> Secial: the same size, and the mtime set back to what it was."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "Social Security" in text
    path.write_text(text.replace("Social Security", "Secial Security"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def _count_hashing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = store._content_key

    def counted(*args: object, **kwargs: object) -> str:
        calls.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store, "_content_key", counted)
    return calls


def test_a_trusted_stamp_finds_the_entry_without_hashing(
    home: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp, "MARGIN_NS", 0)
    calls = _count_hashing(monkeypatch)
    assert _label() == "Ministry of Social Security"
    assert calls == [1]
    assert len(list((private_cache / ".stamps").iterdir())) == 1
    assert _label() == "Ministry of Social Security"
    assert calls == [1], "the files were hashed again"


def test_files_newer_than_the_margin_are_hashed_and_an_edit_is_seen(
    home: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _count_hashing(monkeypatch)
    assert _label() == "Ministry of Social Security"
    assert not (private_cache / ".stamps").exists(), "files written just now were stamped"
    _edit_keeping_size_and_mtime(home / "data" / "facts.ttl")
    assert _label() == "Ministry of Secial Security"
    assert calls == [1, 1]


def test_a_stamp_not_yet_trusted_is_not_used(
    home: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp, "MARGIN_NS", 0)
    calls = _count_hashing(monkeypatch)
    _label()
    monkeypatch.setattr(stamp, "MARGIN_NS", 3600 * 10**9)  # the files are now too new to trust
    _label()
    assert calls == [1, 1]


def test_a_stale_stamp_never_serves_old_data(
    home: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp, "MARGIN_NS", 0)
    assert _label() == "Ministry of Social Security"
    # the same size, inode and mtime: only the ctime the edit moved tells the stamp apart
    _edit_keeping_size_and_mtime(home / "data" / "facts.ttl")
    assert _label() == "Ministry of Secial Security"
    assert len([p for p in private_cache.iterdir() if not p.name.startswith(".")]) == 2


def test_a_stamp_naming_other_files_is_not_used(
    home: Path, private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamp, "MARGIN_NS", 0)
    _label()
    (written,) = (private_cache / ".stamps").iterdir()
    # a stamp whose name matches but whose content names other files (a checksum collision)
    written.write_text("another identity\n\n" + "0" * 32, encoding="utf-8")
    calls = _count_hashing(monkeypatch)
    assert _label() == "Ministry of Social Security"
    assert calls == [1]
