"""The decision engine: one AI call in, one ``Verdict`` out.

``evaluate(event, registry, policy)`` is a pure function of its inputs: the day of the
call (not the wall clock) decides which instruments are current, so replaying an event
gives the same verdict under the same rules. Work that depends only on the route and
the data categories is memoised, which keeps the per-event cost in microseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache

from douane.contract import (VERDICT_SCHEMA, AICallEvent, Decision, Enforcement, Finding, ScanState, Severity,
                             Verdict)
from rules import chapter_v, checks, taxonomy
from rules.case import Case
from rules.catalogue import Catalogue, load_catalogue
from rules.jurisdictions import Jurisdictions, load_jurisdictions
from rules.policy import Policy
from rules.registry import Registry
from rules.resolve import Resolver
from rules.wording import Wording

_CACHE_LIMIT = 65_536
_COMPLETE = ScanState.COMPLETE


@dataclass(frozen=True, eq=False)
class Decided:
    """The memoised part of a verdict: everything but the event's identity and time.

    Hashed by identity: one memo entry is one object.
    """

    decision: Decision
    basis: object
    articles: tuple[str, ...]
    severity: Severity
    enforcement: Enforcement
    findings: tuple[Finding, ...]
    trace: tuple[str, ...]
    provider: str | None
    locations: frozenset[str]
    entity_country: str | None
    categories: frozenset[str]
    special: bool
    platform: str
    feature: str
    host: str
    destinations: tuple[str, ...]  # processing locations and the importer's seat, sorted
    derogation_sought: bool = False  # it reached Art. 49 with derogations relied on: the stream counts it
    activity_id: str | None = None  # the policy activity of the platform and feature, if one covers them
    verdict_parts: dict = field(default_factory=dict)  # the verdict's fields that do not depend on the event


class Engine:
    """Chapter V and NIS2 checks for one registry and one policy, plus the policy's custom rules."""

    def __init__(self, registry: Registry, policy: Policy, jurisdictions: Jurisdictions | None = None,
                 catalogue: Catalogue | None = None, custom=None) -> None:
        self.registry = registry
        self.policy = policy
        self.jurisdictions = jurisdictions or load_jurisdictions()
        self.catalogue = catalogue or load_catalogue()
        self.resolver = Resolver(registry, policy, self.jurisdictions.eea_codes)
        self.custom = custom if custom is not None else _load_custom(policy)
        self.version = f"j{self.jurisdictions.version}+r{registry.version}+p{policy.version}"
        self._decided: dict[tuple, Decided] = {}  # the built-in procedure's outcome per route, data and day
        self._judged: dict[tuple, tuple[Decided, dict]] = {}  # whole verdicts' parts, custom findings included
        self._reads = self.custom.reads if self.custom is not None else None
        self.words = Wording(self.jurisdictions, registry) if self.custom is not None else None  # names in rule lines
        self._activities: dict[tuple[str, str], object] = {}
        self.occasional_limit = policy.readings.occasional_use.max_calls

    def evaluate(self, event: AICallEvent, at: datetime | None = None, observed_calls: int | None = None) -> Verdict:
        """The verdict for ``event``; ``decided_at`` is the call's time unless ``at`` is given.

        ``observed_calls``: how many calls of this activity to this destination resting on Art. 49
        were observed within the policy's ``readings.occasional_use`` window, this one included
        (the stream counts them); None judges from the activity's declared frequency alone.
        """
        return self.audit(event, at, observed_calls)[0]

    def audit(self, event: AICallEvent, at: datetime | None = None,
              observed_calls: int | None = None) -> tuple[Verdict, Decided]:
        """The verdict, with the memoised decision behind it (provider, locations, activity...).

        One memo lookup per event: the key is the decision's key plus, with custom rules, the event
        fields they read (``RuleSet.reads``), so its entry holds every part of the verdict but the
        event's identity and time.
        """
        steady = observed_calls is not None and observed_calls > self.occasional_limit
        key = route = _key(event, steady)
        if self._reads is not None:
            key = (route, self._reads(event))
        judged = self._judged.get(key)
        if judged is None:
            judged = self._judge(event, route, key, steady)
        values = judged[1].copy()
        values["event_id"] = event.event_id
        values["tenant"] = event.tenant
        values["decided_at"] = at or event.observed_at
        return _verdict(values), judged[0]

    def _judge(self, event: AICallEvent, route: tuple, key: tuple, steady: bool) -> tuple[Decided, dict]:
        """The decision and the verdict's parts for a key never seen (or forgotten), memoised."""
        decided = self._decision(event, route, steady)
        parts = decided.verdict_parts
        if self.custom is not None:
            extra = self.custom.findings(event, decided, self.words)
            if extra:
                findings = decided.findings + extra
                severity = max((f.severity for f in findings), key=lambda s: s.rank)
                parts = {**parts, "findings": findings, "articles": _articles(findings), "severity": severity,
                         "enforcement": self._enforce(decided.decision, severity, decided.special)}
        if len(self._judged) >= _CACHE_LIMIT:
            self._judged.clear()
        judged = self._judged[key] = (decided, parts)
        return judged

    def decide(self, event: AICallEvent, steady: bool = False) -> Decided:
        """The built-in procedure's outcome for this event's route, data and day (memoised).

        The memo key is read straight from the event, so a repeated route costs one dict
        lookup, not a resolution; only a new key resolves the destination. ``steady``: the
        stream observed more calls than the policy's occasional use allows.
        """
        return self._decision(event, _key(event, steady), steady)

    def forget(self) -> None:
        """Drop every memoised decision and verdict (the next event of each key is judged afresh)."""
        self._decided.clear()
        self._judged.clear()

    def _decision(self, event: AICallEvent, key: tuple, steady: bool) -> Decided:
        decided = self._decided.get(key)
        if decided is None:
            if len(self._decided) >= _CACHE_LIMIT:
                self._decided.clear()
            decided = self._decided[key] = self._decide(event, steady)
        return decided

    def _decide(self, event: AICallEvent, steady: bool) -> Decided:
        """Run the procedure for the event's route, data and day (what ``_key`` reads, nothing else)."""
        dest, data, app = event.destination, event.personal_data, event.app
        resolution = self.resolver.resolve_parts(dest.host, dest.model or "", _hints(dest), dest.provider)
        platform, feature, unobserved = app.platform, app.feature, data.scan is not _COMPLETE
        activity = self.activity(platform, feature)
        categories = _canonical(frozenset([c.category for c in data.categories]))
        if unobserved and activity is not None:
            categories |= frozenset(activity.categories)  # what detection did not see, the activity declares
        articles, unknown = _classified(categories)
        case = Case(resolution, activity, categories, data.special_category or "9" in articles,
                    event.observed_at.date(), self.policy, self.jurisdictions, self.catalogue, dest.host, platform,
                    feature, consented=event.consent_ref is not None, unobserved=unobserved,
                    criminal="10" in articles, unknown_keys=unknown, steady=steady)
        special = case.special
        ruling = chapter_v.decide(case)
        findings = _one_per_rule((*ruling.findings, *checks.art9(case), *checks.art10(case), *checks.taxonomy(case),
                                  *checks.art30(case), *checks.nis2_supply_chain(case)))
        severity = max((f.severity for f in findings), key=lambda s: s.rank, default=Severity.INFO)
        provider = resolution.provider.id if resolution.provider else None
        importer = ruling.importer or resolution.entity
        entity = importer.country if importer else None
        decided = Decided(ruling.decision, ruling.basis, _articles(findings), severity,
                          self._enforce(ruling.decision, severity, special), findings, tuple(ruling.trace),
                          provider, resolution.locations, entity, categories, special, platform, feature, dest.host,
                          tuple(sorted(resolution.locations | ({entity} if entity else set()))),
                          ruling.derogation_sought, activity.id if activity is not None else None)
        decided.verdict_parts.update({
            "schema_": VERDICT_SCHEMA, "decision": decided.decision, "basis": decided.basis,
            "articles": decided.articles, "severity": severity, "enforcement": decided.enforcement,
            "findings": decided.findings, "rules_version": self.version, "provider": provider,
            "destinations": decided.destinations,
        })
        return decided

    def activity(self, platform: str, feature: str):
        """The policy activity covering a platform and feature (memoised)."""
        key = (platform, feature)
        if key not in self._activities:
            self._activities[key] = self.policy.activity_for(platform, feature)
        return self._activities[key]

    def _enforce(self, decision: Decision, severity: Severity, special: bool) -> Enforcement:
        for rule in self.policy.enforcement:
            if rule.decision is not None and rule.decision is not decision:
                continue
            if rule.min_severity is not None and severity.rank < rule.min_severity.rank:
                continue
            if rule.special_category is not None and rule.special_category is not special:
                continue
            return rule.action
        return Enforcement.FORWARD


