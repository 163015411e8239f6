"""Which policy governs which tenant, and the engine that applies it."""

from __future__ import annotations

from pathlib import Path

from douane.contract import AICallEvent
from rules.catalogue import load_catalogue
from rules.engine import Engine
from rules.jurisdictions import load_jurisdictions
from rules.policy import Policy, load_policy
from rules.registry import Registry, load_registry
from stream.derogations import DerogationUse
from stream.store.rows import Audited


class UnknownTenant(LookupError):
    """No policy governs the event's tenant."""


class PolicySet:
    """One engine per policy, looked up by tenant; ``default`` governs tenants no policy names."""

    def __init__(self, policies: list[Policy], registry: Registry | None = None, default: Policy | None = None) -> None:
        self.registry = registry or load_registry()
        self._given = (list(policies), self.registry, default)
        jurisdictions, catalogue = load_jurisdictions(), load_catalogue()
        if default is not None:
            default = next((p for p in policies if p == default), default)  # the same policy loaded twice
        self.policies = list(policies) + ([default] if default is not None and default not in policies else [])
        engines = {id(p): Engine(self.registry, p, jurisdictions, catalogue) for p in self.policies}
        self._by_tenant = {t: engines[id(p)] for p in policies for t in p.tenants}
        self._default = engines[id(default)] if default is not None else None
        self.derogation_use = DerogationUse()  # observed Art. 49 use, counted across batches

    def __reduce__(self):
        """Pickled as what it was built from (engines hold caches): a preparing process rebuilds it."""
        return PolicySet, self._given

    @classmethod
    def load(cls, paths: list[Path], default: Path | None = None) -> "PolicySet":
        """Policies from files (a folder means every ``*.policy.yaml`` in it)."""
        files = [f for p in paths for f in (sorted(Path(p).glob("*.policy.yaml")) if Path(p).is_dir() else [Path(p)])]
        return cls([load_policy(f) for f in files], default=load_policy(default) if default else None)

    def policy_for(self, tenant: str) -> Policy | None:
        """The policy governing ``tenant`` (the default one when no policy names it), or None."""
        engine = self._by_tenant.get(tenant, self._default)
        return engine.policy if engine is not None else None

    def engine_for(self, tenant: str) -> Engine:
        """The engine of the policy that governs ``tenant``."""
        engine = self._by_tenant.get(tenant, self._default)
        if engine is None:
            raise UnknownTenant(f"no policy governs tenant {tenant!r}; add it to a policy's 'tenants' "
                                "or run the worker with --default-policy")
        return engine

    def audit(self, event: AICallEvent) -> Audited:
        """Evaluate ``event`` under its tenant's policy (Art. 49 use counted when the decision rests on it)."""
        engine = self._by_tenant.get(event.tenant, self._default) or self.engine_for(event.tenant)
        verdict, decided = engine.audit(event)
        if decided.derogation_sought:
            verdict, decided = self.derogation_use.recount(engine, event, verdict, decided)
        return Audited(event, verdict, decided.activity_id, decided.provider, decided.locations,
                       decided.entity_country)

    def tenants(self) -> list[tuple[str, Policy]]:
        """(tenant, policy) for every tenant a policy names."""
        return [(t, p) for p in self.policies for t in p.tenants]
