"""Scenarios across the world's destinations: every adequacy decision on its own terms, common
non-adequate processing countries, and the provider regions, profiles and deployment types
completed in issue 15. Each row cites where its expected answer comes from."""

from __future__ import annotations

from datetime import date

import pytest

from douane.contract import Basis, Decision
from tests.rules.conftest import assert_verdict, call, engine_for, make_policy, v
from tests.rules.test_judgments import J, azure

A, AS, NR, UN = Decision.ALLOWED, Decision.ALLOWED_WITH_SAFEGUARD, Decision.NEEDS_REVIEW, Decision.UNAUTHORISED
HOSTED = "llm.hosted.example"
IRL = {"name": "OpenAI Ireland Ltd", "country": "IE", "parent_country": "US"}  # as if confirmed by the contract
REVIEW = "Commission report COM(2024) 7 (first review of the 11 Directive-era decisions); shared/reference/adequacy.yaml"
NOT_ADEQUATE = "GDPR Art. 44-46; no adequacy decision (shared/reference/adequacy.yaml, not_adequate_examples)"
BEDROCK_DOC = "Amazon Bedrock endpoints and cross-Region inference profiles, docs.aws.amazon.com (checked 2026-12-01)"
VERTEX_DOC = "Vertex AI locations and data residency, cloud.google.com/vertex-ai (checked 2026-12-01)"
AZURE_DOC = "Azure OpenAI deployment types and Azure regions, learn.microsoft.com (checked 2026-12-01)"
OPENAI_DOC = "OpenAI data residency, platform.openai.com (checked 2026-12-01)"
ANTHROPIC_DOC = "Anthropic data residency (inference_geo), docs.claude.com; Claude Platform on AWS (checked 2026-12-01)"


def hosted(location: str, day: date | None = None, **kw) -> dict:
    """A call to a model a processor hosts for the shop in ``location``."""
    extra = {"day": day} if day else {}
    return dict(event=call(HOSTED, **extra),
                policy={"sovereign_endpoints": [{"host": HOSTED, "location": location, "operator": "processor"}]}, **kw)


# (country, instrument as the Commission's page names it, day it took effect) — legal.md s. 2
FULL_SCOPE = [
    ("AD", "2010/625/EU", date(2010, 10, 19)), ("AR", "2003/490/EC", date(2003, 6, 30)),
    ("FO", "2010/146/EU", date(2010, 3, 5)), ("GG", "2003/821/EC", date(2003, 11, 21)),
    ("IL", "2011/61/EU", date(2011, 1, 31)), ("IM", "2004/411/EC", date(2004, 4, 28)),
    ("JE", "2008/393/EC", date(2008, 5, 8)), ("NZ", "2013/65/EU", date(2012, 12, 19)),
    ("CH", "2000/518/EC", date(2000, 7, 26)), ("UY", "2012/484/EU", date(2012, 8, 21)),
    ("GB", "(EU) 2021/1772", date(2021, 6, 28)),
]
REGIME_SCOPE = [("CA", "pipeda", date(2001, 12, 20)), ("JP", "appi", date(2019, 1, 23)),
                ("KR", "pipa", date(2021, 12, 17)), ("BR", "lgpd", date(2026, 1, 26))]

ADEQUACY = [
    *(J(f"adequate-{c}", f"Commission Decision {i}; {REVIEW}", decision=A, basis=Basis.ADEQUACY,
        has=("chapter-v.adequacy",), **hosted(c)) for c, i, _ in FULL_SCOPE),
    *(J(f"adequate-{c}-not-yet-in-force", f"Commission Decision {i}; GDPR Art. 45(1)", decision=UN, basis=Basis.NONE,
        has=("chapter-v.adequacy-not-yet",), **hosted(c, day=d - (date(2000, 1, 2) - date(2000, 1, 1))))
      for c, i, d in FULL_SCOPE if d > date(2019, 1, 1)),
    *(J(f"regime-{c}-unattested", f"GDPR Art. 45; adequacy limited to {r.upper()} recipients (legal.md s. 2)",
        decision=NR, basis=Basis.NONE, has=("chapter-v.adequacy-scope-unverified",), **hosted(c))
      for c, r, _ in REGIME_SCOPE),
    J("us-hosted-without-dpf", "Decision (EU) 2023/1795: only DPF-listed organisations", decision=UN,
      basis=Basis.NONE, **hosted("US")),
    J("uy-first-day-in-force", "Commission Implementing Decision 2012/484/EU; GDPR Art. 45(1)", decision=A,
      basis=Basis.ADEQUACY, **hosted("UY", day=date(2012, 8, 21))),
    J("uy-the-day-before", "Commission Implementing Decision 2012/484/EU; GDPR Art. 45(1)", decision=UN,
      basis=Basis.NONE, has=("chapter-v.adequacy-not-yet",), **hosted("UY", day=date(2012, 8, 20))),
    J("gb-renewal-still-in-force-2030", "UK decisions renewed 2025-12-19, valid to 2031-12-27", decision=A,
      basis=Basis.ADEQUACY, **hosted("GB", day=date(2030, 6, 1))),
]

