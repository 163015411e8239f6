"""The DPIA's feared events (CNIL method) and the Art. 36 rule, as a table of cases over the store's counts."""

from __future__ import annotations

import pytest

from reports.feared import feared_events, prior_consultation

BASE = dict(calls=1000, with_pd=500, exposed=0, exposed_stopped=0, safeguarded=0, special=0, special_left=0,
            special_safeguarded=0, financial=0, decision_support=0, failed=0, failed_served=0)


def events(**counts):
    access, modification, loss = feared_events({**BASE, **counts})
    return access, modification, loss


@pytest.mark.parametrize(
    ("counts", "severity", "likelihood", "residual", "planned", "art36"),
    [
        ({}, 2, 1, 1, 1, False),  # contact data only, nothing exposed
        ({"safeguarded": 200}, 2, 2, 2, 2, False),  # valid safeguards: limited, not high
        ({"exposed": 100, "financial": 80}, 3, 4, 4, 2, False),  # remediable: tool or redirect
        ({"exposed": 100, "exposed_stopped": 100, "financial": 80}, 3, 4, 1, 1, False),  # all stopped in-line
        ({"exposed": 100, "exposed_stopped": 96, "financial": 80}, 3, 4, 2, 2, False),  # 4 left: < 1 %
        ({"exposed": 40, "special": 20, "special_left": 5}, 4, 3, 3, 2, False),
        ({"special": 20, "special_safeguarded": 15, "safeguarded": 100}, 4, 2, 2, 3, True),  # EDPB use case 6
        ({"special": 20, "special_safeguarded": 5, "safeguarded": 100}, 4, 2, 2, 2, False),
    ],
)
def test_illegitimate_access_and_prior_consultation(counts, severity, likelihood, residual, planned, art36) -> None:
    access, modification, loss = events(**counts)
    assert (access.severity, access.likelihood) == (severity, likelihood)
    assert (access.residual_likelihood, access.planned_likelihood) == (residual, planned)
    assert access.residual_likelihood <= access.likelihood, "measures never raise a risk"
    assert prior_consultation([access, modification, loss]) is art36


@pytest.mark.parametrize(
    ("failed", "served", "likelihood", "residual"),
    [(0, 0, 1, 1), (30, 30, 3, 1), (30, 0, 3, 3), (200, 150, 4, 3), (5, 4, 2, 2)],
)
def test_disappearance_falls_with_the_calls_failed_over(failed, served, likelihood, residual) -> None:
    _, _, loss = events(failed=failed, failed_served=served)
    assert (loss.likelihood, loss.residual_likelihood) == (likelihood, residual)
    assert loss.severity <= 2, "an outage makes a service unavailable; no data is lost for good"


def test_modification_is_judged_and_says_so() -> None:
    _, plain, _ = events()
    _, deciding, _ = events(decision_support=50)
    assert not plain.measured and "judged" in plain.likelihood_why
    assert (plain.severity, deciding.severity) == (2, 3)
