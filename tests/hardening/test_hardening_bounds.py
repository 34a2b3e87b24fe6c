"""Per-article bounds (issue 12, defect 3): hostile shapes under the size limit are cut to sizes no article
reaches, with a warning, so the work per file is bounded. The memory figures themselves are measured by
bench/memory.py (peak RSS), not here."""
from __future__ import annotations

from pathlib import Path

from searchkit import open_index
from searchkit.errors import ReadError
from searchkit.ingest import read_file
from searchkit.ingest.bounds import MAX_HTML_TAGS, MAX_LINES, MAX_TOKEN_CHARS, MAX_WORDS


def _read(path: Path) -> tuple[list, list[str]]:
    items = list(read_file(path))
    docs = [x for x in items if not isinstance(x, ReadError)]
    return docs, [x.reason for x in items if isinstance(x, ReadError)]


def test_one_giant_word_is_cut_with_a_warning(tmp_path: Path):
    f = tmp_path / "token.txt"
    f.write_text("Headline here\n\nsome words then " + "a" * 3_000_000 + " and the end words\n")
    (doc,), warnings = _read(f)
    assert max(len(w) for w in doc.text.split()) == MAX_TOKEN_CHARS
    assert doc.text.rstrip().endswith("and the end words")  # only the giant word was shortened
    assert any("characters cut" in w for w in warnings)


def test_millions_of_lines_are_cut_to_the_line_bound(tmp_path: Path):
    f = tmp_path / "lines.txt"
    f.write_text("ab\n" * (MAX_LINES + 50_000))
    (doc,), warnings = _read(f)
    assert doc.text.count("\n") < MAX_LINES
    assert any(f"{MAX_LINES:,} lines" in w for w in warnings)


def test_words_per_article_are_bounded_also_in_a_jsonl_record(tmp_path: Path):
    f = tmp_path / "big.jsonl"
    f.write_text('{"id": "r1", "text": "' + "word " * (MAX_WORDS + 10) + 'lastword"}\n{"id": "r2", "text": "short one"}\n')
    docs, warnings = _read(f)
    assert [d.id for d in docs] == ["r1", "r2"]
    assert len(docs[0].text.split()) == MAX_WORDS and "lastword" not in docs[0].text
    assert any(w.startswith("r1: ") and f"{MAX_WORDS:,} words" in w for w in warnings)


def test_a_page_with_too_many_tags_is_cut_before_extraction(tmp_path: Path):
    para = "<div><p>The minister said the talks in Kabul would resume next week after officials met.</p></div>"
    f = tmp_path / "deep.html"
    f.write_text("<!doctype html><html><body>" + para * (MAX_HTML_TAGS // 2) + "</body></html>")
    docs, warnings = _read(f)
    assert len(docs) == 1 and "Kabul" in docs[0].text
    assert any("tags of markup" in w for w in warnings)


def test_a_cut_article_is_indexed_and_searchable(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "token.txt").write_text("Zebrafinch report\n\nThe zebrafinch sang. " + "x" * 2_000_000 + "\n")
    report = open_index(tmp_path / "ix").add([folder])
    assert report.articles == 1
    assert open_index(tmp_path / "ix").search("zebrafinch").total == 1
