"""Characters no database stores: removed from every string of a raw item before it is read.

PostgreSQL refuses a NUL byte in text ("invalid byte sequence", `CharacterNotInRepertoire`)
and UTF-8 has no encoding for a lone surrogate (a broken UTF-16 escape in JSON, `\\ud800`), so
one such character in one feed entry would fail the whole batch it is stored in. They carry no
meaning in a title or a summary: NUL is dropped, a lone surrogate becomes U+FFFD (the
replacement character, as a decoder shows a broken byte). Every string field is cleaned,
nested ones too, so no field is missed when a new one is added.
"""

from __future__ import annotations

import dataclasses
import re
from enum import Enum
from typing import Any, TypeVar

_NUL = "\x00"
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

T = TypeVar("T")


def storable_text(text: str) -> str:
    """`text` without NUL bytes, with each lone surrogate replaced by U+FFFD."""
    if _NUL in text:
        text = text.replace(_NUL, "")
    return _LONE_SURROGATE.sub("\ufffd", text)


def storable(value: T) -> T:
    """`value` with every string in it made storable, in place for dataclasses (a raw item
    is the parser's own object) and as a copy for lists, tuples and dicts."""
    cleaned: T = _clean(value)
    return cleaned


def _clean(value: Any) -> Any:
    if isinstance(value, Enum):
        return value  # a controlled value (DocType is a str enum), never publisher text
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, list):
        return [_clean(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_clean(v) for v in value)
    if isinstance(value, dict):
        return {_clean(k): _clean(v) for k, v in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            setattr(value, field.name, _clean(current))
        return value
    return value