def _key(event: AICallEvent, steady: bool) -> tuple:
    """What the built-in procedure's outcome depends on, read straight from the event (``_decide`` reads these)."""
    dest, data, app = event.destination, event.personal_data, event.app
    return (dest.host, dest.model, _hints(dest) if dest.region_hints else (), dest.provider, app.platform,
            app.feature, tuple([c.category for c in data.categories]) if data.categories else (),
            data.special_category, event.observed_at.date(), data.scan is not _COMPLETE,
            event.consent_ref is not None, steady)


def _hints(dest) -> tuple[tuple[str, str], ...]:
    return tuple([(h.key, h.value) for h in dest.region_hints])


_VERDICT_FIELDS = set(Verdict.model_fields)  # shared: it holds every field, so no update can change it
_set = object.__setattr__


def _verdict(values: dict) -> Verdict:
    """A Verdict from parts that are already valid, without re-validating them.

    This is what ``model_construct`` does, minus its per-field default handling, which
    cost more than the rest of an evaluation. Every field is given; tests compare the
    result with a fully validated Verdict.
    """
    verdict = object.__new__(Verdict)
    _set(verdict, "__dict__", values)
    _set(verdict, "__pydantic_fields_set__", _VERDICT_FIELDS)
    _set(verdict, "__pydantic_extra__", None)
    _set(verdict, "__pydantic_private__", None)
    return verdict


