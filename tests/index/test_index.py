"""The index side: building from the corpus, incremental updates, rebuild, locking, stored articles,
info, and searchers that follow commits. Built into tmp_path from copies of corpus/."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from whoosh.query import Or, Term

from searchkit import IndexAccessError, IndexLockedError, open_index
from searchkit.store.analysis import analyze
from searchkit.cli import main
from searchkit.dupes import INDEX_FILES
from searchkit.index.generations import LOCK_NAME
from searchkit.index.searching import stored_article
from searchkit.parse import parse_file

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
SEEDS = sorted(CORPUS.iterdir())


@pytest.fixture
def docs(tmp_path: Path) -> Path:
    d = tmp_path / "docs"
    shutil.copytree(CORPUS, d)
    return d


@pytest.fixture
def built(tmp_path: Path, docs: Path):
    ix = open_index(tmp_path / "ix")
    report = ix.add([docs])
    return ix, report


def body_hits(ix, *words: str) -> list[str]:
    """pids of passages whose body has every analysed word (raw whoosh: no ranking involved)."""
    s = ix.searcher()
    terms = [t for w in words for t in analyze(w)]
    from whoosh.query import And

    return sorted(pid(h) for h in s.search(And([Term("body", t) for t in terms]), limit=None))


def pid(hit) -> str:
    """A passage's identity across indexes (document numbers differ): article id and passage index."""
    return f"{hit['article_id']}#{hit['pindex']}"


def add_paragraph(path: Path, sentence: str) -> None:
    """Insert a body paragraph after the article's last one (text after it is page furniture)."""
    raw = path.read_text()
    (article,) = parse_file(path)
    anchor = raw.index(article.paragraphs[-1][:40])
    end = raw.find("\n", anchor)
    end = len(raw) if end < 0 else end
    path.write_text(raw[:end] + "\n\n" + sentence + raw[end:])


def passages_of(ix, article_id: str) -> list[int]:
    return sorted(d["pindex"] for d in ix.searcher().documents(article_id=article_id))


def test_build_indexes_every_passage_of_every_seed(built) -> None:
    ix, report = built
    assert (report.added, report.updated, report.unchanged, report.removed) == (len(SEEDS), 0, 0, 0)
    expected = {a.id: len(a.passages) for f in SEEDS for a in parse_file(f, CORPUS)}
    assert report.articles == len(expected)
    assert report.passages == sum(max(1, n) for n in expected.values())
    for aid, n in expected.items():
        assert passages_of(ix, aid) == list(range(max(1, n)))


def test_article_round_trip_is_the_parsed_article(built, docs: Path) -> None:
    ix, _ = built
    for f in SEEDS:
        (parsed,) = [a for a in parse_file(docs / f.name, docs)]
        stored = ix.article(parsed.id)
        assert stored is not None
        assert stored.to_dict() == parsed.to_dict()
    assert ix.article("no-such-article") is None


def test_info_counts(built) -> None:
    ix, report = built
    info = ix.info()
    assert info["articles"] == report.articles
    assert info["passages"] == report.passages
    assert info["files"] == len(SEEDS)
    articles = [ix.article(f.name) for f in SEEDS]
    sources = [a.source for a in articles if a.source]
    assert sum(v for k, v in info["sources"].items() if k != "(unknown)") == len(sources)
    dates = sorted(a.date for a in articles if a.date)
    assert (info["date_from"], info["date_to"]) == ((dates[0], dates[-1]) if dates else (None, None))
    assert info["size_bytes"] > 0 and info["last_update"]


def test_unchanged_files_are_skipped_without_a_commit(built, docs: Path) -> None:
    ix, _ = built
    gen = ix.searcher().reader().generation()
    files = sorted(p.name for p in ix.path.iterdir())
    report = ix.add([docs])
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 0, len(SEEDS), 0)
    assert report.passages == 0
    assert ix.searcher().reader().generation() == gen
    assert sorted(p.name for p in ix.path.iterdir()) == files  # no leftovers of the no-op writer


def test_changed_file_is_reindexed_and_old_passages_go(built, docs: Path) -> None:
    ix, _ = built
    target = docs / SEEDS[1].name
    assert body_hits(ix, "zanzibarquokka") == []
    add_paragraph(target, "A zanzibarquokka was seen at the talks in Moscow on Friday.")
    report = ix.add([docs])
    assert (report.added, report.updated, report.unchanged, report.removed) == (0, 1, len(SEEDS) - 1, 0)
    (article,) = parse_file(target, docs)
    assert passages_of(ix, article.id) == list(range(len(article.passages)))  # no stale duplicates
    assert [p.split("#")[0] for p in body_hits(ix, "zanzibarquokka")] == [article.id]
    assert ix.article(article.id).to_dict() == article.to_dict()


