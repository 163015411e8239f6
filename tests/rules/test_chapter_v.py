"""Table-driven scenarios: every branch of the Chapter V procedure, every adequacy scope
condition and every provider's region logic, with the verdict each must give."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from douane.contract import AICallEvent, Basis, Decision, Enforcement, Severity
from tests.rules.conftest import assert_verdict, call, engine_for, make_policy, v

A, AS, NR, UN = Decision.ALLOWED, Decision.ALLOWED_WITH_SAFEGUARD, Decision.NEEDS_REVIEW, Decision.UNAUTHORISED

SCC1 = {"module": 1, "signed": "2025-01-10"}
SCC2 = {"module": 2, "signed": "2025-01-10"}
SCC3 = {"module": 3, "signed": "2025-01-10"}
TIA_OK = {"completed": "2025-02-01", "review_by": "2027-02-01", "outcome": "positive"}
TIA_SUPP = {"completed": "2025-02-01", "review_by": "2027-02-01", "outcome": "supplementary_measures",
            "measures": "pseudonymised prompts"}
TIA_OVERDUE = {"completed": "2024-01-01", "review_by": "2026-01-01", "outcome": "positive"}
TIA_NEG = {"completed": "2025-02-01", "review_by": "2027-02-01", "outcome": "negative"}
DPF_OK = {"certified": True, "data_types": ["non_hr"], "verified_on": "2026-06-01"}
DPF_HR = {"certified": True, "data_types": ["hr"], "verified_on": "2026-06-01"}
DPF_STALE = {"certified": True, "data_types": ["non_hr"], "verified_on": "2025-03-01"}
DPF_NO = {"certified": False, "verified_on": "2026-06-01"}
BCR = {"approved_by": "CNIL", "approved": "2022-05-01"}


def ie(name: str = "Provider Ireland Ltd", **extra: Any) -> dict:
    return {"name": name, "country": "IE", **extra}


def us(provider: str, **kw: Any) -> dict:
    """A vendor whose contract on file names the provider's US entity as the recipient."""
    names = {"openai": "OpenAI OpCo, LLC", "anthropic": "Anthropic PBC", "google-vertex": "Google LLC"}
    return v(provider, contracting_entity={"name": names[provider], "country": "US"}, **kw)


@dataclass
class S:
    """One scenario: a call, what is on file, and the verdict it must get."""

    id: str
    event: AICallEvent
    decision: Decision
    basis: Basis
    vendors: list = field(default_factory=list)
    policy: dict = field(default_factory=dict)
    has: tuple[str, ...] = ()
    lacks: tuple[str, ...] = ()
    severity: Severity | None = None
    enforcement: Enforcement | None = None
    source: str = ""


def cite(source: str, scenarios: list[S]) -> list[S]:
    """The scenarios of one section, each citing the section's source."""
    for s in scenarios:
        s.source = source
    return scenarios


OPENAI, ANTHROPIC = "api.openai.com", "api.anthropic.com"
BEDROCK = "bedrock-runtime.{}.amazonaws.com"
VERTEX = "{}-aiplatform.googleapis.com"
DEEPSEEK = "api.deepseek.com"
AZURE = "shop-ai.openai.azure.com"
NO_PD = dict(feature="content", categories=())


def azure(region: str, deployment: str, contract: bool = True) -> list:
    extra = {"contracting_entity": ie("Microsoft Ireland Operations Ltd", parent_country="US")} if contract else {}
    return [v("azure-openai", resources=[{"name": "shop-ai", "region": region, "deployment": deployment}], **extra)]


