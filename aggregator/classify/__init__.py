"""Classification: document type, topics, UK nations and safeguarding relevance, each with its
evidence, as pure functions of an item and the hints its parser resolved; no source is named.

The public surface: `classify_item` and `Classification` (rules.py), `Vocabulary`
(vocabulary.py), `decide_doc_type` (doc_types.py), `NATIONS`, `UK_WIDE` and `decide_nations`
(nations.py), and the sensitivity flags (sensitive.py).
"""
