"""The organisation's policy: controller, processing activities, vendors and enforcement.

Modelled on fideslang: dotted data-category keys, enums for legal bases, and every
instrument on file with its date, so the engine can tell a current TIA from a stale one.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from douane.contract import Decision, Enforcement, Severity
from douane.contract.types import DataCategory
from rules.alerting import Alerting
from rules.assessment import Assessment
from rules.instruments import Bcr, Dpa, DpfCertification, Scc, Tia
from rules.registry import Entity
from rules.taxonomy import check_category, check_subject
from rules.types import CountryCode, Location, NonEmpty, Slug, Strict, require_unique
from rules.yamlio import load_model


class LegalBasis(StrEnum):
    """GDPR Art. 6(1)(a)-(f)."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTERESTS = "legitimate_interests"


class Art9Exception(StrEnum):
    """GDPR Art. 9(2)(a)-(j): the exceptions that allow special-category processing."""

    EXPLICIT_CONSENT = "explicit_consent"
    EMPLOYMENT = "employment"
    VITAL_INTERESTS = "vital_interests"
    NOT_FOR_PROFIT = "not_for_profit"
    MADE_PUBLIC = "made_public"
    LEGAL_CLAIMS = "legal_claims"
    SUBSTANTIAL_PUBLIC_INTEREST = "substantial_public_interest"
    HEALTH_CARE = "health_care"
    PUBLIC_HEALTH = "public_health"
    RESEARCH = "research"


class Derogation(StrEnum):
    """GDPR Art. 49(1): (a)-(g) and the second-subparagraph compelling legitimate interests."""

    A = "49_1_a"
    B = "49_1_b"
    C = "49_1_c"
    D = "49_1_d"
    E = "49_1_e"
    F = "49_1_f"
    G = "49_1_g"
    COMPELLING = "49_1_compelling"


Category = Annotated[DataCategory, AfterValidator(check_category)]
"""A data-category key of the fideslang taxonomy (or a documented alias)."""

Subject = Annotated[Slug, AfterValidator(check_subject)]
"""A data-subject key of the fideslang taxonomy (``customer``, ``patient``, ``employee``...)."""


class Contact(Strict):
    """A named party with contact details."""

    name: NonEmpty
    contact: NonEmpty
    address: str | None = None


class Controller(Contact):
    """Who the record belongs to (Art. 30(1)(a)), and in which role it processes."""

    country: CountryCode
    role: Literal["controller", "processor"] = "controller"
    dpo: Contact | None = None
    representative: Contact | None = None
    joint_controllers: tuple[Contact, ...] = ()
    controllers_served: tuple[Contact, ...] = ()  # Art. 30(2)(a), when acting as processor
    employees: int | None = Field(None, ge=0)
    public_authority: bool = Field(False, description="a public authority exercising its powers: no Art. 49(1)(a)-(c)")
    nis2_sector: Slug | None = Field(None, description="NIS2 Annex I/II sector or entity type (online_marketplace, "
                                                       "cloud_computing, food, ...); none: in no annexed sector")
    annual_turnover_eur: int | None = Field(None, ge=0, description="for the NIS2 size cap (Recommendation 2003/361)")
    balance_sheet_eur: int | None = Field(None, ge=0)


class ActivityMatch(Strict):
    """Which calls belong to an activity; an empty list matches everything."""

    platforms: tuple[Slug, ...] = ()
    features: tuple[Slug, ...] = ()


class CompellingInterest(Strict):
    """Art. 49(1) second subparagraph: the documentation it requires."""

    assessment: NonEmpty
    supervisory_authority_informed: date
    data_subjects_informed: bool
    limited_data_subjects: bool = False  # the transfer concerns only a limited number of data subjects