SCENARIOS = [
    # -- unknown destinations and step 0 ---------------------------------------------------
    *cite("GDPR Art. 44; EDPB Guidelines 05/2021 (the three criteria of a transfer); legal.md s. 1.0", [
    S("unknown-host-with-data", call("llm.mystery.example"), NR, Basis.NONE,
      has=("chapter-v.unknown-destination", "nis2.unregistered-vendor")),
    S("unknown-host-without-data-is-not-allowed", call("llm.mystery.example", **NO_PD), NR, Basis.NONE,
      has=("chapter-v.unknown-destination",)),
    S("no-personal-data-is-not-a-transfer", call(OPENAI, **NO_PD), A, Basis.NOT_A_TRANSFER,
      has=("chapter-v.not-a-transfer",), lacks=("chapter-v.no-basis",)),
    S("undetected-data-in-a-declared-activity-is-still-a-transfer", call(OPENAI, categories=()), UN, Basis.NONE,
      vendors=[us("openai")], has=("chapter-v.no-basis",)),
    S("sovereign-run-by-controller", call("llm.shop.internal"), A, Basis.NOT_A_TRANSFER,
      lacks=("nis2.unregistered-vendor",)),
    S("sovereign-run-by-eea-processor", call("llm.hoster.example"), A, Basis.EEA),
    S("sovereign-outside-eea-needs-a-basis", call("llm.us-hoster.example"), UN, Basis.NONE,
      has=("chapter-v.no-basis",)),
    S("unregistered-host-of-a-known-provider", call("proxy.example", provider="deepseek"), UN, Basis.NONE),
    ]),
    # -- EEA --------------------------------------------------------------------------------
    *cite("GDPR Art. 44; EEA Agreement Annex XI; provider region docs as of 2026-11 (rules/data/providers.yaml)", [
    S("aleph-alpha-germany", call("api.aleph-alpha.com"), A, Basis.EEA, has=("chapter-v.eea",)),
    S("mistral-eu-host", call("api.eu.mistral.ai"), A, Basis.EEA),
    S("openai-eu-host-with-irish-contract", call("eu.api.openai.com"), A, Basis.EEA,
      vendors=[v("openai", contracting_entity=ie("OpenAI Ireland Ltd"))]),
    S("openai-eu-host-with-us-importer", call("eu.api.openai.com"), UN, Basis.NONE, vendors=[us("openai")],
      has=("chapter-v.no-basis",)),
    S("bedrock-frankfurt-in-region", call(BEDROCK.format("eu-central-1"), model="anthropic.claude-3-haiku"),
      A, Basis.EEA, has=("chapter-v.foreign-parent",)),
    S("bedrock-paris-in-region", call(BEDROCK.format("eu-west-3"), model="mistral.large"), A, Basis.EEA),
    S("bedrock-fips-host", call("bedrock-runtime-fips.eu-west-1.amazonaws.com"), A, Basis.EEA),
    S("vertex-netherlands-with-irish-contract", call(VERTEX.format("europe-west4")), A, Basis.EEA,
      vendors=[v("google-vertex", contracting_entity=ie("Google Cloud EMEA Ltd"))]),
    S("vertex-netherlands-with-us-importer", call(VERTEX.format("europe-west4")), UN, Basis.NONE,
      vendors=[us("google-vertex")]),
    S("vertex-eu-rep-endpoint", call("aiplatform.eu.rep.googleapis.com"), A, Basis.EEA,
      vendors=[v("google-vertex", contracting_entity=ie("Google Cloud EMEA Ltd"))]),
    S("azure-datazone-eu", call(AZURE), A, Basis.EEA, vendors=azure("swedencentral", "datazone")),
    S("azure-standard-sweden", call(AZURE), A, Basis.EEA, vendors=azure("swedencentral", "standard")),
    S("azure-cognitiveservices-host", call("shop-ai.cognitiveservices.azure.com"), A, Basis.EEA,
      vendors=azure("francecentral", "provisioned")),
    ]),
    # -- Art. 45 adequacy, full scope --------------------------------------------------------
    *cite("GDPR Art. 45(1); Decisions 2000/518/EC (CH) and (EU) 2021/1772, renewed 2025-12-19 to 2031-12-27 (GB)", [
    S("bedrock-london-adequate", call(BEDROCK.format("eu-west-2")), A, Basis.ADEQUACY, has=("chapter-v.adequacy",)),
    S("bedrock-zurich-adequate", call(BEDROCK.format("eu-central-2")), A, Basis.ADEQUACY),
    S("bedrock-eu-profile-includes-gb-ch", call(BEDROCK.format("eu-central-1"), model="eu.anthropic.claude-3"),
      A, Basis.ADEQUACY),
    S("vertex-zurich-adequate", call(VERTEX.format("europe-west6")), A, Basis.ADEQUACY,
      vendors=[v("google-vertex", contracting_entity=ie("Google Cloud EMEA Ltd"))]),
    S("azure-uk-south", call(AZURE), A, Basis.ADEQUACY, vendors=azure("uksouth", "standard")),
    S("uk-adequacy-expired", call(BEDROCK.format("eu-west-2"), day=date(2032, 1, 10)), UN, Basis.NONE,
      has=("chapter-v.adequacy-expired", "chapter-v.no-basis")),
    S("uk-adequacy-last-day", call(BEDROCK.format("eu-west-2"), day=date(2031, 12, 27)), A, Basis.ADEQUACY),
    ]),
    # -- Art. 45 adequacy limited to recipients under a regime --------------------------------
    *cite("GDPR Art. 45; Decisions 2002/2/EC (CA, PIPEDA), (EU) 2019/419 (JP, APPI), (EU) 2022/254 (KR, PIPA), (EU) 2026/179 (BR, LGPD)", [
    S("bedrock-canada-unattested", call(BEDROCK.format("ca-central-1")), NR, Basis.NONE,
      has=("chapter-v.adequacy-scope-unverified",)),
    S("bedrock-canada-attested-pipeda", call(BEDROCK.format("ca-central-1")), A, Basis.ADEQUACY,
      vendors=[v("aws-bedrock", adequacy_attestations=["pipeda"])]),
    S("cohere-canadian-entity-global-processing", call("api.cohere.com"), NR, Basis.NONE,
      has=("chapter-v.location-unknown",), lacks=("chapter-v.adequacy-scope-unverified",)),
    S("cohere-with-scc", call("api.cohere.ai"), AS, Basis.SCC, vendors=[v("cohere", scc=SCC2, tia=TIA_OK)]),
    S("bedrock-tokyo-unattested", call(BEDROCK.format("ap-northeast-1")), NR, Basis.NONE,
      has=("chapter-v.adequacy-scope-unverified",)),
    S("bedrock-tokyo-attested-appi", call(BEDROCK.format("ap-northeast-1")), A, Basis.ADEQUACY,
      vendors=[v("aws-bedrock", adequacy_attestations=["appi"])]),
    S("bedrock-seoul-attested-pipa", call(BEDROCK.format("ap-northeast-2")), A, Basis.ADEQUACY,
      vendors=[v("aws-bedrock", adequacy_attestations=["pipa"])]),
    S("korea-excluded-sector", call(BEDROCK.format("ap-northeast-2")), NR, Basis.NONE,
      vendors=[v("aws-bedrock", adequacy_attestations=["pipa"],
                 contracting_entity={"name": "Credit Bureau Co", "country": "KR", "sector": "fsc_credit_information",
                                     "regimes": ["pipa"]})],
      has=("chapter-v.adequacy-scope-unverified",)),
    S("bedrock-sao-paulo-attested-lgpd", call(BEDROCK.format("sa-east-1")), A, Basis.ADEQUACY,
      vendors=[v("aws-bedrock", adequacy_attestations=["lgpd"])]),
    S("brazil-before-its-decision", call(BEDROCK.format("sa-east-1"), day=date(2025, 6, 1)), UN, Basis.NONE,
      vendors=[v("aws-bedrock", adequacy_attestations=["lgpd"])], has=("chapter-v.adequacy-not-yet",)),
    S("bedrock-apac-profile-reaches-non-adequate", call(BEDROCK.format("ap-northeast-1"), model="apac.claude"),
      UN, Basis.NONE, vendors=[v("aws-bedrock", adequacy_attestations=["appi", "pipa"])]),
    ]),
    # -- Art. 45 for the US: the Data Privacy Framework ---------------------------------------
    *cite("Commission Implementing Decision (EU) 2023/1795 (EU-U.S. DPF), Annex I s. I.3 (active listing, HR/non-HR)", [
    S("openai-dpf-certified", call(OPENAI), A, Basis.DPF, vendors=[v("openai", dpf=DPF_OK)], has=("chapter-v.dpf",)),
    S("openai-us-host-dpf", call("us.api.openai.com"), A, Basis.DPF, vendors=[v("openai", dpf=DPF_OK)]),
    S("dpf-stale-verification", call(OPENAI), NR, Basis.NONE, vendors=[v("openai", dpf=DPF_STALE)],
      has=("chapter-v.dpf-not-verified",)),
    S("dpf-not-certified", call(OPENAI), UN, Basis.NONE, vendors=[us("openai", dpf=DPF_NO)],
      has=("chapter-v.dpf-not-verified", "chapter-v.no-basis")),
    S("dpf-hr-only-for-customer-data", call(OPENAI), UN, Basis.NONE, vendors=[us("openai", dpf=DPF_HR)]),
    S("dpf-non-hr-for-employee-data", call(OPENAI, feature="hr_assistant", categories=("user.name",)), UN,
      Basis.NONE, vendors=[us("openai", dpf=DPF_OK)]),
    S("dpf-hr-for-employee-data", call(OPENAI, feature="hr_assistant", categories=("user.name",)), A, Basis.DPF,
      vendors=[v("openai", dpf=DPF_HR)]),
    S("us-without-any-record", call(OPENAI), NR, Basis.NONE,
      has=("chapter-v.recipient-assumed", "nis2.unregistered-vendor"), lacks=("chapter-v.no-basis",),
      enforcement=Enforcement.ALERT),
    S("us-recipient-confirmed-without-any-instrument", call(OPENAI), UN, Basis.NONE, vendors=[us("openai")],
      has=("chapter-v.no-basis",), enforcement=Enforcement.REDIRECT),
    S("anthropic-us-geo-with-dpf", call(ANTHROPIC, geo="us"), A, Basis.DPF, vendors=[v("anthropic", dpf=DPF_OK)]),
    S("anthropic-default-geo-is-global", call(ANTHROPIC), NR, Basis.NONE, vendors=[v("anthropic", dpf=DPF_OK)],
      has=("chapter-v.location-unknown",)),
    S("anthropic-global-geo-with-scc", call(ANTHROPIC, geo="global"), AS, Basis.SCC,
      vendors=[v("anthropic", scc=SCC2, tia=TIA_SUPP)], has=("chapter-v.scc",)),
    S("anthropic-unknown-geo-value", call(ANTHROPIC, geo="mars"), UN, Basis.NONE, vendors=[us("anthropic")]),
    ]),
    # -- Art. 46/47 safeguards ---------------------------------------------------------------
    *cite("GDPR Art. 46(2)(b)-(c) and 47; Decision (EU) 2021/914 (modules); EDPB Recommendations 01/2020", [
    S("deepseek-scc-and-tia", call(DEEPSEEK), AS, Basis.SCC, vendors=[v("deepseek", scc=SCC2, tia=TIA_OK)]),
    S("deepseek-scc-without-tia", call(DEEPSEEK), NR, Basis.NONE, vendors=[v("deepseek", scc=SCC2)],
      has=("chapter-v.tia-missing",), lacks=("chapter-v.no-basis",)),
    S("deepseek-tia-overdue", call(DEEPSEEK), NR, Basis.NONE, vendors=[v("deepseek", scc=SCC2, tia=TIA_OVERDUE)],
      has=("chapter-v.tia-missing",)),
    S("deepseek-negative-tia", call(DEEPSEEK), UN, Basis.NONE, vendors=[v("deepseek", scc=SCC2, tia=TIA_NEG)],
      has=("chapter-v.no-basis",)),
    S("scc-module-mismatch", call(DEEPSEEK), NR, Basis.NONE, vendors=[v("deepseek", scc=SCC1, tia=TIA_OK)],
      has=("chapter-v.scc-module-mismatch",)),
    S("scc-module-1-to-a-controller", call(DEEPSEEK), AS, Basis.SCC,
      vendors=[v("deepseek", role="controller", scc=SCC1, tia=TIA_OK)]),
    S("processor-to-processor-module-3", call(DEEPSEEK), AS, Basis.SCC,
      vendors=[v("deepseek", scc=SCC3, tia=TIA_OK)],
      policy={"controller": {"name": "SaaS Ltd", "contact": "x@y.example", "country": "IE", "role": "processor"}}),
    S("processor-with-module-2", call(DEEPSEEK), NR, Basis.NONE, vendors=[v("deepseek", scc=SCC2, tia=TIA_OK)],
      policy={"controller": {"name": "SaaS Ltd", "contact": "x@y.example", "country": "IE", "role": "processor"}},
      has=("chapter-v.scc-module-mismatch",)),
    S("deepseek-bcr-and-tia", call(DEEPSEEK), AS, Basis.BCR, vendors=[v("deepseek", bcr=BCR, tia=TIA_OK)],
      has=("chapter-v.bcr",)),
    S("deepseek-bcr-without-tia", call(DEEPSEEK), NR, Basis.NONE, vendors=[v("deepseek", bcr=BCR)],
      has=("chapter-v.tia-missing",)),
    S("safeguard-covers-unknown-location", call("api.mistral.ai"), AS, Basis.SCC,
      vendors=[v("mistral", scc=SCC2, tia=TIA_OK)]),
    ]),
    # -- Art. 49 derogations -----------------------------------------------------------------
    *cite("GDPR Art. 49(1) and 49(6); EDPB Guidelines 2/2018", [
    S("derogation-contract-necessity", call(DEEPSEEK, feature="checkout", categories=("user.contact.address",)), A,
      Basis.DEROGATION_49_1_B, has=("chapter-v.derogation",)),
    S("safeguard-comes-before-derogation", call(DEEPSEEK, feature="checkout", categories=("user.contact.address",)),
      AS, Basis.SCC, vendors=[v("deepseek", scc=SCC2, tia=TIA_OK)], lacks=("chapter-v.derogation",)),
    S("compelling-interest-undocumented", call(DEEPSEEK, feature="legal", categories=("user.name",)), UN, Basis.NONE,
      has=("chapter-v.compelling-undocumented", "chapter-v.no-basis")),
    S("compelling-interest-documented", call(DEEPSEEK, feature="legal_documented", categories=("user.name",)), A,
      Basis.DEROGATION_49_1_COMPELLING),
    ]),
    # -- processing location not determined --------------------------------------------------
    *cite("GDPR Art. 44; provider docs: global endpoints give no residency guarantee (legal.md s. 8)", [
    S("mistral-global-host", call("api.mistral.ai"), NR, Basis.NONE, has=("chapter-v.location-unknown",)),
    S("gemini-global-pool-us-importer", call("generativelanguage.googleapis.com"), UN, Basis.NONE,
      lacks=("chapter-v.location-unknown",)),
    S("vertex-global-endpoint", call("aiplatform.googleapis.com"), NR, Basis.NONE,
      vendors=[v("google-vertex", contracting_entity=ie("Google Cloud EMEA Ltd"))]),
    S("bedrock-global-profile", call(BEDROCK.format("eu-central-1"), model="global.anthropic.claude"), NR, Basis.NONE,
      has=("chapter-v.location-unknown",)),
    S("bedrock-unknown-region", call(BEDROCK.format("xx-east-9")), NR, Basis.NONE),
    S("azure-global-deployment", call(AZURE), NR, Basis.NONE, vendors=azure("swedencentral", "global")),
    S("azure-resource-not-configured", call("other-res.openai.azure.com"), NR, Basis.NONE,
      vendors=azure("swedencentral", "standard"), has=("chapter-v.location-unknown",)),
    S("openai-unknown-regional-prefix", call("zz.api.openai.com"), UN, Basis.NONE, vendors=[us("openai")]),
    S("host-with-port", call("api.aleph-alpha.com:443"), A, Basis.EEA),
    ]),
    # -- Art. 9 special categories -------------------------------------------------------------
    *cite("GDPR Art. 9(1)-(2); fideslang user.health_and_medical", [
    S("health-data-in-eea-without-exception", call("api.aleph-alpha.com", special=True,
                                                    categories=("user.health_and_medical",)),
      A, Basis.EEA, has=("gdpr.art9-no-exception",), severity=Severity.HIGH),
    S("health-data-with-recorded-exception", call("api.aleph-alpha.com", feature="health_chat", special=True,
                                                   categories=("user.health_and_medical",)),
      A, Basis.EEA, vendors=[v("aleph-alpha", dpa={"signed": "2025-01-01"})], lacks=("gdpr.art9-no-exception",),
      severity=Severity.INFO),
    S("health-data-without-basis-is-critical", call(DEEPSEEK, feature="health_chat", special=True,
                                                     categories=("user.health_and_medical",)),
      UN, Basis.NONE, severity=Severity.CRITICAL, enforcement=Enforcement.BLOCK),
    S("health-category-implies-special", call(DEEPSEEK, feature="health_chat",
                                               categories=("user.health_and_medical.diagnosis",)),
      UN, Basis.NONE, severity=Severity.CRITICAL),
    ]),
    # -- Article 30 record and NIS2 supply chain ------------------------------------------------
    *cite("GDPR Art. 30(1)(a)-(e); NIS2 Art. 21(2)(d) and 21(3)", [
    S("feature-outside-every-activity", call("api.aleph-alpha.com", feature="mystery_feature"), A, Basis.EEA,
      has=("art30.no-activity",)),
    S("undeclared-recipient", call("api.aleph-alpha.com"), A, Basis.EEA,
      policy={"activities": [{"id": "s", "name": "S", "purpose": "p", "legal_basis": "contract",
                              "data_subjects": ["customer"], "categories": ["user.contact.email"],
                              "retention": "1d", "recipients": ["mistral"]}]},
      has=("art30.undeclared-recipient",)),
    S("undeclared-transfer", call(DEEPSEEK), AS, Basis.SCC, vendors=[v("deepseek", scc=SCC2, tia=TIA_OK)],
      policy={"activities": [{"id": "s", "name": "S", "purpose": "p", "legal_basis": "contract",
                              "data_subjects": ["customer"], "categories": ["user.contact.email"],
                              "retention": "1d", "recipients": ["deepseek"]}]},
      has=("art30.undeclared-transfer",)),
    S("registered-vendor-no-supply-chain-finding", call("api.aleph-alpha.com"), A, Basis.EEA,
      vendors=[v("aleph-alpha", dpa={"signed": "2025-01-01"})], lacks=("nis2.unregistered-vendor",)),
    S("unregistered-vendor-supply-chain-finding", call("api.aleph-alpha.com"), A, Basis.EEA,
      has=("nis2.unregistered-vendor",), enforcement=Enforcement.FORWARD),
    ]),
]


