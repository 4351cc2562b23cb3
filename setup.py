"""Only for `scrapyd-deploy`, which runs `setup.py bdist_egg` (and writes its own setup.py,
with a different name and no package data, when none exists). All metadata, the Scrapy
settings entry point included, is in pyproject.toml."""

from setuptools import setup

setup()
