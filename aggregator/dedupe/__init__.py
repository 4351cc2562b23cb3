"""Identity and dedupe: an item's key within its source (identity), what changed between two
sightings (changes), and the same publication across sources merged into one cluster with a
publisher of record (clusters, publisher, exact); pure apart from the store `exact` is handed.
"""
