"""Scrapy settings for every crawl (scrapy.cfg points here, so `scrapy crawl <slug>` works too).

Politeness: an identifying User-Agent with a contact URL, robots.txt obeyed, one request at a
time per host with AutoThrottle. Hostile input: downloads are size-capped (compressed and
decompressed) and time-limited, only http(s) handlers exist, and only public addresses are
ever connected to (aggregator/netguard.py).
"""

from aggregator.settings import database_url
from aggregator.storage.runs import heartbeat_interval

BOT_NAME = "aggregator"
SPIDER_LOADER_CLASS = "aggregator.fetch.spider_loader.RegistrySpiderLoader"
USER_AGENT = (
    "aggregator/0.1 (safeguarding current-awareness monitor; "
    "+https://github.com/safeguarding-aggregator/aggregator)"
)
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 5
COOKIES_ENABLED = False
# No in-process consoles: Scrapy's telnet console and its RemoteControl extension (Scrapy 2.19,
# scrapy.extensions.remote_control; on by default) both run Python sent to them inside the crawl,
# beside the database URL and the network guard. A crawler never needs either; off at the source.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
DOWNLOAD_FAIL_ON_DATALOSS = True  # a truncated body is an error, never half a page
DNS_TIMEOUT = 20
# Only http(s): a scraped link can never make the crawler read a file, FTP or S3. The http(s)
# handler and the resolver refuse non-public addresses (SSRF guard, aggregator/netguard.py),
# redirects included; nothing is allow-listed in production.
DOWNLOAD_HANDLERS = {
    "file": None,
    "ftp": None,
    "s3": None,
    "data": None,
    "http": "aggregator.fetch.netguard.GuardedDownloadHandler",
    "https": "aggregator.fetch.netguard.GuardedDownloadHandler",
}
TWISTED_DNS_RESOLVER = "aggregator.fetch.netguard.PublicOnlyResolver"
# Production allows none. The environment variable AGGREGATOR_ALLOWED_ADDRESSES (comma-separated
# addresses or networks) is merged in by the guard: tests aim crawls at loopback servers with it.
AGGREGATOR_ALLOWED_ADDRESSES: list[str] = []
# Retries back off, and wait as long as a 429/503 Retry-After asks (up to RETRY_AFTER_MAX s):
# aggregator.fetch.retry.BackoffRetryMiddleware replaces Scrapy's RetryMiddleware (below).
RETRY_BACKOFF_BASE = 1.0
RETRY_AFTER_MAX = 120

ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.validate.ValidatePipeline": 300,
    "pipelines.classify.ClassifyPipeline": 350,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.store.StorePipeline": 900,
}
EXTENSIONS = {
    "aggregator.fetch.crawl_record.CrawlRecorder": 500,
    # the per-source progress line on a terminal (off unless `aggregator crawl` turns it on)
    "aggregator.fetch.progress.CrawlProgress": 900,
}
# `scrapy crawl` checks the database schema before any spider opens (one line, exit 1)
COMMANDS_MODULE = "aggregator.fetch.commands"
# How often a running crawl records that it is alive (a killed one shows as interrupted).
AGGREGATOR_HEARTBEAT_SECONDS = heartbeat_interval().total_seconds()
# Conditional GET sits next to the downloader, after robots.txt and retries decide.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "aggregator.fetch.retry.BackoffRetryMiddleware": 550,
    # Just after Scrapy's RedirectMiddleware (600), which leaves a redirect to file:, ftp:,
    # data: … unfollowed as a bare 3xx: the guard records it as refused, with its target.
    "aggregator.fetch.netguard.NonHttpRedirectGuard": 590,
    "aggregator.fetch.conditional.ConditionalGetMiddleware": 950,
}

AGGREGATOR_DATABASE_URL = database_url()
# `-s AGGREGATOR_FIXTURES=1` crawls the bundled fixtures offline through a loopback server the
# spider starts (aggregator/fetch/spider_loader.py); AGGREGATOR_FIXTURES_DIR names another root.
AGGREGATOR_FIXTURES = False
AGGREGATOR_FIXTURES_DIR = ""
LOG_LEVEL = "INFO"
