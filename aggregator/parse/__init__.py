"""Parsing helpers shared by every parser: the raw item a parser emits, the one feed adapter,
markup limits, and the offline parse of a saved response. Pure: bytes, URL and fetch time in,
raw items out; no network, no clock.
"""
