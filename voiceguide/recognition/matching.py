"""Turn a transcript into an intent, or into nothing.

The whole normalised utterance must equal one phrase allowed at this moment (or a way Whisper
writes one, ``intents.HEARD_AS``): "I'm not done yet" is not "done". Pure, no I/O.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Sequence

from voiceguide.core.intents import (
    ALLOWED,
    HEARD_AS,
    PHRASES,
    Intent,
    Moment,
    key_intent,
    normalise,
    phrases_for,
)


def match(text: str, moment: Moment, *, keys: bool = False) -> Intent | None:
    """The intent ``text`` asks for at ``moment``, or None when it is not exactly one allowed
    phrase. ``keys`` also honours single keys (n, r, b, s, y, h, ...) typed on a keyboard."""
    said = normalise(text)
    intent = _intent_of(said, moment, keys) if said else None
    return intent if intent in ALLOWED[moment] else None


def known_elsewhere(text: str, *, keys: bool = False) -> Intent | None:
    """The intent ``text`` would be at some moment (to say "not now" rather than "pardon")."""
    return _intent_of(normalise(text), Moment.ALL, keys)


def _intent_of(said: str, moment: Moment, keys: bool) -> Intent | None:
    """The intent of normalised ``said`` among ``moment``'s phrases, the ``HEARD_AS`` forms and,
    with ``keys``, the keyboard's words; not yet checked against ``ALLOWED``."""
    intent = phrases_for(moment).get(said) or HEARD_AS.get(said)
    return key_intent(said, moment) if intent is None and keys else intent


ADVANCING = frozenset((Intent.NEXT, Intent.YES, Intent.SKIP, Intent.RESUME))
"""Intents that move the session on (or confirm a check): a mistake here can skip a safety step."""
DOUBLE_CHECKED = frozenset((Intent.NEXT, Intent.YES))
"""The dangerous intents (past a step, through a check): an unprompted reading must agree too. Not
skip and resume: their unprompted reading in noise is often garbage, and they have no sound-alikes."""
UNPROMPTED_PHRASES = frozenset(("yes", "done", "continue"))
"""The phrases of next and yes whose unprompted reading must agree: those the phrase prompt
pulls sound-alikes towards ("guess" -> "Yes."). Not "confirm" or "next step": their unprompted
reading is often garbage ("Can form."), which only refused right answers (tune clean 88.6 -> 92.9 %)."""
SECOND_OPINION_MARGIN = 0.5
"""Nats of average log-probability: an engine reading this close to the best one is a real possibility."""
SPELLING_RIVAL_PHRASES = frozenset(("resume", "skip step"))
"""Advance phrases whose close rival may be a near-spelling of the phrase itself without counting
as a disagreement ("Resume." over "Refume.", "Skip step." over "Skip."): neither has a one-syllable
sound-alike or passes a check. Tune 3 and test 4 commands more right, none wrong, no negative."""
SPELLING_RIVAL_RATIO = 0.6
"""...letter similarity (``difflib.SequenceMatcher.ratio``) at least this."""


def second_opinion(
    intent: Intent,
    readings: Sequence[tuple[str, float]],
    moment: Moment,
    margin: float | None = None,
    unprompted: str | None = None,
) -> bool:
    """True when ``intent`` (taken from ``readings[0]``) may be acted on: it does not move the
    session on, or no other reading within ``margin`` of the best disagrees. A reading
    disagrees when it is another intent ("Stop." against "Next step.") or no command that
    does not even contain the best one ("Nest." against "Next.", but not "Done. Die." against
    "Done."). For next and yes, ``unprompted`` (the engine's reading without the phrase
    list as a prompt) must say exactly the same phrase, however it scored: "Yes, sir." is
    not "Yes." (see ``unprompted_agrees``)."""
    if intent not in ADVANCING or not readings:
        return True
    margin = SECOND_OPINION_MARGIN if margin is None else margin
    best_text, best = readings[0]
    said = normalise(best_text)
    if (
        unprompted is not None
        and intent in DOUBLE_CHECKED
        and said in UNPROMPTED_PHRASES
        and not unprompted_agrees(said, unprompted)
    ):
        return False
    rivals = [text for text, score in readings[1:] if best - score <= margin]
    for text in rivals:
        other = match(text, moment)
        if other is not None and other is not intent:
            return False
        if (
            other is None
            and f" {said} " not in f" {normalise(text)} "
            and not (said in SPELLING_RIVAL_PHRASES and spelled_alike(said, normalise(text)))
        ):
            return False
    return True


