"""GOV.UK's own example content, read by the parser and checked against the oracle.

One test per fixture in fixtures/govuk-examples (Content API items reproduced from
alphagov/publishing-api's content-schema examples, and Search API responses in search-api's
shape). Each runs the fixture through `parse_saved` as `aggregator parse home_office FILE
--url URL` does and lists every fact that does not hold, grouped by defect class.
"""

from __future__ import annotations

import pytest

from tests.spiders.govuk_examples_score import Case, cases, facts_for
from tests.spiders.govuk_oracle import CLASSES

CASES = cases()


def test_the_corpus_covers_every_schema_asked_for() -> None:
    folders = {case.path.parent.name for case in CASES}
    assert folders >= {
        "consultation",
        "call_for_evidence",
        "publication",
        "detailed_guide",
        "html_publication",
        "news_article",
        "speech",
        "statistics_announcement",
        "statistical_data_set",
        "search",
    }
    assert len(CASES) > 100


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_example_reads_as_govuk_does(case: Case) -> None:
    facts = facts_for(case)
    assert facts, f"the oracle found no facts in {case.name}"
    failing = [f for f in facts if not f.held]
    lines = []
    for cls in CLASSES:
        wrong = [f for f in failing if f.cls == cls]
        if wrong:
            lines.append(f"{cls}: {len(wrong)} of {sum(f.cls == cls for f in facts)} facts wrong")
            lines += [f"  {f.name}: {f.detail}" for f in wrong]
    assert not failing, f"{case.name}:\n" + "\n".join(lines)
