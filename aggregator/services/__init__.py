"""Use cases shared by the entry points (the CLI, the review app, the workers): run a crawl,
due crawls under leases, the demo, reclassify, redraft, reconcile, export, item decisions.

Each takes plain arguments and a database URL, does one job through the layers below and
returns data for its caller to show; nothing here imports an entry point or `ops`.
"""
