"""Readers: each format on realistic fixtures and the seed corpus, ids, metadata hints, gzip, sniffing."""
from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from searchkit.article import build_article
from searchkit.errors import ReadError
from searchkit.ingest import iter_files, read_file
from searchkit.ingest.html import looks_like_html
from searchkit.model import RawDocument

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
FIX = REPO / "tests" / "fixtures" / "ingest"
SHARED = REPO / ".." / "shared"


def docs(path, **kw) -> list[RawDocument]:
    return [d for d in read_file(path, **kw) if isinstance(d, RawDocument)]


def warnings(path, **kw) -> list[ReadError]:
    return [d for d in read_file(path, **kw) if isinstance(d, ReadError)]


def gz_copy(src: Path, dest_dir: Path) -> Path:
    dest = dest_dir / (src.name + ".gz")
    dest.write_bytes(gzip.compress(src.read_bytes()))
    return dest


# --- plain text: the seed corpus -------------------------------------------------------------------

@pytest.mark.parametrize("seed", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name)
def test_seed_articles_are_read_as_text_unchanged(seed):
    (doc,) = read_file(seed)
    assert doc.format == "text"
    assert doc.id == seed.name and doc.path == str(seed)
    assert doc.text == seed.read_text(encoding="utf-8").replace("\r\n", "\n")
    assert doc.meta == {}


def test_seed_that_lists_html_tags_is_not_mistaken_for_html():
    # corpus/000 ends with a comment form's "You can use these html tags: <a href=""> <b> ..." line
    seed = CORPUS / "000_4550e499fde3997a.txt"
    assert "<blockquote" in seed.read_text(encoding="utf-8")
    assert not looks_like_html(seed.read_text(encoding="utf-8"))


def test_id_is_posix_path_relative_to_root():
    (doc,) = read_file(CORPUS / "001_233c0a0495289e8e.txt", root=REPO)
    assert doc.id == "corpus/001_233c0a0495289e8e.txt"
    assert doc.path == str(CORPUS / "001_233c0a0495289e8e.txt")


# --- HTML ------------------------------------------------------------------------------------------

def test_html_page_main_content_structure_and_metadata():
    (doc,) = read_file(FIX / "harbour-bridge.html")
    assert doc.format == "html"
    assert doc.meta == {
        "headline": "Harbour bridge to close for six weeks of repairs",
        "date": "2024-03-11T07:45:00+00:00",
        "author": "Maria Okafor",
        "source": "The Coastal Courier",
        "url": "https://coastalcourier.example/news/2024/03/11/harbour-bridge-repairs",
    }
    text = doc.text
    assert text.startswith("The swing bridge that carries the coast road")  # the <h1> headline went to meta
    assert "\n\n## What the engineers found\n\n" in text
    assert "- repainting the steelwork of the swing span;" in text
    assert "> The bridge is safe to use today" in text
    assert text.rstrip().endswith("able to use a temporary footbridge.")
    for chrome in ("Subscribe", "Share on Facebook", "Related stories", "harbourwatcher", "Most read",
                   "All rights reserved", "Leave a reply", "dataLayer"):
        assert chrome not in text, chrome
    paragraphs = text.split("\n\n")
    assert len(paragraphs) >= 9 and all(p.strip() for p in paragraphs)


def test_html_metadata_fallbacks_placeholder_date_url_date_and_byline():
    # JSON-LD says "0001-01-01" (a CMS placeholder), no <meta> date or author: the URL's date and the
    # byline element are used instead; the byline is not body text.
    (doc,) = read_file(FIX / "ferry-timetable.html")
    assert doc.meta == {
        "headline": "Ferry timetable cut as crew shortage bites",
        "date": "2023-06-14",
        "author": "Ewan Mackay",
        "source": "Northern Isles Post",
        "url": "https://isles-post.example/news/2023/06/14/ferry-timetable-cut/",
    }
    assert doc.text.startswith("The operator of the inter-island ferries")
    assert "Ewan Mackay" not in doc.text and "More news" not in doc.text
    assert doc.text.endswith("apologised to passengers.")


def test_html_saved_as_txt_is_sniffed_and_read_as_html():
    (doc,) = read_file(FIX / "saved-page.txt")
    assert doc.format == "html"
    assert doc.meta["headline"] == "Library extends weekend opening hours"
    assert doc.meta["source"] == "Riverside Gazette" and doc.meta["date"] == "2023-11-02"
    assert doc.text.startswith("Riverside's central library will stay open")
    assert "<p>" not in doc.text and "Contact us" not in doc.text


def test_text_with_markup_snippets_falls_back_to_text(tmp_path):
    f = tmp_path / "howto.txt"
    f.write_text("Embed the widget\n\nPaste <div class=\"w\"></div> and <span></span> then <p></p> into "
                 "your page template, and the tide times for your harbour appear.\n", encoding="utf-8")
    (doc,) = read_file(f)
    assert doc.format == "text" and doc.text.startswith("Embed the widget") and "<span></span>" in doc.text


