"""Scrapy commands of the project (`COMMANDS_MODULE`): `scrapy crawl` with the checks the
`aggregator` CLI makes before it crawls."""
