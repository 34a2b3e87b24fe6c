"""A small story followed over months: dated JSONL articles written by a test (the bundled corpus is all 2017).

Each article is a plausible wire item about one port strike, so a query for it matches all of them and the
dates are the only thing that differs; the counts per month are uneven on purpose (count order != date order).
"""
from __future__ import annotations

import json
from pathlib import Path

# (date, source) of each article
STORY = [
    ("2019-03-04", "Harbour Gazette"), ("2019-03-18", "Harbour Gazette"), ("2019-11-02", "Coast Wire"),
    ("2020-06-09", "Coast Wire"),
    ("2021-01-15", "Harbour Gazette"), ("2021-01-29", "Coast Wire"),
]


def write_story(folder: Path, items=STORY, name: str = "story.jsonl") -> Path:
    """Write the story's articles as one JSONL file in ``folder``; returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    lines = []
    for n, (date, source) in enumerate(items):
        lines.append(json.dumps({
            "id": f"story-{date}-{n}", "title": f"Dockworkers strike enters week {n + 1} at the container port",
            "date": date, "source": source, "author": "Ines Moreau",
            "text": (f"Dockworkers at the container port kept up their strike on day {n * 7 + 3}, union leaders said, "
                     "as talks with the port authority over pay and night shifts stalled again.\n\n"
                     "Ships waited offshore while lorries queued at the gates; the authority said it hoped to "
                     "resume negotiations within days."),
        }))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