@pytest.mark.parametrize("s", SCENARIOS, ids=[s.id for s in SCENARIOS])
def test_scenario(s: S) -> None:
    verdict = engine_for(make_policy(s.vendors, **s.policy)).evaluate(s.event)
    assert_verdict(verdict, s)
    if s.severity is not None:
        assert verdict.severity is s.severity
    if s.enforcement is not None:
        assert verdict.enforcement is s.enforcement
    for finding in verdict.findings:
        assert finding.articles and finding.explanation and finding.remediation
        assert "{" not in finding.explanation + finding.remediation, "unfilled placeholder"


def test_there_are_enough_scenarios() -> None:
    assert len(SCENARIOS) >= 60
    assert len({s.id for s in SCENARIOS}) == len(SCENARIOS)


def test_every_provider_is_exercised() -> None:
    from tests.rules.conftest import REGISTRY, engine_for as eng

    engine = eng(make_policy())
    seen = {engine.decide(s.event).provider for s in SCENARIOS}
    assert {p.id for p in REGISTRY.providers} <= seen


def test_every_builtin_finding_is_exercised() -> None:
    from tests.rules.conftest import CATALOGUE

    from tests.rules.test_judgments import CASES

    fired = set()
    for s in [*SCENARIOS, *CASES]:
        verdict = engine_for(make_policy(s.vendors, **s.policy)).evaluate(s.event)
        fired |= {f.rule_id for f in verdict.findings}
    assert set(CATALOGUE.by_id) <= fired, f"never fired: {set(CATALOGUE.by_id) - fired}"


def test_the_pure_function_form_gives_the_engines_verdict() -> None:
    from rules.engine import evaluate
    from tests.rules.conftest import REGISTRY

    policy = make_policy([v("deepseek", scc=SCC2, tia=TIA_OK)])
    event = call(DEEPSEEK)
    assert evaluate(event, REGISTRY, policy) == engine_for(policy).evaluate(event)
    assert evaluate(event, REGISTRY, policy) == evaluate(event, REGISTRY, policy)
    assert evaluate(event, REGISTRY, make_policy()).decision is Decision.UNAUTHORISED, "another policy, another answer"
