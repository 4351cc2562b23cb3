"""Operations: the long-running processes and what watches them: the `schedule` loop, the
distributed crawl queue and its workers, and source health.

These run use cases from `aggregator.services` (a worker's job crawls through the crawl
service's child entry point) and never import the CLI.
"""