class Activity(Strict):
    """A processing activity of the Article 30 record."""

    id: Slug
    name: NonEmpty
    purpose: NonEmpty
    legal_basis: LegalBasis
    special_category_basis: Art9Exception | None = None
    data_subjects: tuple[Subject, ...]
    categories: tuple[Category, ...] = ()
    retention: NonEmpty
    recipients: tuple[Slug, ...] = ()  # provider ids declared as recipients
    transfers: tuple[Location, ...] = ()  # destination countries declared (Art. 30(1)(e))
    derogations: tuple[Derogation, ...] = ()
    compelling_interest: CompellingInterest | None = None
    derogation_grounds: dict[Derogation, NonEmpty] = Field(
        {}, description="what a derogation rests on: for 49_1_d the Union or Member State law recognising the "
                        "public interest (Art. 49(4)); for 49_1_g the public register and its consultation rules")
    transfer_frequency: Literal["occasional", "systematic"] = Field(
        "systematic", description="how often the activity's calls go abroad; AI features are a steady stream")
    criminal_data_basis: NonEmpty | None = None  # the Art. 10 authorisation (Union or Member State law)
    security_measures: str | None = None
    match: ActivityMatch = ActivityMatch()

    @property
    def hr_data(self) -> bool:
        """Employee data: the DPF certifies HR and non-HR data separately."""
        return any(s in ("employee", "job_applicant", "trainee") for s in self.data_subjects)


class CloudResource(Strict):
    """A cloud AI resource of the organisation (Azure): its region and deployment type."""

    name: Slug
    region: Slug
    deployment: Literal["standard", "provisioned", "datazone", "datazone_provisioned", "datazone_batch", "global",
                        "global_provisioned", "global_batch"] = "standard"


class Vendor(Strict):
    """An AI vendor in the organisation's register, with the instruments on file."""

    provider: Slug
    role: Literal["processor", "controller", "joint_controller"] = "processor"
    contracting_entity: Entity | None = None
    dpa: Dpa | None = None
    scc: Scc | None = None
    tia: Tia | None = None
    dpf: DpfCertification | None = None
    bcr: Bcr | None = None
    onward_transfers_verified: date | None = None  # Art. 28 check of the processor's own transfers
    adequacy_attestations: tuple[Slug, ...] = ()  # regimes the recipient is confirmed subject to
    resources: tuple[CloudResource, ...] = ()


class SovereignEndpoint(Strict):
    """A model the organisation runs itself, or has run in a known location."""

    host: NonEmpty
    location: Location
    operator: Literal["controller", "processor"] = "controller"


class OccasionalUse(Strict):
    """How many calls of one activity to one destination, within how many days, still count as occasional.

    The GDPR gives no number (recital 111 and EDPB Guidelines 2/2018 s. 2.2-2.3 only say "occasional":
    not in the regular course of action); the stream counts the calls that rest on Art. 49 and the
    engine treats more than ``max_calls`` in ``window_days`` as systematic use.
    """

    max_calls: int = Field(10, ge=0, description="more calls than this within the window are a steady stream")
    window_days: int = Field(30, ge=1, le=366, description="the window the stream counts calls in (event time)")


class Readings(Strict):
    """Where the law is contested, which reading the organisation applies (conservative by default)."""

    derogations_systematic: Literal["edpb", "text"] = Field(
        "edpb", description="edpb: Art. 49(1)(b), (c) and (e) only for occasional transfers (recital 111, "
                            "Guidelines 2/2018); text: the article's wording, which says occasional nowhere")
    occasional_use: OccasionalUse = OccasionalUse()


class EnforcementRule(Strict):
    """What to do with calls of a decision and severity; the first matching rule wins."""

    action: Enforcement
    decision: Decision | None = None
    min_severity: Severity | None = None
    special_category: bool | None = None


class FailMode(Strict):
    """What the gateway does when Douane itself fails: open forwards, closed blocks or redirects."""

    default: Literal["open", "closed"] = "open"
    special_category: Literal["open", "closed"] = "closed"


class AlertRouting(Strict):
    """Where alerts go: a Slack channel per severity, and when incidents roll into a digest."""

    min_severity: Severity = Severity.MEDIUM
    channels: dict[Severity, str] = {}
    default_channel: NonEmpty = "#douane-alerts"
    digest_after: int = Field(5, ge=1, description="new incidents per window before the rest go into a digest")
    digest_window_minutes: int = Field(10, ge=1)
    update_every_seconds: float = Field(10.0, ge=0, description="coalesce count updates of one message")

    def channel_for(self, severity: Severity) -> str:
        """The channel an incident of ``severity`` is posted to."""
        return self.channels.get(severity, self.default_channel)


