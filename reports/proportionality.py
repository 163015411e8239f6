"""The DPIA's necessity and proportionality (CNIL PIA part 2, ICO step 4) and its action plan.

Each principle is assessed from the policy and the period's evidence; what neither can show (how
people are informed, how they exercise their rights, whether a model's output decides on its own)
is marked "to be completed" rather than guessed. Whatever needs an action becomes a line of the
action plan, owned by whom the policy's ``dpia.owners`` names for its area (else the DPO), due a month after the period.
"""

from __future__ import annotations

from datetime import date, timedelta

from reports.models import Action, DpiaActivity, FearedEvent, Principle, RecordRow
from rules.assessment import Assessment
from rules.policy import Policy

OK, TO_COMPLETE, ACTION = "ok", "to be completed", "action needed"
DUE_AFTER = timedelta(days=30)


def necessity(policy: Policy, activities: list[DpiaActivity], recipients: list[RecordRow],
              decision_support: int) -> list[Principle]:
    """The principles of Art. 5, 6, 9, 13-14, 15-22, 28 and Chapter V, each with its assessment."""
    undeclared = [f"{a.name}: {len(a.categories_undeclared)} undeclared" for a in activities if a.categories_undeclared]
    art9_missing = [a.name for a in activities if a.special_calls and not a.special_category_basis]
    no_contract = sorted({r.recipient for r in recipients if r.dpa == "none on file" and r.recipient != "none"})
    no_tool = sorted({f"{r.recipient} ({', '.join(r.third_countries)})" for r in recipients if not r.tools_hold})
    return [
        Principle(area="purposes", name="Purposes specified, explicit and legitimate", article="Art. 5(1)(b)",
                  state=OK,
                  assessment=f"{len(policy.activities)} activities, each with its recorded purpose"),
        Principle(area="lawful_basis", name="Lawful basis and special-category condition", article="Arts. 6, 9(2)",
                  state=ACTION if art9_missing else OK,
                  assessment=f"Art. 9 data without an Art. 9(2) condition in: {', '.join(art9_missing)}" if art9_missing
                  else "each activity has its Art. 6 basis; Art. 9 data only where a condition is recorded"),
        Principle(area="minimisation", name="Data minimisation", article="Art. 5(1)(c)",
                  state=ACTION if undeclared else OK,
                  assessment="categories sent beyond those declared — " + "; ".join(undeclared) if undeclared
                  else "no category beyond those declared was observed"),
        Principle(area="storage", name="Storage limitation", article="Art. 5(1)(e)", state=OK,
                  assessment="retention recorded for every activity (see the description)"),
        Principle(area="information", name="Information of data subjects", article="Arts. 13, 14",
                  state=TO_COMPLETE,
                  assessment="not shown by traffic: attach the privacy notice's section on AI features"),
        Principle(area="rights", name="Rights of data subjects", article="Arts. 15-21", state=TO_COMPLETE,
                  assessment="not shown by traffic: describe how access, erasure and objection reach the "
                             "providers' logs"),
        Principle(area="automated_decisions", name="Automated decisions", article="Art. 22",
                  state=TO_COMPLETE,
                  assessment=f"{decision_support:,} checkout and pricing calls with personal data; confirm with the "
                             "process owner that no decision with legal or similar effect rests on model output alone"),
        Principle(area="processor_contracts", name="Processor contracts", article="Art. 28",
                  state=ACTION if no_contract else OK,
                  assessment=f"no contract on file for: {', '.join(no_contract)}" if no_contract
                  else "a processing agreement is on file for every recipient"),
        Principle(area="transfers", name="Transfers outside the EEA", article="Arts. 44-49",
                  state=ACTION if no_tool else OK,
                  assessment=f"no transfer tool holds for: {'; '.join(no_tool)}" if no_tool
                  else "every third-country recipient has a tool that holds (see the recipients table)"),
    ]


def action_plan(principles: list[Principle], events: list[FearedEvent], owners: Assessment, fallback: str,
                end: date) -> list[Action]:
    """One action per principle that needs one and per feared event whose residual risk stays high, each owned by
    whom the policy's ``dpia.owners`` names for its area (else ``fallback``)."""
    due = end + DUE_AFTER

    def action(area: str, what: str, why: str) -> Action:
        return Action(what=what, why=why, owner=owners.owner_of(area, fallback), due=due)

    actions = [action(p.area, f"{p.name} ({p.article})", p.assessment) for p in principles if p.state == ACTION]
    actions += [action(e.area, f"Lower the risk: {e.name.lower()}", f"residual risk {e.residual_level} after the "
                       f"measures ({e.residual_severity} × {e.residual_likelihood})")
                for e in events if e.residual_level in ("high", "very high")]
    actions += [action(p.area, f"{p.name} ({p.article}): complete the assessment", p.assessment)
                for p in principles if p.state == TO_COMPLETE]
    return actions
