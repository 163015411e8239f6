"""The DPIA's risks to data subjects, as the CNIL PIA method frames them: three feared events
(illegitimate access, unwanted modification, disappearance of data), each with its risk sources,
threats and impacts, a severity and a likelihood justified by the store's evidence, the measures
that lower them, and the residual risk after those measures.

Scales are the CNIL's (1 negligible, 2 limited, 3 significant, 4 maximum) for both severity and
likelihood. Prior consultation (Art. 36) is needed only when a residual risk keeps both a
significant-or-worse severity and a significant-or-worse likelihood after the measures.
"""

from __future__ import annotations

from reports.common import risk_level
from reports.models import FearedEvent

SCALE = {1: "negligible", 2: "limited", 3: "significant", 4: "maximum"}


def likelihood_of(share: float) -> int:
    """Likelihood from the share of calls exposed: none 1, some 2, ≥ 1 % 3, ≥ 10 % 4."""
    return 1 if share <= 0 else 2 if share < 0.01 else 3 if share < 0.10 else 4


def feared_events(f: dict[str, int]) -> list[FearedEvent]:
    """The three feared events from the counts of :func:`reports.evidence.feared_facts`."""
    return [_access(f), _modification(f), _disappearance(f)]


def _event(area: str, name: str, sources: str, threats: str, impacts: str, severity: int, severity_why: str,
           likelihood: int, likelihood_why: str, measures: str, residual_severity: int, residual_likelihood: int,
           planned_likelihood: int | None = None, measured: bool = True) -> FearedEvent:
    planned = residual_likelihood if planned_likelihood is None else planned_likelihood
    return FearedEvent(
        area=area, name=name, sources=sources, threats=threats, impacts=impacts, severity=severity,
        severity_why=severity_why, likelihood=likelihood, likelihood_why=likelihood_why, level=risk_level(severity * likelihood),
        measures=measures, residual_severity=residual_severity, residual_likelihood=residual_likelihood,
        residual_level=risk_level(residual_severity * residual_likelihood), planned_likelihood=planned,
        planned_level=risk_level(residual_severity * planned), measured=measured)


def _access(f: dict[str, int]) -> FearedEvent:
    pd, exposed, stopped = f["with_pd"], f["exposed"], f["exposed_stopped"]
    if f["special"]:
        severity, why = 4, f"{f['special']:,} calls carried Art. 9 data (health): disclosure can harm people lastingly"
    elif f["financial"]:
        severity, why = 3, f"{f['financial']:,} calls carried financial data: disclosure enables fraud"
    else:
        severity, why = (2, "contact and identity data: disclosure is a nuisance, not lasting harm") if pd else \
            (1, "no personal data observed")
    left = exposed - stopped
    likelihood = likelihood_of(exposed / pd if pd else 0) if exposed else (2 if f["safeguarded"] else 1)
    residual_likelihood = likelihood_of(left / pd if pd else 0) if left else (2 if f["safeguarded"] else 1)
    residual_severity = 4 if f["special_left"] else min(severity, 3)
    return _event(
        "access", "Illegitimate access to personal data",
        "foreign public authorities (access under third-country law); the provider's staff and sub-processors",
        "prompts sent to a third country without a transfer tool that holds, or to an unknown destination; "
        "provider logs kept abroad",
        "disclosure of customers' contact, financial or health data; loss of control over it", severity, why,
        likelihood, f"{exposed:,} of {pd:,} calls with personal data went where no transfer tool held or the "
                    f"destination was unknown; {f['safeguarded']:,} more rest on SCC or other safeguards",
        f"{stopped:,} of those {exposed:,} calls were redirected or blocked in-line; transfer safeguards on file; "
        "minimised audit trail", residual_severity, residual_likelihood,
        planned_likelihood=_planned_access(f, left, residual_likelihood))


def _planned_access(f: dict[str, int], left: int, residual: int) -> int:
    """Likelihood once the plan is carried out. Calls without a tool are remediable (sign the tool, or redirect
    them), so they leave a limited likelihood; but Art. 9 data sent abroad mostly under Art. 46 safeguards stays
    readable by the importer, where EDPB Recommendations 01/2020 (use case 6) find no supplementary measure that
    works: that keeps the likelihood significant whatever the paperwork."""
    if f["special"] and f["special_safeguarded"] * 2 >= f["special"]:
        return 3
    return 2 if left else residual


def _modification(f: dict[str, int]) -> FearedEvent:
    decisions = f["decision_support"]
    severity = 3 if decisions else 2
    return _event(
        "modification", "Unwanted modification of personal data",
        "model errors; manipulated prompts (prompt injection) in customer messages",
        "an inaccurate model answer changes an order, an address or a price shown to a customer",
        "wrong order or delivery details; a customer misled about a price", severity,
        f"{decisions:,} checkout and pricing calls with personal data feed what the customer is offered"
        if decisions else "model output is used for drafts and suggestions only",
        2, "not measurable from traffic: judged limited, as answers are drafts reviewed by staff where the "
           "policy records it — to be confirmed with the process owner",
        "human review before sending (support); customers confirm checkout details themselves", severity, 2,
        measured=False)


def _disappearance(f: dict[str, int]) -> FearedEvent:
    calls, failed, served = f["calls"], f["failed"], f["failed_served"]
    unserved = failed - served
    return _event(
        "disappearance", "Disappearance of personal data (loss of availability)",
        "provider outages; regional lockouts (403/451); rate limits",
        "customers' requests fail while the provider is unavailable",
        "a customer cannot get support or finish a purchase; requests lost", 2 if failed else 1,
        "temporary unavailability of a service, no data lost for good" if failed else "no failures observed",
        likelihood_of(failed / calls if calls else 0), f"{failed:,} of {calls:,} calls failed at the provider",
        f"{served:,} of {failed:,} failed calls were served by the sovereign model (failover)",
        2 if unserved else 1, likelihood_of(unserved / calls if calls else 0))


def prior_consultation(events: list[FearedEvent]) -> bool:
    """Art. 36(1): a high risk remains once the measures, the action plan's included, are in place — severity and
    likelihood both significant or worse. Transfers without a tool are remediable, so alone they do not call for it."""
    return any(e.residual_severity >= 3 and e.planned_likelihood >= 3 for e in events)