def letter_similarity(said: str, other: str) -> float:
    """How alike two normalised texts are spelled, 0..1 (difflib's ratio): "refume" against
    "resume" 0.83, "step" against "stop" 0.75."""
    return difflib.SequenceMatcher(None, said, other).ratio()


def spelled_alike(said: str, other: str) -> bool:
    """True when ``other`` is a near-spelling of the phrase ``said`` (SPELLING_RIVAL_RATIO)."""
    return letter_similarity(said, other) >= SPELLING_RIVAL_RATIO


def unprompted_agrees(said: str, unprompted: str) -> bool:
    """True when the unprompted reading is the normalised phrase ``said`` and nothing else.
    Not merely containing it: without the prompt, espeak's "yes sir" read "Yes, sir." while
    the prompted reading was "Yes." (tune split: 4 of the 13 sound-alikes taken as "yes" at a
    check, and no real or synthetic command lost)."""
    return normalise(unprompted) == said


WHOLE_CHECKED = frozenset((Intent.NEXT, Intent.YES))
"""Advances that, heard in the loud part of an utterance over a talking background
(``whisper.TALKING_TRIM_DB``), stand only when the whole utterance asks for them too
(``whole_agrees``). Test split, talking backgrounds: sound-alikes taken as an advance 10 -> 2."""
WHOLE_PHRASES = frozenset(phrase for intent in WHOLE_CHECKED for phrase in PHRASES[intent])
"""Their phrases: the engine reads the whole utterance too when the close reading is one."""

WHOLE_CLAUSE = True
"""The whole reading may also hold the close reading's phrase as a clause of its own among the
TV's words ("Confirm. Go forward."), naming no other command; not for "yes" (WHOLE_CLAUSE_NOT).
Tune 7 and test 8 commands more right, no negative but the homophone "dunn" as "Done."."""
WHOLE_CLAUSE_NOT = frozenset(("yes",))
"""...the phrase whose sound-alikes' whole reading was "Yes." and the TV's words ("guess" as
"Yes. To be older." at a check, tune split)."""


def whole_agrees(intent: Intent, whole: str | None, moment: Moment, said: str = "") -> bool:
    """True unless ``intent`` is one of WHOLE_CHECKED and ``whole``, the reading of the whole
    utterance (None: not read), does not ask for it: neither as a whole nor, with
    WHOLE_CLAUSE, with ``said`` (the normalised phrase the close reading heard) as one of its
    clauses and no other command among them."""
    if intent not in WHOLE_CHECKED or whole is None or match(whole, moment) is intent:
        return True
    return (
        WHOLE_CLAUSE
        and said not in WHOLE_CLAUSE_NOT
        and said in clauses(whole)
        and named_commands([whole], moment) <= {intent}
    )


def passes_agree(intent: Intent, first: str | None, moment: Moment) -> bool:
    """True unless a first, unsure reading of the same audio ("All done.") asked for another
    intent than the final one ("Hold on."): two readings of one sound that mean different
    commands are not a clear command. Stop is exempt: it always works. Tune split: 4 of 5
    wrong intents refused, one right answer lost."""
    if first is None or intent is Intent.STOP:
        return True
    other = match(first, moment)
    return other is None or other is intent


PASSES_ALIKE = True
"""Refuse an unsure final reading that the first pass wrote as something else entirely
(``passes_alike``; ``--set matching.PASSES_ALIKE=false`` measures without)."""
UNSURE_LOGPROB = -0.7
"""Nats of average log-probability: a final reading below this is unsure enough that the first
pass's reading of the same audio must look like it (``passes_alike``)..."""
ALIKE_SIMILARITY = 0.4
"""...letter similarity (``letter_similarity``) of the first reading, or of one of its clauses,
to the final one at least this. Tune split: refuses 12 right answers, 6 wrong intents and 9
negatives, the best of a grid (-0.65 to -0.85 nats, 0.25 to 0.45), a wrong intent counted twice."""


