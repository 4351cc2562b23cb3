"""Pure normalisation helpers: dates, URLs and text.

Nothing in this package reads the clock, the local timezone or the network.
"""

from aggregator.normalise.dates import (
    DateError,
    ParsedDate,
    parse_date,
    parse_event_range,
    to_utc,
)
from aggregator.normalise.text import clean_text, clean_title, truncate_words
from aggregator.normalise.urls import TRACKING_PARAMS, canonical_url, is_http_url, url_key

__all__ = [
    "TRACKING_PARAMS",
    "DateError",
    "ParsedDate",
    "canonical_url",
    "clean_text",
    "clean_title",
    "is_http_url",
    "parse_date",
    "parse_event_range",
    "to_utc",
    "truncate_words",
    "url_key",
]
