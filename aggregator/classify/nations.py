"""UK nations an item applies to: the publisher's applicability first, else text cues."""

from __future__ import annotations

import re

NATIONS = ("England", "Wales", "Scotland", "Northern Ireland")
UK_WIDE = "UK-wide"


def nations(hints: list[str]) -> list[str]:
    """The UK nations the publisher says an item applies to, in a fixed order.

    All four nations together are reported as UK-wide.
    """
    wanted = {h.strip().lower() for h in hints}
    found = [n for n in NATIONS if n.lower() in wanted]
    if len(found) == len(NATIONS) or "uk-wide" in wanted or "united kingdom" in wanted:
        return [UK_WIDE]
    return found


NATION_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("England", re.compile(r"\bEngland\b")),
    ("Wales", re.compile(r"(?<!New South )\bWales\b|\bWelsh Government\b|\bSenedd\b")),
    ("Scotland", re.compile(r"\bScotland\b|\bScottish\b")),
    ("Northern Ireland", re.compile(r"\bNorthern Ireland\b|\bNorthern Irish\b")),
    (
        UK_WIDE,
        re.compile(
            r"\bUK-wide\b|\b(across|throughout) the (UK|United Kingdom)\b|\ball four nations\b"
            r"|\bfour (UK )?nations\b|\beach nation of the UK\b|\bfor the UK\b",
            re.I,
        ),
    ),
)


def decide_nations(
    hints: list[str], title: str, summary: str
) -> tuple[list[str], list[dict[str, str]]]:
    """Nations from the publisher's applicability, else from text cues in title and summary."""
    from_hints = nations(hints)
    if from_hints:
        return from_hints, [
            {"nation": n, "field": "applicability", "cue": ", ".join(h.strip() for h in hints)}
            for n in from_hints
        ]
    found: dict[str, dict[str, str]] = {}
    for field_name, text in (("title", title), ("summary", summary)):
        for nation, pattern in NATION_CUES:
            match = pattern.search(text)
            if match and nation not in found:
                found[nation] = {"nation": nation, "field": field_name, "cue": match.group(0)}
    if UK_WIDE in found or all(n in found for n in NATIONS):
        evidence = found.get(UK_WIDE) or {
            "nation": UK_WIDE,
            "field": "title+summary",
            "cue": "all four nations named",
        }
        return [UK_WIDE], [evidence]
    chosen = [n for n in NATIONS if n in found]
    return chosen, [found[n] for n in chosen]
