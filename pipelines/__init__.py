"""Thin Scrapy item pipelines over aggregator/: normalise, classify, validate, dedupe within a
run, store, and draft. Each takes the crawler, holds no logic of its own, and counts drops.
"""
