"""Parsers: pure functions of (response bytes, URL, fetch time) → raw items and pages to follow.

`base.py` is the contract; `govuk.py`, `wordpress.py`, `feed.py` and `html.py` are the shared
source kinds a registry entry names; `<slug>.py` holds one site's quirks over its kind. A
parser also says what its publisher's labels mean (document types, with evidence). Nothing
here fetches, reads the clock, or touches storage or Scrapy (that is `aggregator.fetch`).
"""