def passes_alike(intent: Intent, final: tuple[str, float], first: str | None) -> bool:
    """True unless the final reading ``final`` (text, average log-probability), decoded again
    because the first, cheaper reading of the same audio (``first``) was not sure, is itself
    unsure (UNSURE_LOGPROB) and looks nothing like that first reading (ALIKE_SIMILARITY): the
    two passes heard different things, and the answer is a guess ("Quit." -0.74 after "Red
    room." for "resume"; "Pause." -0.83 after "I'm gonna go." for "faster"). Stop is exempt:
    it always works."""
    text, score = final
    if not PASSES_ALIKE or first is None or intent is Intent.STOP or score >= UNSURE_LOGPROB:
        return True
    said = normalise(text)
    return (
        max(letter_similarity(part, said) for part in (normalise(first), *clauses(first))) >= ALIKE_SIMILARITY
    )


_CLAUSE_END = re.compile(r"[.!?,;:]+")


def clauses(text: str) -> list[str]:
    """The normalised sentences and clauses of ``text`` ("Next step. A less to be rather." ->
    ["next step", "a less to be rather"])."""
    return [said for part in _CLAUSE_END.split(text) if (said := normalise(part))]


def gated_reading_worth(ungated: Sequence[str], allowed: Collection[str]) -> bool:
    """True when the readings of the untouched audio hold an allowed phrase (normalised) as a
    clause but the best of them is not a phrase alone: only then can a gated reading agree
    with them and add a command (see ``gated_agrees``)."""
    if ungated and normalise(ungated[0]) in allowed:
        return False
    return any(part in allowed for text in ungated for part in clauses(text))


def gated_agrees(gated: str, ungated: Sequence[str], moment: Moment) -> bool:
    """True when ``gated``, the reading of the audio with the background turned down, is
    exactly one allowed phrase that the readings of the untouched audio (``ungated``: its
    beam and its short window's) also heard as a whole sentence or clause among the
    background's words ("Next step. A less to be rather."), and none of them, nor a clause of
    one, is another command (``asks_only_for``). Two readings that disagree are no command, a
    stop included: the untouched reading already takes a clear "stop" (sparing stop let a real
    "left" through as "Stop.")."""
    intent = match(gated, moment)
    if intent is None:
        return False
    heard = {part for text in ungated for part in clauses(text)}
    return normalise(gated) in heard and asks_only_for(intent, ungated, moment)


def named_commands(texts: Sequence[str], moment: Moment) -> set[Intent]:
    """The commands ``texts`` ask for at ``moment``, each text whole and each of its clauses
    (a whole text counts too: "Skip. Step." is "skip step")."""
    named = {match(part, moment) for text in texts for part in (text, *clauses(text))}
    named.discard(None)
    return named


def asks_only_for(intent: Intent, texts: Sequence[str], moment: Moment) -> bool:
    """True when no text, and no clause of one, asks for another command than ``intent`` at
    ``moment`` (``named_commands``)."""
    return named_commands(texts, moment) <= {intent}


HARMLESS = frozenset((Intent.REPEAT, Intent.PAUSE, Intent.HELP, Intent.WHERE))
"""Intents a near tie may decide (``near_tie``): each only speaks or holds, so a mistake costs a
turn. Not an advance, "no", "end session", "go back" (the first safety rule, act on nothing unclear,
allows no step change on a doubt: docs/safety.md), "stop" or a voice setting (it stays until undone)."""
NEAR_TIE = True
"""Let a near tie decide a harmless command (``near_tie``; ``--set matching.NEAR_TIE=false``
measures without)."""
NEAR_TIE_MARGIN = 0.05
"""Nats: a reading of a HARMLESS phrase at most this far below a best reading that is no command
is a tie the phrase wins (``near_tie``; "Say that again." -0.39 under "Say that again. No more
risk." -0.42). The largest margin with no wrong intent on the tune split: 8 commands more right."""
NEAR_TIE_FLOOR = -1.0
"""...when that reading is itself sure enough to act on (nats; ``readings.MIN_AVG_LOGPROB``)."""


