"""Site rotation: suggest the trained site after the one used last time, in the clinician's
rotation order from the profile, and ask about it just before the procedure's ``site: true``
step. Pure. Only the profile's sites are ever offered.
"""

from __future__ import annotations

from dataclasses import replace

from voiceguide.core.procedure import Check, Procedure, SiteChoice, Step
from voiceguide.core.profile import Profile

STEP_ID = "todays-site"


def rotation_order(sites: tuple[str, ...], last: str | None) -> tuple[str, ...]:
    """``sites`` in the order to offer them: the one after ``last`` first (the first site when
    ``last`` is unknown or not a trained site)."""
    if not sites:
        return ()
    start = (sites.index(last) + 1) % len(sites) if last in sites else 0
    return sites[start:] + sites[:start]


def session_step_count(procedure: Procedure) -> int:
    """How many steps a session of ``procedure`` has: its own, and the "Today's site" step
    that ``with_site_choice`` adds before a ``site: true`` step (a step with ``site: true``
    names the profile's ``{sites}``, so a real session always has it)."""
    added = not procedure.rehearsal and any(step.site for step in procedure.steps)
    return len(procedure.steps) + added


def with_site_choice(procedure: Procedure, profile: Profile | None, last_site: str | None) -> Procedure:
    """``procedure`` with a "Today's site" step before its ``site: true`` step; unchanged for
    a rehearsal, without profile sites, or without such a step."""
    if procedure.rehearsal or profile is None or not profile.sites:
        return procedure
    where = next((index for index, step in enumerate(procedure.steps) if step.site), None)
    if where is None:
        return procedure
    order = rotation_order(profile.sites, last_site)
    if last_site in profile.sites:
        lead = f"Last time you used {last_site}. Next in your clinician's rotation is {order[0]}."
    elif last_site:
        lead = (
            f"The site on record from last time, {last_site}, is not in your profile. "
            f"The first site in your clinician's rotation is {order[0]}."
        )
    else:
        lead = (
            f"There is no site on record from an earlier session. The first site in your "
            f"clinician's rotation is {order[0]}."
        )
    contact = profile.values().get("clinician")
    ask = (
        f"ask your clinician, {contact}, which site to use"
        if contact
        else "ask your clinician which site to use"
    )
    if_none = (
        "Then do not guess, and do not inject today. Use only a site your clinician trained "
        f"you on and planned for today: {ask}."
    )
    choice = SiteChoice(order, if_none)
    step = Step(
        id=STEP_ID,
        title="Today's site",
        say=lead,
        check=Check(question=choice.question(0), if_no=if_none),
        site_choice=choice,
    )
    steps = procedure.steps[:where] + (step,) + procedure.steps[where:]
    return replace(procedure, steps=steps)
