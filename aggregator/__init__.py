"""The aggregator: monitor UK child-safeguarding publishers and build current-awareness bulletins.

Each subpackage is one layer of the flow (docs/architecture.md); imports point down the layers.
"""