THIRD_COUNTRIES = [
    J(f"not-adequate-{c}", NOT_ADEQUATE, decision=UN, basis=Basis.NONE, has=("chapter-v.no-basis",), **hosted(c))
    for c in ("CN", "HK", "SG", "IN", "AU", "AE", "TW", "SA", "QA", "ZA", "MX", "TH")
]

BEDROCK = "bedrock-runtime.{}.amazonaws.com"
REGIONS = [
    *(J(f"bedrock-{r}-in-the-eea", BEDROCK_DOC, call(BEDROCK.format(r)), A, Basis.EEA)
      for r in ("eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3")),
    *(J(f"bedrock-{r}-not-adequate", BEDROCK_DOC, call(BEDROCK.format(r)), UN, Basis.NONE)
      for r in ("ap-southeast-1", "me-central-1", "me-south-1", "ap-south-2", "ap-southeast-3", "ap-southeast-5",
                "ap-east-2", "af-south-1", "mx-central-1")),
    J("bedrock-israel-adequate", BEDROCK_DOC + "; Decision 2011/61/EU", call(BEDROCK.format("il-central-1")), A,
      Basis.ADEQUACY),
    J("bedrock-osaka-unattested", BEDROCK_DOC + "; Decision (EU) 2019/419", call(BEDROCK.format("ap-northeast-3")),
      NR, Basis.NONE, has=("chapter-v.adequacy-scope-unverified",)),
    J("bedrock-calgary-attested", BEDROCK_DOC + "; Decision 2002/2/EC", call(BEDROCK.format("ca-west-1")), A,
      Basis.ADEQUACY, vendors=[v("aws-bedrock", adequacy_attestations=["pipeda"])]),
    J("bedrock-jp-profile-attested", BEDROCK_DOC, call(BEDROCK.format("ap-northeast-1"), model="jp.anthropic.claude"),
      A, Basis.ADEQUACY, vendors=[v("aws-bedrock", adequacy_attestations=["appi"])]),
    J("bedrock-au-profile-not-adequate", BEDROCK_DOC, call(BEDROCK.format("ap-southeast-2"), model="au.anthropic.claude"),
      UN, Basis.NONE),
    J("bedrock-us-gov-profile-needs-dpf", BEDROCK_DOC, call(BEDROCK.format("us-gov-west-1"), model="us-gov.claude"),
      UN, Basis.NONE),
    J("bedrock-us-gov-profile-with-dpf", BEDROCK_DOC, call(BEDROCK.format("us-gov-west-1"), model="us-gov.claude"),
      A, Basis.DPF, vendors=[v("aws-bedrock", dpf={"certified": True, "verified_on": "2026-06-01"})]),
    J("bedrock-ca-profile-unattested", BEDROCK_DOC, call(BEDROCK.format("ca-central-1"), model="ca.anthropic.claude"),
      NR, Basis.NONE),
    J("bedrock-apac-profile-reaches-thailand", BEDROCK_DOC, call(BEDROCK.format("ap-southeast-1"), model="apac.claude"),
      UN, Basis.NONE, vendors=[v("aws-bedrock", adequacy_attestations=["appi", "pipa"])]),
    J("bedrock-eu-profile-from-stockholm", BEDROCK_DOC, call(BEDROCK.format("eu-north-1"), model="eu.meta.llama"),
      A, Basis.ADEQUACY),
    J("bedrock-mantle-host", BEDROCK_DOC, call("bedrock-mantle.eu-central-1.api.aws"), A, Basis.EEA),
    *(J(f"vertex-{r}-in-the-eea", VERTEX_DOC, call(f"{r}-aiplatform.googleapis.com"), A, Basis.EEA)
      for r in ("europe-west1", "europe-west10", "europe-west12", "europe-north2", "europe-central2",
                "europe-southwest1")),
    *(J(f"vertex-{r}-not-adequate", VERTEX_DOC, call(f"{r}-aiplatform.googleapis.com"), UN, Basis.NONE,
        vendors=[v("google-vertex", contracting_entity={"name": "Google LLC", "country": "US"},
                   dpf={"certified": True, "verified_on": "2026-06-01"})])
      for r in ("asia-east1", "asia-east2", "me-central1", "me-central2", "asia-southeast2", "africa-south1")),
    J("vertex-regional-rep-endpoint", VERTEX_DOC, call("aiplatform.europe-west9.rep.googleapis.com"), A, Basis.EEA),
    J("vertex-tel-aviv-adequate", VERTEX_DOC, call("me-west1-aiplatform.googleapis.com"), A, Basis.ADEQUACY),
    J("vertex-montreal-unattested", VERTEX_DOC, call("northamerica-northeast1-aiplatform.googleapis.com"), NR,
      Basis.NONE),
    J("vertex-sao-paulo-attested", VERTEX_DOC, call("southamerica-east1-aiplatform.googleapis.com"), A,
      Basis.ADEQUACY, vendors=[v("google-vertex", adequacy_attestations=["lgpd"])]),
    J("vertex-us-multi-region-dpf", VERTEX_DOC, call("us-aiplatform.googleapis.com"), A, Basis.DPF,
      vendors=[v("google-vertex", dpf={"certified": True, "verified_on": "2026-06-01"})]),
    *(J(f"azure-{r}-in-the-eea", AZURE_DOC, call("shop-ai.openai.azure.com"), A, Basis.EEA, vendors=azure(r))
      for r in ("austriaeast", "norwayeast", "belgiumcentral", "denmarkeast", "germanynorth")),
    J("azure-switzerland-west-adequate", AZURE_DOC, call("shop-ai.openai.azure.com"), A, Basis.ADEQUACY,
      vendors=azure("switzerlandwest")),
    J("azure-uae-not-adequate", AZURE_DOC, call("shop-ai.openai.azure.com"), UN, Basis.NONE, vendors=azure("uaenorth")),
    J("azure-hong-kong-not-adequate", AZURE_DOC, call("shop-ai.openai.azure.com"), UN, Basis.NONE,
      vendors=azure("eastasia")),
    J("azure-new-zealand-adequate", AZURE_DOC, call("shop-ai.openai.azure.com"), A, Basis.ADEQUACY,
      vendors=azure("newzealandnorth")),
    J("azure-datazone-provisioned-eu", AZURE_DOC, call("shop-ai.openai.azure.com"), A, Basis.EEA,
      vendors=azure("germanywestcentral", "datazone_provisioned")),
    J("azure-global-batch-anywhere", AZURE_DOC, call("shop-ai.openai.azure.com"), NR, Basis.NONE,
      vendors=azure("swedencentral", "global_batch"), has=("chapter-v.location-unknown",)),
    J("azure-datazone-from-switzerland-is-unknown", AZURE_DOC, call("shop-ai.openai.azure.com"), NR, Basis.NONE,
      vendors=azure("switzerlandnorth", "datazone")),
    J("azure-services-ai-host", AZURE_DOC, call("shop-ai.services.ai.azure.com"), A, Basis.EEA,
      vendors=azure("italynorth")),
    J("openai-uk-residency-adequate", OPENAI_DOC, call("uk.api.openai.com"), A, Basis.ADEQUACY,
      vendors=[v("openai", contracting_entity=IRL)]),
    J("openai-japan-residency-attested", OPENAI_DOC, call("jp.api.openai.com"), A, Basis.ADEQUACY,
      vendors=[v("openai", contracting_entity=IRL, adequacy_attestations=["appi"])]),
    J("openai-uae-residency-not-adequate", OPENAI_DOC, call("ae.api.openai.com"), UN, Basis.NONE,
      vendors=[v("openai", contracting_entity=IRL)]),
    J("openai-singapore-residency-with-scc", OPENAI_DOC, call("sg.api.openai.com"), AS, Basis.SCC,
      vendors=[v("openai", contracting_entity=IRL, scc={"module": 2, "signed": "2025-01-10"},
                 tia={"completed": "2025-02-01", "review_by": "2027-02-01", "outcome": "positive"})]),
    J("claude-platform-on-aws-us-geo", ANTHROPIC_DOC, call("aws-external-anthropic.eu-central-1.api.aws", geo="us"),
      A, Basis.DPF, vendors=[v("anthropic", contracting_entity={"name": "Anthropic PBC", "country": "US"},
                               dpf={"certified": True, "verified_on": "2026-06-01"})]),
    J("claude-platform-on-aws-default-geo", ANTHROPIC_DOC, call("aws-external-anthropic.eu-central-1.api.aws"),
      NR, Basis.NONE, has=("chapter-v.location-unknown",)),
]

WORLD = ADEQUACY + THIRD_COUNTRIES + REGIONS


@pytest.mark.parametrize("j", WORLD, ids=[j.id for j in WORLD])
def test_world_scenario(j: J) -> None:
    verdict = engine_for(make_policy(j.vendors, **j.policy)).evaluate(j.event)
    assert_verdict(verdict, j)


def test_the_scenario_table_has_200_cases_each_citing_its_source() -> None:
    from tests.rules.test_chapter_v import SCENARIOS
    from tests.rules.test_judgments import CASES

    table = [*SCENARIOS, *CASES, *WORLD]
    assert len(table) >= 200, len(table)
    assert all(s.source for s in table), [s.id for s in table if not s.source]
    assert len({s.id for s in table}) == len(table), "scenario ids are unique"
