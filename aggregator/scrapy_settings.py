"""Scrapy settings for every crawl (scrapy.cfg points here, so `scrapy crawl <slug>` works too).

Politeness: an identifying User-Agent with a contact URL, robots.txt obeyed, one request at a
time per host with AutoThrottle. Hostile input: downloads are size-capped and time-limited,
and only http(s) handlers exist.
"""

from aggregator.settings import database_url

BOT_NAME = "aggregator"
SPIDER_LOADER_CLASS = "aggregator.spider_loader.RegistrySpiderLoader"
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
TELNETCONSOLE_ENABLED = False
# Only http(s): a scraped link can never make the crawler read a file, FTP or S3.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}

ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.validate.ValidatePipeline": 300,
    "pipelines.classify.ClassifyPipeline": 350,
    "pipelines.dedupe.DedupePipeline": 400,
    "pipelines.store.StorePipeline": 900,
}
EXTENSIONS = {"aggregator.crawl_record.CrawlRecorder": 500}

AGGREGATOR_DATABASE_URL = database_url()
LOG_LEVEL = "INFO"