def test_plain_text_saved_as_html_is_read_as_text(tmp_path):
    page = tmp_path / "note.html"
    page.write_text("Storm warning for the weekend\n\nGusts of 70mph are expected on the coast.\n", encoding="utf-8")
    (doc,) = read_file(page)
    assert doc.format == "text" and doc.text.startswith("Storm warning")


@pytest.mark.parametrize("text, expected", [
    ("<!DOCTYPE html><html><body><p>x</p></body></html>", True),
    ("  \n<html lang='en'><p>x", True),
    ("<div><p>One.</p><p>Two.</p><p>Three.</p></div>", True),
    ("Use <b> for bold and <i> for italics in your comment.", False),
    ("Profits rose 5% as costs fell < 2%, the firm said.", False),
])
def test_html_sniffing(text, expected):
    assert looks_like_html(text) is expected


def test_html_page_in_a_declared_legacy_charset(tmp_path):
    page = tmp_path / "legacy.html"
    html = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            "<title>Новости</title></head><body><article>"
            + "".join(f"<p>Мэрия сообщила, что ремонт моста номер {i} закончится в мае этого года.</p>" for i in range(8))
            + "</article></body></html>")
    page.write_bytes(html.encode("cp1251"))
    (doc,) = read_file(page)
    assert "Мэрия сообщила" in doc.text


# --- Markdown --------------------------------------------------------------------------------------

def test_markdown_front_matter_and_heading():
    (doc,) = read_file(FIX / "council-budget.md")
    assert doc.format == "markdown"
    assert doc.meta == {
        "headline": "Council approves budget with 3% tax rise",
        "date": "2024-02-28",
        "author": "Priya Raman",
        "source": "Valley Weekly",
        "url": "https://valleyweekly.example/2024/02/28/budget",
    }
    assert doc.text.startswith("Councillors voted 31 to 12")
    assert "---" not in doc.text and "tags:" not in doc.text
    assert "## Opposition amendment defeated" in doc.text  # sub-headings stay in the body


def test_markdown_heading_without_front_matter_and_fenced_hash_lines():
    (doc,) = read_file(FIX / "field-notes.md")
    assert doc.meta == {"headline": "Volunteers count 412 seals on the sandbank"}
    assert doc.text.startswith("The annual count")
    assert "# tally.py" in doc.text  # a '#' line inside a code fence is not a heading


# --- JSON Lines / JSON -----------------------------------------------------------------------------

def test_jsonl_records_aliases_ids_and_warnings():
    items = list(read_file(FIX / "wire.jsonl", root=FIX.parent))
    good = [d for d in items if isinstance(d, RawDocument)]
    bad = [d for d in items if isinstance(d, ReadError)]
    assert [d.id for d in good] == ["wire-0001", "20002", "ingest/wire.jsonl#4", "wire-0007"]
    assert all(d.format == "json" and d.path == str(FIX / "wire.jsonl") for d in good)
    first, second, third, html_record = good
    assert first.meta == {"headline": "Port strike ends after pay deal", "date": "2024-05-14", "author": "Lena Fischer",
                          "source": "Regional Wire", "url": "https://wire.example/0001"}
    assert first.text.split("\n\n")[1] == "The strike had halted container traffic for eleven days."
    assert second.meta == {"headline": "Rail line reopens after landslip", "date": "2024-05-15T09:00:00Z",
                           "author": "By Tom Achebe", "source": "Regional Wire"}  # hints pass on as written
    assert build_article(second).author == "Tom Achebe"  # and are cleaned once, by the article parser
    assert second.text.startswith("Trains are running again")
    assert third.meta["author"] == "Ana Silva, Joe Park"
    assert third.text == ("A new footbridge over the river will open on Friday.\n\n"
                          "It replaces a crossing washed away in the winter floods.")
    assert html_record.text == ("The harbour festival will run from **12 to 14 July**, organisers said.\n\n"
                                "Tickets go on sale next week.")
    reasons = [w.reason for w in bad]
    assert reasons[0].startswith("line 5: no text")
    assert reasons[1].startswith("line 6: invalid JSON")
    assert reasons[2] == "line 7: not a JSON object"
    assert all("\n" not in r for r in reasons)


def test_json_list_of_records():
    items = list(read_file(FIX / "wire.json"))
    good = [d for d in items if isinstance(d, RawDocument)]
    assert [d.id for d in good] == ["j-1", "wire.json#2"]
    assert good[1].meta == {"headline": "Bus route 7 to be extended", "source": "Metro Daily"}
    (warning,) = [d for d in items if isinstance(d, ReadError)]
    assert warning.reason.startswith("record 3: no text")


def test_json_single_object_and_json_lines_saved_as_json(tmp_path):
    one = tmp_path / "one.json"
    one.write_text('{"headline": "Lone record", "text": "Just one article here."}', encoding="utf-8")
    assert [(d.id, d.text) for d in docs(one)] == [("one.json#1", "Just one article here.")]
    lines = tmp_path / "lines.json"
    lines.write_text('{"id": "a", "text": "First."}\n{"id": "b", "text": "Second."}\n', encoding="utf-8")
    assert [d.id for d in docs(lines)] == ["a", "b"]