@lru_cache(maxsize=4096)
def _canonical(detected: frozenset[str]) -> frozenset[str]:
    """The taxonomy's keys for the detected categories (a new decision often repeats a known mix)."""
    return frozenset(taxonomy.canonical(c) for c in detected)


@lru_cache(maxsize=4096)
def _classified(categories: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
    """The GDPR articles (9, 10) the categories fall under, and the keys outside the taxonomy."""
    return (frozenset(taxonomy.article_of(c) for c in categories),
            frozenset(c for c in categories if not taxonomy.known_category(c)))


def _one_per_rule(findings: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """Merge findings of the same rule (e.g. adequacy for GB and for CH) into one."""
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule_id, []).append(f)
    return tuple(group[0] if len(group) == 1 else _merged(group) for group in by_rule.values())


def _merged(group: list[Finding]) -> Finding:
    first = group[0]
    return Finding(
        rule_id=first.rule_id, title=first.title,
        articles=tuple(dict.fromkeys(a for f in group for a in f.articles)),
        severity=max((f.severity for f in group), key=lambda s: s.rank),
        explanation=" ".join(dict.fromkeys(f.explanation for f in group))[:4000],
        remediation=" ".join(dict.fromkeys(f.remediation for f in group))[:4000],
    )


def _articles(findings) -> tuple[str, ...]:
    return tuple(dict.fromkeys(a for f in findings for a in f.articles))


def _load_custom(policy: Policy):
    if not policy.custom_rules:
        return None
    from rules.custom import load_rulesets

    return load_rulesets(policy.custom_rules)


_ENGINES: dict[tuple[int, int], tuple[Registry, Policy, Engine]] = {}


def evaluate(event: AICallEvent, registry: Registry, policy: Policy) -> Verdict:
    """Pure function form: the verdict for ``event`` under ``registry`` and ``policy``."""
    key = (id(registry), id(policy))
    entry = _ENGINES.get(key)
    if entry is None or entry[0] is not registry or entry[1] is not policy:
        if len(_ENGINES) >= 8:
            _ENGINES.clear()
        entry = _ENGINES[key] = (registry, policy, Engine(registry, policy))
    return entry[2].evaluate(event)