def test_removed_file_leaves_the_index(built, docs: Path) -> None:
    ix, _ = built
    gone = docs / SEEDS[0].name
    word = "Patrushev"
    before = {p.split("#")[0] for p in body_hits(ix, word)}
    assert gone.name in before
    gone.unlink()
    report = ix.add([docs])
    assert (report.removed, report.unchanged) == (1, len(SEEDS) - 1)
    assert {p.split("#")[0] for p in body_hits(ix, word)} == before - {gone.name}
    assert ix.article(gone.name) is None
    assert ix.info()["files"] == len(SEEDS) - 1


def test_new_file_is_added_and_other_roots_are_kept(built, docs: Path, tmp_path: Path) -> None:
    ix, _ = built
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("Kabul, Afghanistan\n\nThe wombatique delegation arrived in Kabul on Monday "
                                    "for talks with officials about trade and security.\n")
    report = ix.add([extra])
    assert (report.added, report.removed) == (1, 0)  # files of the first root are not "removed"
    assert ix.info()["files"] == len(SEEDS) + 1
    assert body_hits(ix, "wombatique")[0].startswith("note.txt#")


def test_same_id_from_two_roots_stays_distinct(built, docs: Path, tmp_path: Path) -> None:
    ix, _ = built
    twin = tmp_path / "twin"
    twin.mkdir()
    name = SEEDS[2].name
    shutil.copy(docs / name, twin / name)
    add_paragraph(twin / name, "The twinnedword appears only in the copy.")
    ix.add([twin])
    assert ix.article(name) is not None and ix.article(f"{name}~2") is not None
    assert ix.article(name).path != ix.article(f"{name}~2").path
    assert [p.split("#")[0] for p in body_hits(ix, "twinnedword")] == [f"{name}~2"]
    # re-indexing the copy after a change keeps its id (it is its own, not a collision)
    add_paragraph(twin / name, "And a second addition to the copy of this article.")
    assert ix.add([twin]).updated == 1
    assert ix.article(f"{name}~2") is not None and ix.article(f"{name}~3") is None


def test_rebuild_replaces_the_generation_atomically(built, docs: Path) -> None:
    ix, first = built
    old_searcher = ix.searcher()
    old_files = {p.name for p in ix.path.iterdir()}
    report = ix.add([docs], rebuild=True)
    assert report.rebuilt and report.added == len(SEEDS) and report.passages == first.passages
    new_files = {p.name for p in ix.path.iterdir()}
    # old generation removed (the copy-group files are not per generation: the rebuild rewrote them in place)
    assert not (old_files & new_files) - {"CURRENT", LOCK_NAME, *INDEX_FILES}
    assert ix.searcher() is not old_searcher
    assert ix.info()["passages"] == first.passages
    assert old_searcher.doc_count() == first.passages  # a searcher already open keeps working


def test_interrupted_run_leaves_the_previous_index(built, docs: Path) -> None:
    ix, first = built
    (docs / SEEDS[0].name).write_text("Replaced\n\nCompletely different words about aardvarkine matters here.\n")

    def boom(done: int, total: int) -> None:
        raise KeyboardInterrupt

    for rebuild in (False, True):
        with pytest.raises(KeyboardInterrupt):
            ix.add([docs], rebuild=rebuild, progress=boom)
        assert ix.info()["passages"] == first.passages
        assert body_hits(ix, "aardvarkine") == []
    report = ix.add([docs])  # lock released, leftovers cleaned, change picked up
    assert report.updated == 1
    assert body_hits(ix, "aardvarkine")


def test_second_writer_gets_a_clear_error(built, docs: Path) -> None:
    ix, _ = built
    lock = ix._storage().lock(LOCK_NAME)
    assert lock.acquire()
    try:
        with pytest.raises(IndexLockedError, match="another `searchkit index` is writing"):
            ix.add([docs])
        result = CliRunner().invoke(main, ["index", str(docs), "--index", str(ix.path)])
        assert result.exit_code == 1
        assert "another `searchkit index` is writing" in result.output
        assert "Traceback" not in result.output
    finally:
        lock.release()
    assert ix.add([docs]).unchanged == len(SEEDS)


