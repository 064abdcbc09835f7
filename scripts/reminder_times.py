"""When silence gets a reminder on each step of a procedure: seconds after the step's prompt
ends until the first and the second "I'm still here" (the session's own rules, time passed in).

    python scripts/reminder_times.py b12-im --profile example
"""

from __future__ import annotations

import argparse

from voiceguide.app.adapters import prepare_with_profile
from voiceguide.core.rotation import with_site_choice
from voiceguide.core.session import Session
from voiceguide.core.session_types import SpeechEnded, Start, Tick


def reminder_times(session: Session, index: int) -> tuple[float | None, float | None]:
    state, _ = session.transition(session.start(), Start(0.0))
    state, _ = session.transition(state, SpeechEnded(0.0))
    times = []
    for _ in range(2):
        due = session.next_deadline(state)
        if due is None:
            return (times + [None, None])[0], (times + [None, None])[1]
        times.append(due)
        state, _ = session.transition(state, Tick(due))
        state, _ = session.transition(state, SpeechEnded(due))
    return times[0], times[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("procedure")
    parser.add_argument("--profile", default="example")
    args = parser.parse_args()
    procedure, profile = prepare_with_profile(args.procedure, args.profile, False)
    procedure = with_site_choice(procedure, profile, None)  # as a real session runs it
    print(f"{'step':<4} {'id':<22} {'1st s':>6} {'2nd s':>6}")
    for index, step in enumerate(procedure.steps):
        first, second = reminder_times(Session(procedure, first_step=index), index)
        show = [f"{t:6.0f}" if t is not None else "     -" for t in (first, second)]
        print(f"{index + 1:<4} {step.id:<22} {show[0]} {show[1]}")


if __name__ == "__main__":
    main()
