"""A small story followed over months: dated JSONL articles written by a test (the bundled corpus is all 2017).

Each article is a plausible wire item about one port strike, so a query for it matches all of them and the
dates are the only thing that differs; the counts per month are uneven on purpose (count order != date order).
"""
from __future__ import annotations

import json
import random
from pathlib import Path

# (date, source) of each article
STORY = [
    ("2019-03-04", "Harbour Gazette"), ("2019-03-18", "Harbour Gazette"), ("2019-11-02", "Coast Wire"),
    ("2020-06-09", "Coast Wire"),
    ("2021-01-15", "Harbour Gazette"), ("2021-01-29", "Coast Wire"),
]


# What each report adds: a paragraph of its own, so that the reports are follow-ups of one story (the same
# opening paragraph, news of their own), not copies of one report (`searchkit.dupes` groups those).
_WHO = ["The harbour master", "A shipping agent", "The port authority's spokeswoman", "A lorry driver at gate four",
        "The regional transport minister", "A spokesman for the largest terminal operator", "The mayor",
        "An economist at the chamber of commerce", "A union steward on the night shift", "A ferry captain"]
_WHAT = ["said {k} container ships were now anchored in the bay, the most since the dispute began",
         "estimated that perishable cargo worth {k} million euros had spoiled on the quays",
         "warned that supermarkets inland could run short of fresh fruit within {k} days",
         "said the mediator had proposed a {k} percent rise spread over three years",
         "reported that {k} lorries had been turned back at the northern checkpoint overnight",
         "confirmed that {k} cruise calls had been diverted to a rival port along the coast",
         "said night-shift crews would accept a ballot only if pensions were put back on the table",
         "described the mood at the picket line as calm but tired after {k} nights in the cold",
         "said insurers had begun asking importers about delay clauses worth {k} million",
         "noted that the rail freight terminal had moved {k} fewer wagons than in a normal week"]
_THEN = ["Talks are due to resume on Thursday at the labour ministry.",
         "Neither side would say when a vote on the offer could be held.",
         "Police kept a small presence near the main gate but reported no incidents.",
         "Exporters said they were booking space at airports instead.",
         "The authority has asked a court to declare part of the action unlawful.",
         "Shares in the main terminal operator fell for a third day.",
         "Fishing boats were allowed to land their catch at a side quay.",
         "A rally in the city centre is planned for the weekend."]


def _development(key: str) -> str:
    """This report's own paragraph: who said what, with its own figure (picked by ``key``, reproducibly)."""
    rng = random.Random(key)
    who = rng.sample(_WHO, 2)
    what = rng.sample(_WHAT, 2)
    return (f"{who[0]} {what[0].format(k=rng.randint(4, 90))}. {who[1]} {what[1].format(k=rng.randint(4, 90))}. "
            f"{rng.choice(_THEN)}")


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
                     + _development(f"{name}|{date}|{source}|{n}")),
        }))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