def near_tie(
    readings: Sequence[tuple[str, float]], texts: Sequence[str], moment: Moment
) -> tuple[str, float] | None:
    """The reading (text, score) to take instead of the best one, or None. When the best
    reading (``readings[0]``) is no command but another reading within NEAR_TIE_MARGIN of it
    is exactly one phrase of a HARMLESS intent ("Three days." -0.93 and "Repeat." -0.85),
    Whisper has all but heard that phrase. It is taken only when that is the one command among
    those close readings and no text of the utterance (``texts``: every reading and the first
    pass's, and their clauses) asks for another. Never an advance."""
    if not NEAR_TIE or len(readings) < 2 or match(readings[0][0], moment) is not None:
        return None
    best = readings[0][1]
    close = [
        (reading, match(reading[0], moment))
        for reading in readings[1:]
        if best - reading[1] <= NEAR_TIE_MARGIN and reading[1] >= NEAR_TIE_FLOOR
    ]
    intents = {intent for _, intent in close if intent is not None}
    if len(intents) != 1 or (intent := intents.pop()) not in HARMLESS:
        return None
    if not asks_only_for(intent, texts, moment):
        return None
    return next(reading for reading, other in close if other is intent)


SPELLING_TIE = True
"""Take "resume" or "skip step" from a close reading when the best one is a near-spelling of
it (``spelling_tie``; ``--set matching.SPELLING_TIE=false`` measures without)."""


def spelling_tie(
    readings: Sequence[tuple[str, float]], texts: Sequence[str], moment: Moment
) -> tuple[str, float] | None:
    """The reading (text, score) to take instead of the best one, or None. When the best
    reading (``readings[0]``) is no command but one clause, of no more words than a phrase of
    SPELLING_RIVAL_PHRASES and spelled like it ("Refume.", "Reume.", "Skip." for "skip
    step"), and a reading within SECOND_OPINION_MARGIN of it, sure enough to act on
    (NEAR_TIE_FLOOR), is exactly that phrase ("Resume." -0.51 under "Refume." -0.44), that
    reading is taken, unless a text of the utterance (``texts``) asks for another command.
    The advance then still needs ``second_opinion``, judged against the phrase."""
    if not SPELLING_TIE or len(readings) < 2 or match(readings[0][0], moment) is not None:
        return None
    best_text, best = readings[0]
    said = normalise(best_text)
    if len(clauses(best_text)) != 1:
        return None
    for text, score in readings[1:]:
        phrase = normalise(text)
        intent = match(text, moment)
        if (
            intent is not None
            and phrase in SPELLING_RIVAL_PHRASES
            and best - score <= SECOND_OPINION_MARGIN
            and score >= NEAR_TIE_FLOOR
            and len(said.split()) <= len(phrase.split())
            and spelled_alike(phrase, said)
            and asks_only_for(intent, texts, moment)
        ):
            return text, score
    return None


CROSS_CHECK = True
"""Ask the larger model when the recognizer's own readings all but heard one command
(``cross_check_wanted``; ``--set matching.CROSS_CHECK=false`` measures without)."""
CROSS_CHECKED = frozenset(
    (Intent.REPEAT, Intent.BACK, Intent.HELP, Intent.WHERE, Intent.STOP, Intent.END)
    + (Intent.NEXT, Intent.SKIP, Intent.RESUME)
)
"""Intents the cross-check may settle: commands 59.6 -> 62.8 % (tune), 58.6 -> 62.1 % (test), each
added answer right, no negative taken. Not "yes", pause, the voice settings or "no": both models
share their sound-alikes ("yes sir" as "Yes." at a check, "on" as "Hold on.", "go" as "No.")."""

CROSS_CHECK_SEVERAL = True
"""Ask the larger model also when the readings name several commands, none of them stop; its
answer must be one of them (``--set matching.CROSS_CHECK_SEVERAL=false`` measures without). Tune
and test 10 commands more right each, none wrong, no negative; with stop, sound-alikes as "Stop."."""