def test_invalid_json_file_is_one_line_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('[{"id": 1, "text": "unfinished', encoding="utf-8")
    with pytest.raises(ReadError, match=r"invalid JSON: .*line 1") as e:
        list(read_file(bad))
    assert "\n" not in str(e.value)


# --- gzip ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["harbour-bridge.html", "council-budget.md", "wire.jsonl", "wire.json",
                                  "saved-page.txt"])
def test_gzip_forms_read_like_the_originals(tmp_path, name):
    src = FIX / name
    shutil.copy(src, tmp_path / name)
    packed = gz_copy(src, tmp_path)
    plain = list(read_file(tmp_path / name))
    unpacked = list(read_file(packed))
    assert [(d.text, d.meta, d.format) for d in plain if isinstance(d, RawDocument)] == \
           [(d.text, d.meta, d.format) for d in unpacked if isinstance(d, RawDocument)]
    assert [w.reason for w in plain if isinstance(w, ReadError)] == \
           [w.reason for w in unpacked if isinstance(w, ReadError)]


def test_gzip_id_keeps_the_file_name(tmp_path):
    packed = gz_copy(CORPUS / "002_6c642faf50f227e3.txt", tmp_path)
    (doc,) = read_file(packed, root=tmp_path)
    assert doc.id == "002_6c642faf50f227e3.txt.gz" and doc.format == "text"


# --- encodings -------------------------------------------------------------------------------------

def test_stray_latin1_bytes_in_utf8_text():
    (doc,) = read_file(FIX / "stray-latin1.txt")
    assert "Petrol now costs £1.52 a litre — the highest" in doc.text  # UTF-8 dash kept, 0xA3 -> £
    assert "The café owner said: “We can’t keep absorbing this.”" in doc.text  # cp1252 quotes


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])
def test_byte_order_marks(tmp_path, encoding):
    f = tmp_path / "bom.txt"
    f.write_text("Tide tables\n\nHigh water at 06:12.", encoding=encoding)
    (doc,) = read_file(f)
    assert doc.text == "Tide tables\n\nHigh water at 06:12."


def test_real_corpus_file_with_a_latin1_pound_sign():
    path = SHARED / "corpora" / "bbc" / "sport" / "199.txt"
    if not path.is_file():
        pytest.skip("../shared/corpora (BBC) not present beside the checkout")
    (doc,) = read_file(path)
    assert "£" in doc.text and "\ufffd" not in doc.text


# --- walking ---------------------------------------------------------------------------------------

def test_iter_files_sorted_hidden_and_index_skipped(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2.txt").write_text("x")
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / ".hidden.txt").write_text("x")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    idx = tmp_path / "myindex"
    idx.mkdir()
    (idx / "_MAIN_1.toc").write_bytes(b"\x00toc")
    (idx / "MAIN_abc.seg").write_bytes(b"\x00seg")
    (tmp_path / "index").mkdir()
    (tmp_path / "index" / ".gitkeep").write_text("")
    (tmp_path / "c.md").write_text("x")
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files([tmp_path])]
    assert found == ["a.txt", "b/2.txt", "c.md"]


def test_iter_files_symlink_loop_and_duplicates(tmp_path):
    (tmp_path / "news").mkdir()
    (tmp_path / "news" / "one.txt").write_text("x")
    (tmp_path / "news" / "loop").symlink_to(tmp_path)  # points back at an ancestor
    (tmp_path / "news" / "self").symlink_to(".")
    (tmp_path / "news" / "alias.txt").symlink_to(tmp_path / "news" / "one.txt")
    outside = tmp_path.parent / (tmp_path.name + "-outside")
    outside.mkdir()
    (outside / "far.txt").write_text("x")
    (outside / "back").symlink_to(tmp_path)
    (tmp_path / "linked").symlink_to(outside)
    given = [tmp_path, tmp_path / "news" / "one.txt"]
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files(given, follow_links=True)]
    assert found == ["linked/far.txt", "news/alias.txt"]  # one.txt is the same file as alias.txt
    found = [p.relative_to(tmp_path).as_posix() for p in iter_files(given)]
    assert found == ["news/alias.txt"]  # by default a link out of the folder given is not followed


def test_explicit_missing_path_is_reported_by_the_reader(tmp_path):
    missing = tmp_path / "nope.txt"
    assert list(iter_files([missing])) == [missing]
    with pytest.raises(ReadError, match="no such file"):
        list(read_file(missing))


def test_whole_corpus_directory():
    found = list(iter_files([CORPUS]))
    assert [p.name for p in found] == sorted(p.name for p in CORPUS.glob("*.txt"))


def test_parse_paths_ids_are_relative_to_the_named_folder(tmp_path):
    from searchkit.parse import parse_paths

    text = "A headline\n\nSome body text that is long enough to be an article paragraph of its own.\n"
    for sub in ("sport", "tech"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "001.txt").write_text(text, encoding="utf-8")
    ids = [item.id for _, items in parse_paths([tmp_path]) for item in items]
    assert ids == ["sport/001.txt", "tech/001.txt"]
    # a file named directly is known by its name
    [(_, items)] = list(parse_paths([tmp_path / "tech" / "001.txt"]))
    assert items[0].id == "001.txt"
