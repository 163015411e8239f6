"""Issue 15: the classes of misjudgment found against an independent case set, one table per class.

Each case cites where its expected answer comes from. They were written before the fixes and
failed on the engine of that day (see docs/rules.md, "Change log").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from douane.contract import AICallEvent, Basis, Decision, ScanState, Severity
from tests.rules.conftest import assert_verdict, call, engine_for, make_policy, v

A, AS, NR, UN = Decision.ALLOWED, Decision.ALLOWED_WITH_SAFEGUARD, Decision.NEEDS_REVIEW, Decision.UNAUTHORISED

SCC2 = {"module": 2, "signed": "2025-01-10"}
TIA_OK = {"completed": "2025-02-01", "review_by": "2027-02-01", "outcome": "positive"}
TIA_NEG = {"completed": "2025-02-01", "review_by": "2027-02-01", "outcome": "negative"}
DPF_OK = {"certified": True, "data_types": ["non_hr"], "verified_on": "2026-06-01"}
BCR = {"approved_by": "CNIL", "approved": "2022-05-01"}
OPENAI, DEEPSEEK, AZURE = "api.openai.com", "api.deepseek.com", "shop-ai.openai.azure.com"
BEDROCK = "bedrock-runtime.{}.amazonaws.com"
VERTEX = "{}-aiplatform.googleapis.com"
OLD_DAY = date(2022, 6, 1)

GDPR_44 = "GDPR Art. 44; EDPB Guidelines 05/2021 on the interplay of Art. 3 and Chapter V, criteria 1-3"
EDPB_0521_PROC = "EDPB Guidelines 05/2021, para. 16-17 (EEA processor; onward transfers by the processor)"
MS_DPA = "Microsoft Products and Services DPA (2025-01): Microsoft Ireland Operations Ltd contracts with EEA customers"
GCP_ENTITY = "Google Cloud 'Google contracting entity' table (2026-11): Google Cloud EMEA Ltd for EEA customers"
OPENAI_TERMS = "OpenAI Services Agreement / data residency docs (2026-11); EEA business entity UNVERIFIED in legal.md s. 8"
UY = "Commission Implementing Decision 2012/484/EU (Uruguay), shared/reference/adequacy.yaml"
ART_45_1 = "GDPR Art. 45(1): a decision covers transfers from the day it takes effect"
DEC_2021_914 = "Commission Implementing Decision (EU) 2021/914, Art. 4(2)-(4) (old SCCs: no new contracts after 2021-09-27, no effect after 2022-12-27)"
ART_46_1 = "GDPR Art. 46(1); EDPB Recommendations 01/2020 para. 8-9 (safeguard in place when the data moves)"
DPF = "Commission Implementing Decision (EU) 2023/1795, Annex I s. I.3 (active listing, HR/non-HR)"
ART_47 = "GDPR Art. 47(1) (BCR approved by the competent SA)"
ART_49 = "GDPR Art. 49(1); EDPB Guidelines 2/2018 s. 2 (derogations, restrictive reading)"
ART_49_A = "GDPR Art. 49(1)(a); EDPB Guidelines 2/2018 s. 2.1 (explicit, specific, informed consent)"
ART_49_3 = "GDPR Art. 49(3) (public authorities: not (a)-(c))"
ART_49_2ND = "GDPR Art. 49(1) second subparagraph and 49(6); EDPB Guidelines 2/2018 s. 2.8"
REC_111 = "GDPR recital 111; EDPB Guidelines 2/2018 s. 2.2-2.3 (occasional, not systematic)"
OTEL = "OpenTelemetry GenAI semantic conventions (content capture off by default); GDPR Art. 5(2) accountability"
ART_9 = "GDPR Art. 9(1); fideslang default taxonomy 3.1 (user.demographic.*, user.health_and_medical.genetic)"
ART_10 = "GDPR Art. 10; fideslang user.criminal_history"


@dataclass
class J:
    """One judgment: a call, what is on file, the verdict it must get, and where that comes from."""

    id: str
    source: str
    event: AICallEvent
    decision: Decision
    basis: Basis
    vendors: list = field(default_factory=list)
    policy: dict = field(default_factory=dict)
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    says: tuple[str, ...] = ()
    severity: Severity | None = None


def azure(region: str, deployment: str = "standard") -> list:
    return [v("azure-openai", resources=[{"name": "shop-ai", "region": region, "deployment": deployment}])]


def activity(id_: str, feature: str, **kw: Any) -> dict:
    base = {"id": id_, "name": id_, "purpose": "p", "legal_basis": "contract", "data_subjects": ["customer"],
            "categories": ["user.contact.email"], "retention": "30 days", "recipients": ["deepseek", "openai"],
            "transfers": ["CN", "US"], "match": {"features": [feature]}}
    return {**base, **kw}


def with_activities(*extra: dict) -> dict:
    from tests.rules.conftest import BASE_POLICY

    return {"activities": [*BASE_POLICY["activities"], *extra]}


DOCUMENTED = {"assessment": "LIA-2026-04", "supervisory_authority_informed": "2026-04-02",
              "data_subjects_informed": True, "limited_data_subjects": True}
PUBLIC = {"controller": {"name": "Stadt Musterhausen", "contact": "dsb@stadt.example", "country": "DE",
                         "public_authority": True}}

RECIPIENTS = [
    J("azure-eea-customer-contracts-with-microsoft-ireland", MS_DPA, call(AZURE), A, Basis.EEA,
      vendors=azure("swedencentral"), lacks=("chapter-v.no-basis",)),
    J("vertex-eea-customer-contracts-with-google-cloud-emea", GCP_ENTITY, call(VERTEX.format("europe-west4")),
      A, Basis.EEA),
    J("vertex-eu-rep-endpoint-without-own-contract-record", GCP_ENTITY, call("aiplatform.eu.rep.googleapis.com"),
      A, Basis.EEA),
    J("openai-assumed-recipient-is-a-review-not-a-prohibition", OPENAI_TERMS, call(OPENAI), NR, Basis.NONE,
      has=("chapter-v.recipient-assumed",), lacks=("chapter-v.no-basis",)),
    J("openai-eu-host-assumed-irish-recipient", OPENAI_TERMS, call("eu.api.openai.com"), NR, Basis.NONE,
      has=("chapter-v.recipient-assumed",)),
    J("recipient-confirmed-by-the-contract-on-file", OPENAI_TERMS, call(OPENAI), UN, Basis.NONE,
      vendors=[v("openai", contracting_entity={"name": "OpenAI OpCo, LLC", "country": "US"})],
      has=("chapter-v.no-basis",), lacks=("chapter-v.recipient-assumed",)),
    J("eea-processor-with-known-sub-processing-abroad", EDPB_0521_PROC, call("eu.api.openai.com"), A, Basis.EEA,
      vendors=[v("openai", contracting_entity={"name": "OpenAI Ireland Ltd", "country": "IE"})],
      has=("chapter-v.onward-transfer",), lacks=("chapter-v.no-basis",)),
    J("onward-transfer-verified-under-art-28", EDPB_0521_PROC, call("eu.api.openai.com"), A, Basis.EEA,
      vendors=[v("openai", contracting_entity={"name": "OpenAI Ireland Ltd", "country": "IE"},
                 onward_transfers_verified="2026-03-01")],
      lacks=("chapter-v.onward-transfer",)),
]

ADEQUACY = [
    J("uruguay-is-adequate", UY, call("llm.uy-hoster.example"), A, Basis.ADEQUACY,
      policy={"sovereign_endpoints": [{"host": "llm.uy-hoster.example", "location": "UY", "operator": "processor"}]},
      has=("chapter-v.adequacy",)),
    J("brazil-before-its-decision-is-not-yet-in-force", ART_45_1, call(BEDROCK.format("sa-east-1"), day=date(2025, 6, 1)),
      UN, Basis.NONE, vendors=[v("aws-bedrock", adequacy_attestations=["lgpd"])],
      has=("chapter-v.adequacy-not-yet",), lacks=("chapter-v.adequacy-expired",), says=("not yet in force",)),
    J("korea-before-its-decision-is-not-yet-in-force", ART_45_1,
      call(BEDROCK.format("ap-northeast-2"), day=date(2021, 6, 1)), UN, Basis.NONE,
      vendors=[v("aws-bedrock", adequacy_attestations=["pipa"])], has=("chapter-v.adequacy-not-yet",)),
    J("uk-after-its-decision-expired-is-expired", "Commission decisions of 2025-12-19 (UK), valid to 2031-12-27",
      call(BEDROCK.format("eu-west-2"), day=date(2032, 1, 10)), UN, Basis.NONE,
      has=("chapter-v.adequacy-expired",), lacks=("chapter-v.adequacy-not-yet",)),
]

INSTRUMENTS = [
    J("scc-signed-after-the-call-does-not-count", ART_46_1, call(DEEPSEEK), UN, Basis.NONE,
      vendors=[v("deepseek", scc={"module": 2, "signed": "2026-12-01"}, tia=TIA_OK)],
      has=("chapter-v.instrument-not-in-effect", "chapter-v.no-basis"), lacks=("chapter-v.scc",)),
    J("tia-completed-after-the-call-does-not-count", ART_46_1, call(DEEPSEEK), NR, Basis.NONE,
      vendors=[v("deepseek", scc=SCC2, tia={**TIA_OK, "completed": "2026-11-25"})],
      has=("chapter-v.tia-missing",), says=("completed on 2026-11-25, after the call",)),
    J("bcr-approved-after-the-call-does-not-count", ART_47, call(DEEPSEEK), UN, Basis.NONE,
      vendors=[v("deepseek", bcr={"approved_by": "CNIL", "approved": "2026-12-01"}, tia=TIA_OK)],
      has=("chapter-v.instrument-not-in-effect",), lacks=("chapter-v.bcr",)),
    J("pre-2021-scc-lost-effect-on-2022-12-27", DEC_2021_914, call(DEEPSEEK), UN, Basis.NONE,
      vendors=[v("deepseek", scc={"module": 2, "signed": "2019-03-01", "clauses": "2010/87/EU"}, tia=TIA_OK)],
      has=("chapter-v.instrument-not-in-effect",), says=("2022-12-27",)),
    J("pre-2021-scc-still-counted-in-the-transition", DEC_2021_914, call(DEEPSEEK, day=OLD_DAY), AS, Basis.SCC,
      vendors=[v("deepseek", scc={"module": 2, "signed": "2019-03-01", "clauses": "2010/87/EU"},
                 tia={**TIA_OK, "completed": "2021-02-01"})]),
    J("pre-2021-scc-signed-after-the-cut-off", DEC_2021_914, call(DEEPSEEK, day=OLD_DAY), UN, Basis.NONE,
      vendors=[v("deepseek", scc={"module": 2, "signed": "2021-10-01", "clauses": "2010/87/EU"},
                 tia={**TIA_OK, "completed": "2021-02-01"})],
      has=("chapter-v.instrument-not-in-effect",)),
    J("dpf-certification-not-yet-active-on-the-day", DPF, call(OPENAI), UN, Basis.NONE,
      vendors=[v("openai", contracting_entity={"name": "OpenAI OpCo, LLC", "country": "US"},
                 dpf={**DPF_OK, "active_from": "2026-12-01"})],
      has=("chapter-v.dpf-not-verified",), lacks=("chapter-v.dpf",)),
    J("dpf-certification-lapsed-before-the-day", DPF, call(OPENAI), UN, Basis.NONE,
      vendors=[v("openai", contracting_entity={"name": "OpenAI OpCo, LLC", "country": "US"},
                 dpf={**DPF_OK, "active_from": "2024-01-01", "active_until": "2026-10-31"})],
      has=("chapter-v.dpf-not-verified",), says=("2026-10-31",)),
    J("negative-tia-is-named", "EDPB Recommendations 01/2020 para. 52-53 (no transfer if the TIA is negative)",
      call(DEEPSEEK), UN, Basis.NONE, vendors=[v("deepseek", scc=SCC2, tia=TIA_NEG)],
      has=("chapter-v.tia-negative", "chapter-v.no-basis"), says=("negative",)),
]

DEROGATIONS = [
    J("consent-without-a-consent-reference-does-not-count", ART_49_A, call(DEEPSEEK, feature="f_a"), UN, Basis.NONE,
      policy=with_activities(activity("a", "f_a", derogations=["49_1_a"], transfer_frequency="occasional")),
      has=("chapter-v.no-basis",)),
    J("consent-with-a-consent-reference", ART_49_A, call(DEEPSEEK, feature="f_a", consent_ref="consent-7f3a"), A,
      Basis.DEROGATION_49_1_A,
      policy=with_activities(activity("a", "f_a", derogations=["49_1_a"], transfer_frequency="occasional"))),
    J("the-next-derogation-is-considered-when-consent-is-missing", ART_49, call(DEEPSEEK, feature="f_ab"), A,
      Basis.DEROGATION_49_1_B,
      policy=with_activities(activity("ab", "f_ab", derogations=["49_1_a", "49_1_b"], transfer_frequency="occasional"))),
    J("derogations-are-taken-in-the-articles-order", ART_49, call(DEEPSEEK, feature="f_eb"), A,
      Basis.DEROGATION_49_1_B,
      policy=with_activities(activity("eb", "f_eb", derogations=["49_1_e", "49_1_b"], transfer_frequency="occasional"))),
    J("compelling-interests-only-as-the-last-resort", ART_49_2ND, call(DEEPSEEK, feature="f_cb"), A,
      Basis.DEROGATION_49_1_B,
      policy=with_activities(activity("cb", "f_cb", derogations=["49_1_compelling", "49_1_b"],
                                      compelling_interest=DOCUMENTED, transfer_frequency="occasional"))),
    J("systematic-transfers-cannot-rest-on-contract-necessity", REC_111, call(DEEPSEEK, feature="f_sys"), UN,
      Basis.NONE, policy=with_activities(activity("sys", "f_sys", derogations=["49_1_b"])),
      has=("chapter-v.derogation-systematic",), says=("EDPB",)),
    J("text-reading-lets-systematic-contract-necessity-count", REC_111, call(DEEPSEEK, feature="f_sys"), A,
      Basis.DEROGATION_49_1_B,
      policy={**with_activities(activity("sys", "f_sys", derogations=["49_1_b"])),
              "readings": {"derogations_systematic": "text"}},
      has=("chapter-v.derogation-systematic",)),
    J("public-authority-cannot-use-contract-necessity", ART_49_3, call(DEEPSEEK, feature="f_b"), UN, Basis.NONE,
      policy={**PUBLIC, **with_activities(activity("b", "f_b", derogations=["49_1_b"], transfer_frequency="occasional"))},
      says=("49(3)",)),
    J("public-authority-may-use-public-interest", ART_49_3, call(DEEPSEEK, feature="f_bd"), A, Basis.DEROGATION_49_1_D,
      policy={**PUBLIC, **with_activities(activity("bd", "f_bd", derogations=["49_1_b", "49_1_d"],
                                                   derogation_grounds={"49_1_d": "§ 5 Gesundheitsdatengesetz"},
                                                   transfer_frequency="occasional"))}),
    J("public-interest-needs-the-law-that-recognises-it", "GDPR Art. 49(1)(d) and 49(4)",
      call(DEEPSEEK, feature="f_d"), UN, Basis.NONE,
      policy=with_activities(activity("d", "f_d", derogations=["49_1_d"], transfer_frequency="occasional")),
      has=("chapter-v.derogation-unavailable",), says=("49(4)",)),
    J("public-register-with-its-conditions", "GDPR Art. 49(1)(g) and 49(2)", call(DEEPSEEK, feature="f_g"), A,
      Basis.DEROGATION_49_1_G,
      policy=with_activities(activity("g", "f_g", derogations=["49_1_g"],
                                      derogation_grounds={"49_1_g": "Handelsregister, public extract only"}))),
    J("vital-interests-needs-no-record-beyond-the-policy", "GDPR Art. 49(1)(f)", call(DEEPSEEK, feature="f_f"), A,
      Basis.DEROGATION_49_1_F,
      policy=with_activities(activity("f", "f_f", derogations=["49_1_f"]))),
    J("compelling-interests-need-a-non-repetitive-transfer", ART_49_2ND, call(DEEPSEEK, feature="f_c"), UN, Basis.NONE,
      policy=with_activities(activity("c", "f_c", derogations=["49_1_compelling"], compelling_interest=DOCUMENTED))),
    J("compelling-interests-need-a-limited-number-of-subjects", ART_49_2ND, call(DEEPSEEK, feature="f_c"), UN,
      Basis.NONE, policy=with_activities(activity("c", "f_c", derogations=["49_1_compelling"],
                                                  compelling_interest={**DOCUMENTED, "limited_data_subjects": False},
                                                  transfer_frequency="occasional"))),
    J("compelling-interests-with-every-condition", ART_49_2ND, call(DEEPSEEK, feature="f_c"), A,
      Basis.DEROGATION_49_1_COMPELLING,
      policy=with_activities(activity("c", "f_c", derogations=["49_1_compelling"], compelling_interest=DOCUMENTED,
                                      transfer_frequency="occasional"))),
    J("compelling-interests-authority-informed-after-the-call", ART_49_2ND, call(DEEPSEEK, feature="f_c"), UN,
      Basis.NONE, policy=with_activities(activity("c", "f_c", derogations=["49_1_compelling"], transfer_frequency="occasional",
                                                  compelling_interest={**DOCUMENTED,
                                                                       "supervisory_authority_informed": "2026-12-01"}))),
]

NOT_OBSERVED = [
    J("unscanned-content-with-nothing-declared-needs-review", OTEL,
      call(DEEPSEEK, feature="content", categories=(), scan=ScanState.NOT_OBSERVED), NR, Basis.NONE,
      has=("chapter-v.content-not-observed",), lacks=("chapter-v.not-a-transfer",)),
    J("budget-exceeded-with-nothing-declared-needs-review", OTEL,
      call(DEEPSEEK, feature="content", categories=(), scan=ScanState.BUDGET_EXCEEDED), NR, Basis.NONE,
      has=("chapter-v.content-not-observed",)),
    J("scanned-content-with-nothing-declared-is-no-transfer", OTEL, call(DEEPSEEK, feature="content", categories=()),
      A, Basis.NOT_A_TRANSFER),
    J("unscanned-content-is-judged-by-the-declared-categories", OTEL,
      call(DEEPSEEK, feature="health_chat", categories=(), scan=ScanState.NOT_OBSERVED), UN, Basis.NONE,
      severity=Severity.CRITICAL),
]

TAXONOMY = [
    J("religious-belief-is-special-category", ART_9, call("api.aleph-alpha.com",
                                                         categories=("user.demographic.religious_belief",)),
      A, Basis.EEA, has=("gdpr.art9-no-exception",)),
    J("genetic-data-is-special-category", ART_9, call("api.aleph-alpha.com",
                                                     categories=("user.health_and_medical.genetic",)),
      A, Basis.EEA, has=("gdpr.art9-no-exception",)),
    J("criminal-history-is-article-10-data", ART_10, call("api.aleph-alpha.com", categories=("user.criminal_history",)),
      A, Basis.EEA, has=("gdpr.art10-criminal-data",)),
    J("a-key-outside-the-taxonomy-is-named", ART_9, call("api.aleph-alpha.com", categories=("user.made_up.thing",)),
      A, Basis.EEA, has=("taxonomy.unknown-category",)),
    J("the-detectors-tax-id-key-is-an-alias", ART_9, call("api.aleph-alpha.com", categories=("user.financial.tax_id",)),
      A, Basis.EEA, lacks=("taxonomy.unknown-category",)),
]

CASES = RECIPIENTS + ADEQUACY + INSTRUMENTS + DEROGATIONS + NOT_OBSERVED + TAXONOMY


@pytest.mark.parametrize("j", CASES, ids=[j.id for j in CASES])
def test_judgment(j: J) -> None:
    verdict = engine_for(make_policy(j.vendors, **j.policy)).evaluate(j.event)
    assert_verdict(verdict, j)
    text = " ".join(f.explanation for f in verdict.findings)
    for phrase in j.says:
        assert phrase in text, f"{phrase!r} not in: {text}"
    if j.severity is not None:
        assert verdict.severity is j.severity
    assert j.source


def test_a_verdict_judged_with_the_providers_own_entity_names_its_seat() -> None:
    """Both readings lawful: the verdict is the one that holds either way, and says where it sends the data."""
    policy = make_policy([v("openai", scc={"module": 2, "signed": "2025-01-10"}, tia=TIA_OK)])
    verdict = engine_for(policy).evaluate(call("eu.api.openai.com"))
    assert (verdict.decision, verdict.basis) == (AS, Basis.SCC)
    assert "US" in verdict.destinations and "IE" not in verdict.destinations
    scc = next(f for f in verdict.findings if f.rule_id == "chapter-v.scc")
    assert "OpenAI OpCo, LLC" in scc.explanation
