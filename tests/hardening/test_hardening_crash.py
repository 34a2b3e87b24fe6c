"""Crash safety: `kill -9` of a real `searchkit index` run in the middle of an update.

A few trials of bench/crash.py (which runs 20 on demand and prints the table): after each kill the index
opens and answers exactly as before the update or exactly as after it, and the next run succeeds with no
manual clean-up (the dead writer's lock is recovered).
"""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _crash_module():
    spec = importlib.util.spec_from_file_location("bench_crash", ROOT / "bench" / "crash.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


crash = _crash_module()


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    # 40 articles before, an update that adds 20, changes 8 and removes 6 (real BBC stories when
    # ../shared is present, else stories recombined from corpus/)
    work = tmp_path_factory.mktemp("crash") / "work"
    return crash.prepare(work, articles=40, added=20, changed=8, removed=6)


def test_kill_9_mid_run_leaves_before_or_after_and_the_next_run_recovers(setup):
    trial = crash.run_trial(setup, 1, max(0.1, 0.5 * setup.update_seconds))
    assert trial.outcome in ("before", "after"), trial
    assert trial.recovery == "ok" and not trial.orphans, trial  # the killed run's workers exited on their own


@pytest.mark.parametrize("fraction", [0.3, 0.8])
def test_kill_9_while_writing_the_index_leaves_before_or_after_and_the_next_run_recovers(setup, fraction):
    trial = crash.run_trial(setup, 1, fraction * setup.write_seconds, from_first_write=True)
    assert trial.outcome in ("before", "after"), trial
    assert trial.recovery == "ok" and not trial.orphans, trial


def test_kill_9_during_a_rebuild_leaves_before_or_after(setup):
    setup = crash.as_rebuild(setup)
    trial = crash.run_trial(setup, 2, 0.7 * setup.write_seconds, from_first_write=True)
    assert trial.outcome in ("before", "after"), trial
    assert trial.recovery == "ok", trial


def test_reference_answers_differ_so_the_trials_can_tell(setup):
    # the check above could not fail if the update changed nothing the queries see
    assert setup.before != setup.after
    assert setup.after[crash.UPDATE_WORD][0] > 0 == setup.before[crash.UPDATE_WORD][0]
