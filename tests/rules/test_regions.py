"""Every region, profile and data zone of every provider resolves to countries (issue 15, class 2)."""

from __future__ import annotations

import pytest

from douane.contract import Destination
from rules.registry import RegionFrom
from rules.resolve import Resolver
from rules.types import ANYWHERE
from rules.wording import UNKNOWN_PLACES
from tests.rules.conftest import JURISDICTIONS, REGISTRY, make_policy

GLOBAL_KEYS = {"global"}  # the only keys that may say "anywhere"
RESOLVER = Resolver(REGISTRY, make_policy(), JURISDICTIONS.eea_codes)


def _region_routes():
    for provider in REGISTRY.providers:
        for entry in provider.hosts:
            if entry.region_from is RegionFrom.HOST:
                for region, locations in provider.regions.items():
                    yield pytest.param(entry.pattern.replace("{region}", region), "", (), locations, region,
                                       id=f"{provider.id}:{entry.pattern}:{region}")
            if entry.region_from is RegionFrom.BODY_FIELD:
                host = entry.pattern.replace("{region}", "us-east-1")
                for region, locations in provider.regions.items():
                    yield pytest.param(host, "", ((entry.field, region),), locations, region,
                                       id=f"{provider.id}:{entry.field}={region}")


def _profile_routes():
    for provider in REGISTRY.providers:
        host_entry = next((h for h in provider.hosts if h.region_from is RegionFrom.HOST), None)
        for prefix, locations in provider.model_profiles.items():
            host = host_entry.pattern.replace("{region}", next(iter(provider.regions)))
            yield pytest.param(host, f"{prefix}.anthropic.claude-sonnet-4", (), locations, prefix,
                               id=f"{provider.id}:profile:{prefix}")


@pytest.mark.parametrize(("host", "model", "hints", "expected", "key"), [*_region_routes(), *_profile_routes()])
def test_every_region_and_profile_resolves_to_its_countries(host, model, hints, expected, key) -> None:
    resolution = RESOLVER.resolve_parts(host, model, hints, None)
    assert resolution.locations == frozenset(expected), resolution.how
    assert resolution.locations, "a listed region must resolve"
    if key not in GLOBAL_KEYS:
        assert ANYWHERE not in resolution.locations, f"{key} must name countries, not 'anywhere'"


@pytest.mark.parametrize("region", sorted(REGISTRY.by_id["azure-openai"].regions))
def test_every_azure_region_resolves_for_a_standard_resource(region) -> None:
    policy = make_policy([{"provider": "azure-openai",
                           "resources": [{"name": "res", "region": region, "deployment": "standard"}]}])
    resolver = Resolver(REGISTRY, policy, JURISDICTIONS.eea_codes)
    resolution = resolver.resolve(Destination(host="res.openai.azure.com"))
    assert resolution.locations == frozenset(REGISTRY.by_id["azure-openai"].regions[region])


@pytest.mark.parametrize(
    ("host", "model", "expected"),
    [
        ("bedrock-runtime.me-central-1.amazonaws.com", "", {"AE"}),
        ("bedrock-runtime.ap-southeast-5.amazonaws.com", "", {"MY"}),
        ("bedrock-runtime.ap-southeast-7.amazonaws.com", "", {"TH"}),
        ("bedrock-runtime.ap-northeast-1.amazonaws.com", "jp.anthropic.claude-sonnet-4", {"JP"}),
        ("bedrock-runtime.ap-southeast-2.amazonaws.com", "au.anthropic.claude-sonnet-4", {"AU"}),
        ("bedrock-runtime.us-gov-west-1.amazonaws.com", "us-gov.anthropic.claude-3-haiku", {"US"}),
        ("bedrock-runtime.ca-central-1.amazonaws.com", "ca.anthropic.claude-sonnet-4", {"CA"}),
        ("me-central2-aiplatform.googleapis.com", "", {"SA"}),
        ("europe-west10-aiplatform.googleapis.com", "", {"DE"}),
        ("aiplatform.europe-west4.rep.googleapis.com", "", {"NL"}),
        ("africa-south1-aiplatform.googleapis.com", "", {"ZA"}),
    ],
)
def test_the_regions_the_issue_found_missing(host, model, expected) -> None:
    assert RESOLVER.resolve_parts(host, model, (), None).locations == frozenset(expected)


def test_the_apac_profile_names_every_apac_country_it_may_reach() -> None:
    apac = RESOLVER.resolve_parts("bedrock-runtime.ap-northeast-1.amazonaws.com", "apac.anthropic.claude", (), None)
    assert {"JP", "KR", "IN", "SG", "AU", "ID", "MY", "TH", "TW"} <= apac.locations


def test_every_provider_fact_names_a_source_with_a_url_and_a_date() -> None:
    for provider in REGISTRY.providers:
        facts = [provider, *provider.contracting, *provider.sub_processing]
        for fact in facts:
            assert "https://" in REGISTRY.sources[fact.source] or fact.source == "provider_docs", fact.source
            assert fact.checked.year >= 2026


@pytest.mark.parametrize(("host", "model", "hints", "expected", "key"), [*_region_routes(), *_profile_routes()])
def test_how_a_route_was_resolved_reads_as_plain_english(host, model, hints, expected, key) -> None:
    how = RESOLVER.resolve_parts(host, model, hints, None).how
    assert "in anywhere" not in how and "processing in anywhere" not in how and " *" not in how, how
    if ANYWHERE in expected:
        assert UNKNOWN_PLACES in how, how
