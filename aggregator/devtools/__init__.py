"""Tools for working on sources, never used by a production crawl: the fixture sets and their
loopback server, capturing live responses as fixtures, goldens, and the new-source scaffold.
"""