def test_lock_of_a_killed_indexer_does_not_block(built, docs: Path) -> None:
    ix, _ = built
    code = ("import os, sys; from whoosh.filedb.filestore import FileStorage; "
            f"FileStorage(sys.argv[1]).lock({LOCK_NAME!r}).acquire(); os._exit(0)")  # dies holding it
    subprocess.run([sys.executable, "-c", code, str(ix.path)], check=True)
    assert (ix.path / LOCK_NAME).exists()
    assert ix.add([docs]).unchanged == len(SEEDS)


def test_parallel_parsing_gives_the_same_index(tmp_path: Path) -> None:
    many = tmp_path / "many"
    many.mkdir()
    for i in range(4):
        for f in SEEDS:
            (many / f"{i}_{f.name}").write_bytes(f.read_bytes())
    one = open_index(tmp_path / "one").add([many], jobs=1)
    ix2 = open_index(tmp_path / "two")
    two = ix2.add([many], jobs=2)
    assert (one.added, one.articles, one.passages) == (two.added, two.articles, two.passages)
    assert body_hits(open_index(tmp_path / "one"), "Patrushev") == body_hits(ix2, "Patrushev")


def test_unreadable_files_are_reported_and_the_rest_indexed(docs: Path, tmp_path: Path) -> None:
    (docs / "empty.txt").write_text("")
    (docs / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8)
    ix = open_index(tmp_path / "ix")
    report = ix.add([docs])
    assert report.added == len(SEEDS)
    assert sorted(Path(e.path).name for e in report.errors) == ["empty.txt", "image.txt"]
    assert "2 files skipped with errors" in report.summary()
    runner = CliRunner()
    lax = runner.invoke(main, ["index", str(docs), "--index", str(tmp_path / "ix2")])
    assert lax.exit_code == 0 and "image.txt" in lax.output and "Traceback" not in lax.output
    strict = runner.invoke(main, ["index", str(docs), "--index", str(tmp_path / "ix3"), "--strict"])
    assert strict.exit_code == 1


def test_searchers_follow_commits_from_another_process(built, docs: Path) -> None:
    ix, _ = built
    assert body_hits(ix, "quokkalicious") == []
    (docs / "late.txt").write_text("Kabul\n\nA quokkalicious statement was issued by the ministry on Sunday.\n")
    subprocess.run([sys.executable, "-m", "searchkit.cli", "index", str(docs), "--index", str(ix.path)],
                   check=True, capture_output=True, cwd=REPO)
    assert body_hits(ix, "quokkalicious") == ["late.txt#0"]


def test_searcher_is_safe_from_many_threads(built) -> None:
    ix, _ = built
    words = ["Atmar", "Taliban", "Moscow", "peace", "Kabul", "security"]
    expected = {w: body_hits(ix, w) for w in words}
    failures: list[str] = []

    def worker() -> None:
        for _ in range(20):
            for w in words:
                if body_hits(ix, w) != expected[w]:
                    failures.append(w)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures and any(expected.values())


def test_name_variants_meet_in_the_names_field(built) -> None:
    ix, _ = built
    codes = analyze("Haneef", "names", mode="query")
    s = ix.searcher()
    hits = s.search(Or([Term("names", c) for c in codes]), limit=None)
    found = [stored_article(s, h.docnum) for h in hits]
    texts = [art["passages"][pindex]["text"] for pindex, _, art in found]
    assert any("Hanif" in t for t in texts)  # spelt differently in the articles
    assert all("Han" in t or "Han" in (art.get("headline") or "")
               or any("Han" in (q.get("speaker") or "") for q in art["quotes"])
               for t, (_, _, art) in zip(texts, found))


def test_empty_folder_searches_and_ensure_built(tmp_path: Path, monkeypatch) -> None:
    ix = open_index(tmp_path / "fresh")
    assert ix.is_empty()
    with pytest.raises(IndexAccessError, match="fresh"):  # searching never creates an index (issue 14)
        ix.searcher()
    assert ix.ensure_built(tmp_path / "nowhere") is None
    report = ix.ensure_built(CORPUS)
    assert report is not None and report.added == len(SEEDS)
    assert not ix.is_empty() and ix.ensure_built(CORPUS) is None


