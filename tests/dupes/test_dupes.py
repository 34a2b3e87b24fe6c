"""Copy groups and passage provenance (searchkit.dupes) on small fixtures made from the bundled corpus:
real stories republished with other sites' furniture, a follow-up that reuses one paragraph."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

import searchkit
from searchkit.cli import main
from searchkit.dupes import list_groups, load_groups
from copies import page as _page
from copies import plant


@pytest.fixture()
def planted(tmp_path):
    """`copies.plant` in tmp_path/corpus: (folder, story, reused paragraph)."""
    return plant(tmp_path / "corpus")


def _index(tmp_path, root):
    index = searchkit.open_index(tmp_path / "index")
    report = index.add([root])
    assert not report.errors, report.summary()
    return index


def _first_seen(index, article_id: str, paragraph: str):
    art = index.article(article_id)
    at = art.body.find(paragraph[:80])
    passage = next(p for p in art.passages if p.start <= at < p.end)
    return load_groups(index.path).first_seen_of(article_id, passage.index), passage.index


def test_two_copies_with_different_boilerplate_are_one_group_and_the_follow_up_is_not(tmp_path, planted):
    root, _, reused = planted
    index = _index(tmp_path, root)
    groups = list_groups(index)
    assert [[a["id"] for a in g["articles"]] for g in groups] == [["a/original.md", "b/copy.md"]]
    assert groups[0]["size"] == 2 and groups[0]["articles"][0]["date"] == "2017-11-24"
    seen, _ = _first_seen(index, "c/followup.md", reused)
    assert seen == {"id": "a/original.md", "date": "2017-11-24", "source": "Outlet A",
                    "headline": index.article("a/original.md").headline}
    # the follow-up's own paragraphs, and the original's, have no earlier source
    groups_ = load_groups(index.path)
    assert set(groups_.first_seen) == {"c/followup.md"} and len(groups_.first_seen["c/followup.md"]) == 1


def test_results_collapse_copies_and_all_copies_restores_them(tmp_path, planted):
    root, story, _ = planted
    index = _index(tmp_path, root)
    query = "Patrushev Taliban contacts"
    collapsed = index.search(query, unit="article")
    ids = [h.article.id for h in collapsed.hits]
    assert len({"a/original.md", "b/copy.md"} & set(ids)) == 1
    rep = next(h for h in collapsed.hits if h.article.id in ("a/original.md", "b/copy.md"))
    other = ({"a/original.md", "b/copy.md"} - {rep.article.id}).pop()
    assert [c["id"] for c in rep.copies] == [other]
    every = index.search(query, unit="article", collapse=False)
    assert {"a/original.md", "b/copy.md"} <= {h.article.id for h in every.hits}
    assert every.total == collapsed.total + 1
    assert sum(every.facets["source"].values()) == sum(collapsed.facets["source"].values()) + 1

    args = ["search", query, "--index", str(index.path), "--articles", "--json"]
    plain = json.loads(CliRunner().invoke(main, args).output)
    allc = json.loads(CliRunner().invoke(main, args + ["--all-copies"]).output)
    assert len(allc["results"]) == len(plain["results"]) + 1
    assert any(r["copies"] and r["copies"][0]["source"] for r in plain["results"])
    text = CliRunner().invoke(main, ["search", query, "--index", str(index.path), "--articles"]).output
    assert "also in: Outlet" in text


def test_incremental_add_joins_the_group_and_removing_the_original_re_elects(tmp_path, planted):
    root, story, _ = planted
    index = _index(tmp_path, root)
    _page(root / "d" / "third.md", "Russia urged to press Taliban", "2017-11-26", "Outlet D",
          story.paragraphs[:-1], ["Sign in | Register"], ["Leave a Reply"])
    report = index.add([root])
    assert report.added == 1 and report.unchanged == 3
    assert [a["id"] for a in list_groups(index)[0]["articles"]] == ["a/original.md", "b/copy.md", "d/third.md"]
    (root / "a" / "original.md").unlink()
    assert index.add([root]).removed == 1
    assert [a["id"] for a in list_groups(index)[0]["articles"]] == ["b/copy.md", "d/third.md"]


def test_groups_survive_a_rebuild_and_a_lost_groups_file(tmp_path, planted):
    root, _, reused = planted
    index = _index(tmp_path, root)
    before = list_groups(index)
    index.add([root], rebuild=True)
    assert list_groups(index) == before
    for name in ("dupes.json", "dupes-state.npz"):
        (index.path / name).unlink()
    index.add([root])  # nothing changed on disk, but the groups are re-read from the index
    assert list_groups(index) == before
    assert _first_seen(index, "c/followup.md", reused)[0]["id"] == "a/original.md"


def test_a_run_with_nothing_to_do_rewrites_a_lost_groups_file(tmp_path, planted):
    """The sketches are current but the groups file is gone (a run killed between the two writes, or a
    user): the next run, with no file changed, writes the groups again and search collapses again."""
    root, _, _ = planted
    index = _index(tmp_path, root)
    before = list_groups(index)
    (index.path / "dupes.json").unlink()
    assert index.search("Patrushev Taliban contacts", unit="article").hits[0].copies == []
    assert index.add([root]).changed is False
    assert list_groups(index) == before
    assert index.search("Patrushev Taliban contacts", unit="article").hits[0].copies


def test_dupes_command(tmp_path, planted):
    root, _, _ = planted
    index = _index(tmp_path, root)
    r = CliRunner().invoke(main, ["dupes", "--index", str(index.path), "--json"])
    assert r.exit_code == 0
    lines = [json.loads(x) for x in r.output.splitlines()]
    assert lines == list_groups(index) and set(lines[0]["articles"][0]) == {"id", "headline", "source", "date"}
    table = CliRunner().invoke(main, ["dupes", "--index", str(index.path)]).output
    assert "original" in table and "b/copy.md" in table and "Outlet B" in table
    missing = CliRunner().invoke(main, ["dupes", "--index", str(tmp_path / "nowhere")])
    assert missing.exit_code != 0 and "Traceback" not in missing.output


def test_page_shows_copies_and_first_seen(tmp_path, planted):
    pytest.importorskip("flask")
    from searchkit.web.app import create_app

    root, _, reused = planted
    index = _index(tmp_path, root)
    client = create_app(index).test_client()
    html = client.get("/?q=Patrushev+Taliban+contacts&unit=article").get_data(as_text=True)
    assert "<details" in html and "+1 copy" in html and "All copies" in html
    every = client.get("/?q=Patrushev+Taliban+contacts&unit=article&copies=all").get_data(as_text=True)
    assert "+1 copy" in every  # each copy still lists the other, now also shown as its own result
    assert every.count('class="hit"') == html.count('class="hit"') + 1
    words = " ".join(reused.split()[3:9])
    page = client.get("/?q=" + words.replace(" ", "+")).get_data(as_text=True)
    assert "First seen in" in page and "Outlet A" in page


def test_articles_added_to_an_index_saved_empty_are_grouped(tmp_path, planted):
    """An index whose saved sketches hold no article yet (built from an empty folder) takes new ones."""
    root, _, _ = planted
    empty = tmp_path / "empty"
    empty.mkdir()
    index = searchkit.open_index(tmp_path / "index")
    index.add([empty])
    index.add([root])
    assert [a["id"] for a in list_groups(index)[0]["articles"]] == ["a/original.md", "b/copy.md"]


def test_a_paragraph_cut_by_a_passage_boundary_a_few_words_from_its_end_is_sketched():
    """A passage boundary three words before a paragraph's end left a piece shorter than one shingle, and
    sketching it raised (numpy: negative dimensions), which aborted a whole 100k index run (both engines)."""
    from searchkit.dupes.sketch import article_sketch
    from searchkit.model import Passage

    para = " ".join(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta"] * 5)
    cut = len(para) - len("zeta eta theta")
    passages = [Passage(0, para[:cut], 0, cut), Passage(1, para[cut:], cut, len(para))]
    n, sig, pieces = article_sketch([para], passages)
    assert n > 0 and len(sig) and [p[2] for p in pieces] == [0]  # the 3-word piece is too short to sign


def test_a_state_file_of_32_bit_signatures_is_read_as_their_low_16_bits(tmp_path, planted):
    """Indexes written before signatures were compacted (uint32 MinHash values) keep their state file: it is
    read, not re-sketched from the stored articles, and groups as a fresh index does; the next save writes
    2 bytes a value."""
    import numpy as np

    from searchkit.dupes import store

    root, story, _ = planted
    index = _index(tmp_path, root)
    before = list_groups(index)
    state = index.path / store.STATE_FILE
    with np.load(state) as z:
        arrays = {k: z[k] for k in z.files}
    assert arrays["sigs"].dtype == np.uint16 and arrays["piece_sigs"].dtype == np.uint16
    rng = np.random.default_rng(0)  # the old file: the same low bits under random high ones
    for k in ("sigs", "piece_sigs"):
        arrays[k] = arrays[k].astype(np.uint32) | (rng.integers(1, 1 << 16, arrays[k].shape, np.uint32) << 16)
    np.savez(state, **arrays)
    tracker = store.Tracker.open(index.path, json.loads(bytes(arrays["meta"]).decode())["stamp"])
    assert tracker.sigs.view().dtype == np.uint16 and len(tracker.meta) == len(arrays["sigs"])
    assert np.array_equal(tracker.sigs.view(), arrays["sigs"] & 0xFFFF)
    _page(root / "d" / "third.md", "Russia urged to press Taliban", "2017-11-26", "Outlet D",
          story.paragraphs[:-1], ["Sign in | Register"], ["Leave a Reply"])
    assert index.add([root]).added == 1
    assert [a["id"] for a in list_groups(index)[0]["articles"]] == [a["id"] for a in before[0]["articles"]] + ["d/third.md"]
    with np.load(state) as z:
        assert z["sigs"].dtype == np.uint16 and z["sigs"].shape[0] == len(arrays["sigs"]) + 1


def test_groups_file_is_compressed_and_a_plain_or_damaged_one_still_loads(tmp_path, planted):
    """dupes.json is written gzip-compressed; the plain JSON of earlier versions reads the same, and a damaged
    file only turns collapsing off (no traceback), until the next run rewrites it."""
    import gzip

    from searchkit.dupes import load_groups

    root, _, _ = planted
    index = _index(tmp_path, root)
    path = index.path / "dupes.json"
    packed = path.read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    groups = load_groups(index.path)
    assert groups.members
    path.write_bytes(gzip.decompress(packed))  # as an index written before the groups file was compressed
    plain = load_groups(index.path)
    assert (plain.members, plain.articles, plain.first_seen) == (groups.members, groups.articles, groups.first_seen)
    path.write_bytes(packed[: len(packed) // 2])
    assert not load_groups(index.path).members
    path.write_bytes(packed[:10] + b"\0" * 40)
    assert not load_groups(index.path).members


def test_state_file_piece_columns_read_alike_in_either_layout(tmp_path, planted):
    """The piece columns are saved as int32 in column order; a state file of earlier versions (int64 rows)
    reads back the same sketches."""
    import numpy as np

    from searchkit.dupes.store import STATE_FILE, Tracker

    root, _, _ = planted
    index = _index(tmp_path, root)
    with np.load(index.path / STATE_FILE) as z:
        arrays = {k: z[k] for k in z.files}
    assert arrays["piece_cols"].dtype == np.int32 and arrays["piece_cols"].flags.f_contiguous
    import json

    stamp = json.loads(bytes(arrays["meta"]).decode("utf-8"))["stamp"]
    new = Tracker.open(index.path, stamp)
    arrays["piece_cols"] = np.ascontiguousarray(arrays["piece_cols"], np.int64)
    np.savez(index.path / STATE_FILE, **arrays)
    old = Tracker.open(index.path, stamp)  # no reader: an unreadable file would give an empty tracker
    assert len(new.meta) and old.piece_cols.view().tolist() == new.piece_cols.view().tolist()
    assert list(old.meta) == list(new.meta)
    assert old.piece_cols.view().dtype == np.int64


def test_state_file_metadata_by_column_reads_alike_as_rows(tmp_path, planted):
    """The article metadata is saved by column (file keys numbered, a path equal to its file key as null); a
    state file of earlier versions (one row per article) reads back the same rows, and groups stay the same."""
    import json

    import numpy as np

    from searchkit.dupes.store import STATE_FILE, Tracker

    root, _, _ = planted
    index = _index(tmp_path, root)
    before = list_groups(index)
    with np.load(index.path / STATE_FILE) as z:
        arrays = {k: z[k] for k in z.files}
    head = json.loads(bytes(arrays["meta"]).decode("utf-8"))
    assert "articles" not in head and len(head["columns"]) == 6 and head["files"] == sorted(head["files"])
    new = Tracker.open(index.path, head["stamp"])
    rows = list(new.meta)
    assert rows and all(isinstance(r[1], str) and r[2] for r in rows)
    assert [r[0] for r in rows] == head["columns"][0]
    old_head = {"stamp": head["stamp"], "articles": rows}
    arrays["meta"] = np.frombuffer(json.dumps(old_head).encode("utf-8"), np.uint8)
    np.savez(index.path / STATE_FILE, **arrays)
    old = Tracker.open(index.path, head["stamp"])  # no reader: an unreadable file would give an empty tracker
    assert list(old.meta) == rows
    index.add([root])
    assert list_groups(index) == before


def test_sketches_spilled_to_scratch_files_in_tiny_blocks_save_the_same_state(tmp_path, planted, monkeypatch):
    """The tracker keeps its rows in scratch files while a run adds articles (`store._Rows`, `store._Meta`);
    with blocks of 2 rows every block is spilled and read back, and the saved state and groups are those of a
    run with the default blocks; an incremental run (rows loaded, then more spilled, then a file removed)
    still groups the new copy."""
    import gzip

    import numpy as np

    from searchkit.dupes import store

    root, story, _ = planted

    def saved(index):
        with np.load(index.path / store.STATE_FILE) as z:
            arrays = {k: z[k] for k in z.files}
        head = json.loads(bytes(arrays.pop("meta")).decode())
        groups = json.loads(gzip.decompress((index.path / store.GROUPS_FILE).read_bytes()))
        return store.rows_of(head), arrays, {k: v for k, v in groups.items() if k != "stamp"}

    normal = saved(_index(tmp_path / "a", root))
    monkeypatch.setattr(store, "CHUNK_ROWS", 2)
    index = _index(tmp_path / "b", root)
    small = saved(index)
    assert small[0] == normal[0] and small[2] == normal[2] and len(small[0]) == 3  # a block spilled, a row not
    assert all(np.array_equal(small[1][k], normal[1][k]) for k in normal[1])
    _page(root / "d" / "third.md", "Russia urged to press Taliban", "2017-11-26", "Outlet D",
          story.paragraphs[:-1], ["Sign in | Register"], ["Leave a Reply"])
    assert index.add([root]).added == 1
    assert "d/third.md" in [a["id"] for a in list_groups(index)[0]["articles"]]
    (root / "d" / "third.md").unlink()
    index.add([root])
    assert len(saved(index)[0]) == len(small[0])


def test_groups_file_text_is_the_documents_json_and_names_every_copy_and_source(tmp_path, planted):
    """The indexer writes dupes.json in pieces (`write_groups_document`); its text must be exactly
    ``json.dumps`` of `groups_document` (what the OpenSearch engine builds), and provenance comes sorted by
    (article row, passage) with a source row for each."""
    import gzip
    import io

    from searchkit.dupes import document, grouping, store

    root, _, _ = planted
    index = _index(tmp_path, root)
    stamp = load_groups(index.path).stamp
    tracker = store.Tracker.open(index.path, stamp)
    result = grouping.compute(*tracker.records())
    found = result.first_seen
    assert len(found) >= 1 and list(zip(found.rows, found.passages)) == sorted(zip(found.rows, found.passages))
    assert all(row != src for (row, _), src in found.as_dict().items())
    out = io.BytesIO()
    document.write_groups_document(out, tracker.meta, result, stamp)
    doc = document.groups_document(tracker.meta, result, stamp)
    assert out.getvalue() == json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    assert gzip.decompress((index.path / store.GROUPS_FILE).read_bytes()) == out.getvalue()
    assert doc["groups"] == [["a/original.md", "b/copy.md"]] and set(doc["first_seen"]) == {"c/followup.md"}
    assert set(doc["articles"]) >= {"a/original.md", "b/copy.md"}


def test_sketches_made_by_the_writer_processes_are_those_the_parser_makes(tmp_path, planted, monkeypatch):
    """With writer processes (jobs=2) the articles are sketched there, from their stored form, and filed into
    the tracker after the writers end; the saved state (signatures, sizes, pieces in article order) and the
    groups must be exactly what the serial run (jobs=1, sketched while parsing) saves. Then an update that
    changes one file and adds another, in the parallel run, keeps them equal. One document per batch, so
    both writers get articles and their pieces come back out of order; a third run finds the writers' queue
    always full, so the main process sketches every batch itself (`SubWriters._flush`)."""
    import multiprocessing.queues

    import numpy as np

    from searchkit.dupes import store
    from searchkit.index import writers

    monkeypatch.setattr(writers, "BATCH_DOCS", 1)

    root, story, _ = planted
    states = []
    for run, jobs in enumerate((1, 2, 2)):
        if run == 2:
            monkeypatch.setattr(multiprocessing.queues.Queue, "full", lambda self: True)
        index = searchkit.open_index(tmp_path / f"index{run}")
        assert not index.add([root], jobs=jobs).errors
        _page(root / "d" / "third.md", "Russia urged to press Taliban", "2017-11-26", "Outlet D",
              story.paragraphs[:-1], ["Sign in | Register"], ["Leave a Reply"])
        (root / "c" / "followup.md").write_text((root / "c" / "followup.md").read_text() + "\nA late line.\n")
        report = index.add([root], jobs=jobs)
        assert (report.added, report.updated) == (1, 1)
        with np.load(index.path / store.STATE_FILE) as z:
            states.append({k: z[k] for k in ("sigs", "sizes", "piece_cols", "piece_sigs")})
        cols = states[-1]["piece_cols"]
        assert len(cols) and bool((cols[1:, 0] >= cols[:-1, 0]).all())
        states[-1]["groups"] = [[a["id"] for a in g["articles"]] for g in list_groups(index)]
        (root / "d" / "third.md").unlink()
        followup = root / "c" / "followup.md"
        followup.write_text(followup.read_text().replace("\nA late line.\n", ""))
    serial = states[0]
    assert len(serial["groups"][0]) == 3
    for parallel in states[1:]:
        assert serial["groups"] == parallel["groups"]
        for k in ("sigs", "sizes", "piece_cols", "piece_sigs"):
            assert np.array_equal(serial[k], parallel[k]), k
