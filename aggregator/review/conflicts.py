"""Two editors on one item: the three-way comparison of an edit form's fields.

An edit form carries the values it showed when it was loaded (the original) and the version
they make (`aggregator.storage.reviews.FormState`). When it is saved against an item that has
changed since, each field is compared three ways, the original, theirs (what is saved now)
and yours (what the form sent):

- unchanged by either, or changed by them only: nothing is written (theirs stays);
- changed by you only: written;
- changed by both to the same text: nothing left to write;
- changed by both, differently: a conflict, and the editor chooses.

Pure functions over strings: the views read and write, this only decides.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


def same_text(a: str, b: str) -> bool:
    """Whether two values of a field are the same text: a browser sends a textarea's line
    breaks as CRLF and editors leave stray spaces at the ends, neither of which is a change."""
    return _normal(a) == _normal(b)


def _normal(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


@dataclass(frozen=True)
class FieldVersions:
    """One field of an edit form: as loaded, as saved by others since, and as sent."""

    name: str
    original: str
    theirs: str
    yours: str

    @property
    def yours_changed(self) -> bool:
        return not same_text(self.yours, self.original)

    @property
    def theirs_changed(self) -> bool:
        return not same_text(self.theirs, self.original)

    @property
    def conflict(self) -> bool:
        """Both changed it, to different texts: only the editor can choose."""
        return self.yours_changed and self.theirs_changed and not same_text(self.yours, self.theirs)

    @property
    def to_write(self) -> bool:
        """Whether saving writes yours: you changed it and it is not theirs already. (A
        conflicting field is written only once the editor has chosen.)"""
        return self.yours_changed and not self.theirs_changed

    @property
    def outcome(self) -> str:
        """What happens to this field, as the conflict page says it."""
        if self.conflict:
            return "changed by both of you: choose"
        if self.yours_changed and self.theirs_changed:
            return "both made the same change"
        if self.yours_changed:
            return "changed by you only: yours is saved"
        if self.theirs_changed:
            return "changed by them only: theirs is kept"
        return "unchanged"


def compare(
    names: Sequence[str],
    originals: Mapping[str, str],
    theirs: Mapping[str, str],
    yours: Mapping[str, str],
) -> list[FieldVersions]:
    """Each field the form sent (a name missing from `yours` was not in the form: skipped),
    with its three versions."""
    return [
        FieldVersions(name, originals.get(name, ""), theirs.get(name, ""), yours[name])
        for name in names
        if name in yours
    ]