def test_index_of_another_version_asks_for_a_rebuild(tmp_path: Path, docs: Path) -> None:
    from whoosh.fields import TEXT, Schema
    from whoosh.index import create_in

    (tmp_path / "old").mkdir()
    create_in(str(tmp_path / "old"), Schema(content=TEXT))
    ix = open_index(tmp_path / "old")
    with pytest.raises(IndexAccessError, match="--rebuild"):
        ix.add([docs])
    assert ix.add([docs], rebuild=True).added == len(SEEDS)
    assert ix.info()["files"] == len(SEEDS)


def test_cli_index_and_info(tmp_path: Path, docs: Path) -> None:
    runner = CliRunner()
    index = str(tmp_path / "ix")
    first = runner.invoke(main, ["index", str(docs), "--index", index])
    assert first.exit_code == 0 and f"{len(SEEDS)} added" in first.output
    again = runner.invoke(main, ["index", str(docs), "--index", index, "--json"])
    assert json.loads(again.output)["unchanged"] == len(SEEDS)
    info = runner.invoke(main, ["info", "--index", index, "--json"])
    assert json.loads(info.output)["files"] == len(SEEDS)
    text = runner.invoke(main, ["info", "--index", index])
    assert text.exit_code == 0 and "articles" in text.output
    missing = runner.invoke(main, ["info", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no index" in missing.output and "Traceback" not in missing.output
    bad = runner.invoke(main, ["index", str(tmp_path / "nope"), "--index", index])
    assert bad.exit_code == 2 and "does not exist" in bad.output


@pytest.mark.parametrize("jobs", [1, 2])
def test_large_files_are_streamed_in_record_batches(tmp_path: Path, monkeypatch, jobs: int) -> None:
    import searchkit.index.pipeline as index_module

    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPO / "tests" / "fixtures" / "ingest" / "wire.jsonl", src / "wire.jsonl")
    whole = open_index(tmp_path / "whole").add([src])
    monkeypatch.setattr(index_module, "LARGE_FILE", 0)  # every file counts as large
    monkeypatch.setattr(index_module, "RECORD_BATCH", 2)
    ix = open_index(tmp_path / "streamed")
    streamed = ix.add([src], jobs=jobs)
    assert (streamed.added, streamed.articles, streamed.passages) == (1, whole.articles, whole.passages)
    assert sorted(e.reason for e in streamed.errors) == sorted(e.reason for e in whole.errors)
    assert streamed.errors and streamed.failed_files == 0  # bad records, not a bad file
    ids = {d["article_id"] for d in ix.searcher().documents()}
    assert ids == {d["article_id"] for d in open_index(tmp_path / "whole").searcher().documents()}
    assert "wire-0001" in ids
    assert ix.add([src], jobs=jobs).unchanged == 1


def test_searches_keep_working_during_commits_and_rebuilds(built, docs: Path) -> None:
    ix, _ = built
    expected = body_hits(ix, "Patrushev")
    stop = threading.Event()
    seen: list = []

    def searching() -> None:
        while not stop.is_set():
            try:
                seen.append(body_hits(ix, "Patrushev"))
            except Exception as e:  # noqa: BLE001 - recorded and asserted below
                seen.append(e)

    t = threading.Thread(target=searching)
    t.start()
    try:
        for i in range(3):
            ix.add([docs], rebuild=True)
            (docs / f"extra{i}.txt").write_text("Kabul\n\nOfficials met again on Monday to discuss trade routes.\n")
            ix.add([docs])
    finally:
        stop.set()
        t.join()
    assert seen and all(r == expected for r in seen), [r for r in seen if r != expected][:3]


def test_phrase_with_stop_words_and_curly_apostrophe_matches(built) -> None:
    from whoosh.query import Phrase

    ix, _ = built
    # the page writes "Afghanistan’s" (curly); the query is typed with a straight apostrophe
    words = analyze("office of Afghanistan's national security adviser")
    assert "of" not in words
    hits = [pid(h) for h in ix.searcher().search(Phrase("body", words), limit=None)]
    assert [p.split("#")[0] for p in hits] == [SEEDS[0].name]
    wrong_order = analyze("national office of Afghanistan's security adviser")
    assert not ix.searcher().search(Phrase("body", wrong_order), limit=None)


def many_copies(tmp_path: Path, n: int = 4) -> Path:
    many = tmp_path / "many"
    many.mkdir(exist_ok=True)
    for i in range(n):
        for f in SEEDS:
            (many / f"{i}_{f.name}").write_bytes(f.read_bytes())
    return many


def test_writer_processes_write_their_own_segments_into_one_commit(tmp_path: Path, monkeypatch) -> None:
    import searchkit.index.writers

    monkeypatch.setattr(searchkit.index.writers, "BATCH_DOCS", 4)  # small batches: both writers get documents
    many = many_copies(tmp_path)
    one, two = open_index(tmp_path / "one"), open_index(tmp_path / "two")
    one.add([many], jobs=1)
    two.add([many], jobs=2)
    assert len(two._whoosh()._read_toc().segments) >= 2  # the parallel path really ran
    assert two.searcher().doc_count() == one.searcher().doc_count()
    words = analyze("national security adviser")
    from whoosh.query import Phrase

    for ix in (one, two):
        assert body_hits(ix, "Patrushev")
    assert body_hits(one, "Patrushev") == body_hits(two, "Patrushev")
    phrase = [sorted(pid(h) for h in ix.searcher().search(Phrase("body", words), limit=None)) for ix in (one, two)]
    assert phrase[0] and phrase[0] == phrase[1]
    aid = next(iter(d["article_id"] for d in two.searcher().documents()))
    assert two.article(aid).to_dict() == one.article(aid).to_dict()
    # an incremental run in parallel mode: the changed file's old passages go, the new ones arrive
    changed = sorted(many.iterdir())[0]
    add_paragraph(changed, "Zyxwvutsrq the inspector said nothing more.")
    report = two.add([many], jobs=2)
    assert (report.updated, report.unchanged) == (1, len(SEEDS) * 4 - 1)
    assert len(body_hits(two, "Zyxwvutsrq")) == 1
    assert two.searcher().doc_count() >= one.searcher().doc_count()


def test_a_failing_writer_process_is_a_one_line_error_and_the_index_stays(tmp_path: Path, monkeypatch) -> None:
    from whoosh.codec.whoosh3 import W3PerDocWriter

    many = many_copies(tmp_path)
    ix = open_index(tmp_path / "ix")
    ix.add([SEEDS[0]])
    before = ix.searcher().doc_count()

    def broken(self):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(W3PerDocWriter, "finish_doc", broken)  # inherited by the forked writers
    result = CliRunner().invoke(main, ["index", str(many), "--index", str(ix.path), "--jobs", "2"])
    assert result.exit_code != 0 and "No space left on device" in result.output
    assert "Traceback" not in result.output
    monkeypatch.undo()
    assert open_index(ix.path).searcher().doc_count() == before
    assert not list((ix.path).glob("*.tmp")) or not any((ix.path / "MAIN.tmp").iterdir())
    assert open_index(ix.path).add([many], jobs=2).added == len(SEEDS) * 4


def test_searchkit_segment_writer_writes_exactly_what_whoosh_writes(tmp_path: Path, docs: Path, monkeypatch) -> None:
    """searchkit's writer replaces two of whoosh's hot paths and writes posting blocks with its own codec
    (searchkit.store.codec); on the seeds, every term, posting (doc, weight, positions) as read back, term length
    statistic, field length and stored field must equal what whoosh's own writer and codec give."""
    import searchkit.index.writers
    from whoosh.writing import SegmentWriter

    ours = open_index(tmp_path / "ours")
    ours.add([docs], jobs=1)
    monkeypatch.setattr(searchkit.index.writers, "segment_writer", lambda ix, **kw: SegmentWriter(ix, **kw))
    theirs = open_index(tmp_path / "theirs")
    theirs.add([docs], jobs=1)

    def dump(ix) -> dict:
        r = ix.searcher().reader()
        out: dict = {"stored": [r.stored_fields(d) for d in r.all_doc_ids()]}
        for f in r.indexed_field_names():
            out[f, "len"] = [r.doc_field_length(d, f) for d in r.all_doc_ids()]
            for t in r.lexicon(f):
                info = r.term_info(f, t)
                m, posts = r.postings(f, t), []
                while m.is_active():
                    posts.append((m.id(), m.weight(), m.value()))
                    m.next()
                out[f, t] = (info.min_length(), info.max_length(), info.max_weight(), info.weight(),
                             info.doc_frequency(), info.min_id(), info.max_id(), r.doc_frequency(f, t),
                             r.frequency(f, t), posts)
        return out

    codecs = [{type(seg.codec()).__name__ for seg in ix._whoosh()._segments()} for ix in (ours, theirs)]
    assert codecs == [{"SearchkitCodec4"}, {"W3Codec"}]
    a, b = dump(ours), dump(theirs)
    assert len(a) > 1000 and a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []
