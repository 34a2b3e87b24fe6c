"""Text rendering of an evaluation run (`searchkit eval`): means, per-query figures, changes against a saved run."""
from __future__ import annotations

from ..evaluation import METRICS, Change, EvalRun


def render_eval(run: EvalRun, changes: list[Change] | None = None, per_query: bool = True) -> str:
    """Per-query lines (when ``per_query``), then the means; with ``changes`` which queries moved and how."""
    lines: list[str] = []
    header = "query       " + "  ".join(f"{m:>10s}" for m in METRICS)
    if per_query:
        lines.append(header)
        for qid in sorted(run.per_query, key=_natural):
            s = run.per_query[qid]
            note = f"  error: {run.errors[qid]}" if qid in run.errors else ""
            lines.append(f"{qid:<12s}" + "  ".join(f"{s[m]:10.4f}" for m in METRICS) + note)
        lines.append("")
    n = len(run.per_query)
    lines.append(f"{run.unit} mode, {n} judged queries" + (f", {len(run.errors)} could not run" if run.errors else "")
                 + (f", {len(run.missing)} judged but absent from the queries file" if run.missing else ""))
    lines.append("  ".join(f"{m} {run.metrics[m]:.4f}" for m in METRICS))
    if changes is not None:
        better = [c for c in changes if c.delta > 0]
        worse = [c for c in changes if c.delta < 0]
        lines.append(f"against the saved run: {len(better)} better, {len(worse)} worse, "
                     f"{n - len(changes)} unchanged (nDCG@10)")
        for c in better + worse:
            lines.append(f"  {'better' if c.delta > 0 else 'worse ':6s} {c.qid:<10s} {c.before:.4f} -> {c.after:.4f}"
                         f"  ({c.delta:+.4f})")
    return "\n".join(lines)


def _natural(qid: str):
    """Numeric ids in numeric order (2 before 10), others after, alphabetically."""
    return (0, int(qid), "") if qid.isdigit() else (1, 0, qid)
