"""The check-in after an injection (at the end of ``run``, and by ``voiceguide checkin``).

It asks how the injection site is, says back what it heard for a "yes", records it, and, for
a concerning effect, tells the user to contact their clinician with the contact from the
profile. It never says what is causing anything.
"""

from __future__ import annotations

from voiceguide.app.asking import Conversation
from voiceguide.core.checkin_phrases import BY_NAME, labels, only_listed_phrases, parse_effects
from voiceguide.core.events import EventType, event
from voiceguide.core.intents import Moment
from voiceguide.core.profile import Profile
from voiceguide.recognition.matching import match

QUESTION = (
    'How is the injection site? Say "no problems", or say what you notice: "soreness", '
    '"redness", "small bruise", "swelling", "severe pain", "signs of infection" or '
    '"feeling unwell". You can name more than one, joined with "and".'
)
MAX_ROUNDS = 3
"""Times the question is asked again after "no, that is not right"."""


def contact(profile: Profile | None) -> str:
    """ "your clinician, <name> on <phone>", or "your clinician" without a profile contact."""
    found = profile.values().get("clinician") if profile else None
    return f"your clinician, {found}," if found else "your clinician"


def run_checkin(talk: Conversation, profile: Profile | None, about: str | None) -> tuple[str, ...] | None:
    """Ask, confirm and record the effects (names from checkin_phrases; an empty tuple for an
    answer recorded as said); None if no clear answer was confirmed (nothing is recorded then)."""
    talk.say("A short check-in about your injection.")
    for _ in range(MAX_ROUNDS):
        names = talk.ask(
            QUESTION,
            Moment.CHECKIN,
            lambda heard, _: _understand(heard.text, heard.source == "keyboard"),
            hint=QUESTION,
        )
        if names is None:
            break
        free = isinstance(names, str)
        heard = f'"{names}"' if free else labels(names)
        confirmed = talk.ask_yes_no(f"I heard: {heard}. Is that right?")
        if confirmed and free:
            return _record_as_said(talk, profile, about, names)
        if confirmed:
            return _record(talk, profile, about, names)
        if confirmed is None:
            break
    talk.say(
        f"The check-in was not recorded. If anything worries you, contact {contact(profile)} "
        "rather than waiting it out."
    )
    return None


def _understand(text: str, keys: bool) -> tuple[str, ...] | str | None:
    """Effect names for the listed phrases; otherwise a clear answer in the user's own words
    (at least two letters, not a command), to be recorded as said; None for nothing usable."""
    names = parse_effects(text)
    if names is not None:
        return names
    said = " ".join(text.split()).strip(" .")
    if (
        sum(c.isalpha() for c in said) < 2
        or only_listed_phrases(text)
        or match(text, Moment.ALL, keys=keys) is not None
    ):
        return None
    return said


def _record_as_said(
    talk: Conversation, profile: Profile | None, about: str | None, said: str
) -> tuple[str, ...]:
    talk.emit(event(EventType.CHECKIN, effects=[], concerning=[], about=about, said=said, for_clinician=True))
    talk.say(
        f"I've noted that for your clinician, in your words: {said}. I can't tell what is causing "
        f"it. If it is severe, or it worries you, contact {contact(profile)} now rather than "
        "waiting it out."
    )
    return ()


def _record(
    talk: Conversation, profile: Profile | None, about: str | None, names: tuple[str, ...]
) -> tuple[str, ...]:
    concerning = [name for name in names if BY_NAME[name].concerning]
    talk.emit(event(EventType.CHECKIN, effects=list(names), concerning=concerning, about=about))
    if concerning:
        talk.say(
            f"I have recorded {labels(names)}. {labels(concerning).capitalize()} "
            f"{'is' if len(concerning) == 1 else 'are'} something to tell your clinician about: "
            f"please contact {contact(profile)} now, rather than waiting it out. "
            "I can't tell what is causing it."
        )
    elif names == ("none",):
        talk.say("I have recorded no problems. If anything changes, you can run the check-in again.")
    else:
        talk.say(
            f"I have recorded {labels(names)}. Brief soreness, mild redness or a small bruise are "
            f"expected. If anything gets worse, contact {contact(profile)} rather than waiting it out."
        )
    return names