def cross_check_wanted(texts: Sequence[str], moment: Moment) -> frozenset[Intent]:
    """The commands the larger model may confirm (empty: do not ask it). The recognizer took
    no intent, but its readings of the utterance (``texts``: every reading, the first pass's
    and the gated one's, and each of their clauses) ask for a command of CROSS_CHECKED
    ("Previous." fifth under "Pre-miss."; over a TV, "Stop." fifth under "All 9 3 4 0."), or
    for several, none of them stop (CROSS_CHECK_SEVERAL): the answer must be one of them, and
    a stop never becomes another command here."""
    if not CROSS_CHECK:
        return frozenset()
    asked = named_commands(texts, moment)
    if len(asked) > 1 and (not CROSS_CHECK_SEVERAL or Intent.STOP in asked):
        return frozenset()
    return frozenset(asked & CROSS_CHECKED)


BACKGROUND_CHECK = True
"""When the recognizer's readings named no command at all, ask the larger model anyway: over a
talking background, and without one too (QUIET_CHECK) (``background_check_wanted``;
``--set matching.BACKGROUND_CHECK=false`` measures without both)."""
BACKGROUND_CHECKED = frozenset(
    (Intent.NEXT, Intent.BACK, Intent.SKIP, Intent.RESUME, Intent.HELP, Intent.END)
)
"""Intents the larger model may settle when no reading named a command: over a TV tiny.en often
writes only the TV's words where base still hears these. Each added right answers and no wrong
one on the tune split (TV 20 dB 197 -> 213 of 330); the other intents added sound-alikes."""

BACKGROUND_SURE_WORDS = 2
"""A best reading of at most this many words, at least BACKGROUND_SURE_LOGPROB sure, is a word
the recognizer heard clearly (a real "eight" read "Eight."), not a TV's babble: the larger
model is not asked about it over a talking background."""
BACKGROUND_SURE_LOGPROB = -0.5
"""...(nats). A missed command over a TV mostly read longer or less sure ("Bring me a step."
-0.66). Tune split: 267 of 290 real other-word decodes no longer ask base, 1 of 23 right lost."""

QUIET_CHECK = True
"""Ask the larger model when no reading named a command without a talking background too, unless
the best reading is a sure sentence (SURE_SENTENCE_WORDS; ``--set matching.QUIET_CHECK=false``
measures without). Tune 52 commands more right, test 47, none wrong; 1 and 2 negatives taken."""
SURE_SENTENCE_WORDS = 5
"""A best reading of at least this many words, at least SURE_SENTENCE_LOGPROB sure, is a
sentence the recognizer heard clearly: without a talking background the larger model is not
asked about it (QUIET_CHECK)..."""
SURE_SENTENCE_LOGPROB = -0.6
"""...(nats; as sure as a short-window answer must be to stand, ``readings.SURE_LOGPROB``). Tune
split: base asked for 805 of 1218 decodes instead of all, none of the 52 right answers lost."""

BACKGROUND_WORTH = BACKGROUND_CHECKED - {Intent.HELP}
"""The larger model is asked about readings that named no command only at a moment allowing one
of these: at a check and its confirm turn only "help" could come of it, and it was never right
there (asked 344 times on tune, 330 on test: one "yell" taken as help on each)."""


def background_check_wanted(
    texts: Sequence[str], moment: Moment, talking_background: bool, best: tuple[str, float] | None = None
) -> bool:
    """True when the larger model should hear an utterance the recognizer took no intent
    from, though none of its readings (``texts``, as for ``cross_check_wanted``), nor a clause
    of one, asks for any command: the background talks (``Transcript.talking_background``),
    or it does not and the best reading (``best``: text, average log-probability) is not a
    sure sentence (QUIET_CHECK), the best reading is not a short, sure one
    (BACKGROUND_SURE_WORDS), and the moment allows more than help of what base may answer
    (BACKGROUND_WORTH). Its answer then counts only when it is one of BACKGROUND_CHECKED. A
    reading that named a command leaves the decision to ``cross_check_wanted``."""
    if not BACKGROUND_CHECK or not ALLOWED[moment] & BACKGROUND_WORTH:
        return False
    words, sure = (len(normalise(best[0]).split()), best[1]) if best else (0, -math.inf)
    if words <= BACKGROUND_SURE_WORDS and sure >= BACKGROUND_SURE_LOGPROB:
        return False
    sentence = words >= SURE_SENTENCE_WORDS and sure >= SURE_SENTENCE_LOGPROB
    if not talking_background and (sentence or not QUIET_CHECK):
        return False
    return not named_commands(texts, moment)
