"""Everything that talks to publishers: Scrapy settings, the spider shell and loader,
conditional GET, retries, the network guard, the fixture download handler and the crawl
record. Parsers (spiders/) never fetch; this layer fetches and hands them bytes.
"""