class Nis2Thresholds(Strict):
    """When a provider's failures make a NIS2 incident: counts within a tumbling window."""

    window_minutes: int = Field(15, ge=1)
    lockouts: int = Field(3, ge=1, description="403/451 region lockouts")
    errors: int = Field(20, ge=1, description="timeouts, 5xx and connection failures")
    failovers: int = Field(10, ge=1, description="calls failed over to the sovereign model")
    reminder_hours: float = Field(4.0, gt=0, description="remind this long before each Art. 23 deadline")


DEFAULT_ENFORCEMENT = (
    EnforcementRule(decision=Decision.UNAUTHORISED, min_severity=Severity.CRITICAL, action=Enforcement.BLOCK),
    EnforcementRule(decision=Decision.UNAUTHORISED, action=Enforcement.REDIRECT),
    EnforcementRule(decision=Decision.NEEDS_REVIEW, action=Enforcement.ALERT),
    EnforcementRule(action=Enforcement.FORWARD),
)


class EvidenceRetention(Strict):
    """How long Douane's evidence store keeps a tenant's calls (``douane store prune --from-policy``).

    A call is kept for the longest period among its categories (a category not listed takes ``days``);
    a call without personal data for ``days``.
    """

    days: int = Field(gt=0, description="days a call is kept; also for categories not listed")
    categories: dict[Category, Annotated[int, Field(gt=0)]] = Field({}, description="days per personal-data category")

    def days_for(self, categories: list[str] | tuple[str, ...]) -> int:
        """Days the evidence of a call with these categories is kept."""
        return max((self.categories.get(c, self.days) for c in categories), default=self.days)


class Policy(Strict):
    """One organisation's policy, as its DPO would write it down."""

    version: NonEmpty
    tenants: tuple[Slug, ...] = Field(description="tenant ids (shops) this policy governs")
    controller: Controller
    activities: tuple[Activity, ...]
    vendors: tuple[Vendor, ...] = ()
    sovereign_endpoints: tuple[SovereignEndpoint, ...] = ()
    enforcement: tuple[EnforcementRule, ...] = DEFAULT_ENFORCEMENT
    fail_mode: FailMode = FailMode()
    alerts: AlertRouting = AlertRouting()
    nis2: Nis2Thresholds = Nis2Thresholds()
    readings: Readings = Readings()
    alerting: Alerting = Alerting()  # incident life cycle and alert outputs (rules/alerting.py)
    fallback_answer: str = "This assistant is unavailable right now. Our team will get back to you."
    custom_rules: tuple[Path, ...] = ()
    evidence_retention: EvidenceRetention | None = None  # None: the store keeps calls until pruned by hand
    dpia: Assessment = Assessment()  # DPO advice, data subjects' views, action-plan owners (rules/assessment.py)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Policy":
        require_unique("activity", [a.id for a in self.activities])
        require_unique("vendor", [v.provider for v in self.vendors])
        return self

    @cached_property
    def vendors_by_provider(self) -> dict[str, Vendor]:
        """Vendor record per provider id."""
        return {v.provider: v for v in self.vendors}

    @cached_property
    def sovereign_by_host(self) -> dict[str, SovereignEndpoint]:
        """Sovereign endpoint per lower-case host."""
        return {s.host.lower(): s for s in self.sovereign_endpoints}

    def activity_for(self, platform: str, feature: str) -> Activity | None:
        """The first activity whose match covers this platform and feature."""
        for activity in self.activities:
            m = activity.match
            if (not m.platforms or platform in m.platforms) and (not m.features or feature in m.features):
                return activity
        return None


def load_policy(path: Path | str) -> Policy:
    """Load a policy; custom rule paths are resolved against the policy's folder."""
    path = Path(path)
    policy = load_model(path, Policy)
    resolved = tuple(p if p.is_absolute() else path.parent / p for p in policy.custom_rules)
    return policy.model_copy(update={"custom_rules": resolved})
