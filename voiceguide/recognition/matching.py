"""Turn a transcript into an intent, or into nothing.

The whole normalised utterance must equal one phrase allowed at this moment (or a way Whisper
writes one, ``intents.HEARD_AS``): "I'm not done yet" is not "done". Pure, no I/O.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection, Sequence

from voiceguide.core.intents import ALLOWED, HEARD_AS, KEYS, PHRASES, Intent, Moment, normalise, phrases_for


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
    return KEYS.get(said) if intent is None and keys else intent


ADVANCING = frozenset((Intent.NEXT, Intent.YES, Intent.SKIP, Intent.RESUME))
"""Intents that move the session on (or confirm a check): a mistake here can skip a safety step."""
DOUBLE_CHECKED = frozenset((Intent.NEXT, Intent.YES))
"""The dangerous intents (past a step, through a check): an unprompted reading must agree too.
Not skip and resume: in noise the unprompted reading is often garbage, and "skip step" and
"resume" have no one-syllable sound-alikes."""
UNPROMPTED_PHRASES = frozenset(("yes", "done", "continue"))
"""The phrases of next and yes whose unprompted reading must agree: those the phrase prompt
pulls sound-alikes towards ("guess" -> "Yes.", real "on" -> "All done." while "all done" was
a phrase; it no longer is, see ``intents.PHRASES``). Not "confirm" and
"next step": in a short window the unprompted reading of them is often garbage ("Can form."),
which only refused right answers (tune clean 88.6 -> 92.9 %)."""
SECOND_OPINION_MARGIN = 0.5
"""Nats of average log-probability: an engine reading this close to the best one counts as a
real possibility."""
SPELLING_RIVAL_PHRASES = frozenset(("resume", "skip step"))
"""Phrases of an advance whose close rival may be a near-spelling of the phrase itself
(SPELLING_RIVAL_RATIO) without counting as a disagreement: "Resume." over "Refume.",
"Skip step." over "Skip." or "Split step.". Neither has a one-syllable sound-alike, and
neither passes a check: skip leaves out only a step the procedure marks skippable, resume
returns to the step that was paused. Counted on the full splits' clip lists
(``bench_recognition.py --clips``, decodes that gave no command because of such a rival;
stop 22): tune 3 commands more right, test 4, none wrong and no negative taken; the full
test run, where base reads by the same rule, 7 (pink 20 dB 4, pink 10 dB 1, TV 20 dB 2).
Without the ratio (stop 21's lists) a TV "wait" was taken as "Next step." and a "quit" as
"Resume."; "continue", also next at a step, is not here."""
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
"""Commands that, heard in the loud part of an utterance over a talking background
(``whisper.TALKING_TRIM_DB``), stand only when the whole utterance is heard as them too
(``whole_agrees``; since stop 22 it may also hold the phrase as a clause, WHOLE_CLAUSE).
With the TV's words cut away, one-syllable sound-alikes sound as they do in a quiet room,
and a little TV left under them tipped some further. Test split, every decode
with a talking background (stop 21): sound-alikes and the homophone "dunn" over a TV taken as
an advance, 7 before the close trim; with it but without this check (and a 0.15 s margin),
10 ("necks" as "Next step.", "dawn" as "Done." at a step, "jess" as "Yes." at a check);
with both, 2 (two "jess" at a check, which the confirm turn holds). Tune: "fun" as "Confirm."
at the confirm turn refused. It costs TV commands: TV 20 dB 231 of 271 with the close trim
alone (0.15 s margin), 211 with this check (0.2 s), 172 before."""
WHOLE_PHRASES = frozenset(phrase for intent in WHOLE_CHECKED for phrase in PHRASES[intent])
"""Their phrases: the engine reads the whole utterance too when the close reading is one."""


WHOLE_CLAUSE = True
"""The whole reading may also hold the close reading's phrase as a clause of its own among the
TV's words ("Confirm. Go forward.", "Done. You might even have been."), naming no other
command; not for "yes" (WHOLE_CLAUSE_NOT). The whole reading has the TV's words in it, and
the exact match refused right answers whose close reading was clear. Counted on the full
splits' clip lists (``bench_recognition.py --clips`` records the whole reading; stop 22):
tune, of the decodes the exact match refused (12 right, 9 sound-alikes), 7 right answers
taken (TV 20 dB 3, TV 10 dB 1, "confirm" at the confirm turn 3), no negative; with "yes" too,
2 right and 3 sound-alikes more. Test, full run: 8 more right (TV 20 dB 5, confirm turn 3),
and the homophone "dunn" over a TV read "Done. Or to do fourth." taken at a step (it is the
sound of "done")."""
WHOLE_CLAUSE_NOT = frozenset(("yes",))
"""...the phrase whose sound-alikes' whole reading was "Yes." and the TV's words ("guess" as
"Yes. To be older.", "yes sir" as "Yes. It's respectable." at a check, tune split)."""


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
    commands are not a clear command. Stop is exempt: it always works. Clean test voices:
    3 of 4 wrong intents ("all done" as "Hold on.", "speak up" as "Speed up.") refused, one
    right answer lost; tune: 4 of 5 wrong intents refused, one right answer lost."""
    if first is None or intent is Intent.STOP:
        return True
    other = match(first, moment)
    return other is None or other is intent


PASSES_ALIKE = True
"""Refuse an unsure final reading that the first pass wrote as something else entirely
(``passes_alike``; ``scripts/bench_recognition.py --set matching.PASSES_ALIKE=false``
measures without)."""
UNSURE_LOGPROB = -0.7
"""Nats of average log-probability: a final reading below this is unsure enough that the first
pass's reading of the same audio must look like it (``passes_alike``)..."""
ALIKE_SIMILARITY = 0.4
"""...letter similarity (``letter_similarity``) of the first reading, or of one of its clauses,
to the final one at least this. Chosen on the tune split's clip list (stop 22's full run,
``bench_recognition.py --clips``; the answers tiny.en took from its own 30 s pass, stop left
out): at -0.7 nats, similarity 0.3 refused 7 right answers, 4 wrong intents and 8 negatives;
0.4 refused 12, 6 and 9. Counting a wrong intent as two misses, both come out 9 ahead, the
most of the grid (-0.65 to -0.85 nats, similarity 0.25 to 0.45, by 0.05); 0.4 was kept for
the two more wrong intents it refuses."""


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
    stop included: the untouched reading already takes a clear "stop". Measured when it was
    built (main 2e76f8a, beam 5 in the short window, "all done" and "speak up" still phrases;
    tune split, quick, the 60 TV 20 dB clips the gate acts on): 22 -> 34 right, wrong intents
    2 before and after; sparing stop the last part let a real "left" through as "Stop." (its
    untouched beam read "That's.", "Yes.", "Stop.")."""
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
"""Intents a near tie may decide (``near_tie``): each only speaks or holds, and a mistaken one
costs a turn (the step read again, a pause, the help, where the session is). Not the
advancing ones, not "no" (it answers a check), not "end session", not "go back" (a step
change: PRODUCT.md's first safety rule allows none on a doubt), not "stop" (taken whenever
it is the best reading; a near tie with it was mostly "softer" or "faster"), and not the
voice settings: a mistaken one stays until undone, and "speak up", which users may say,
ties with "Speed up."."""
NEAR_TIE = True
"""Let a near tie decide a harmless command (``near_tie``; ``scripts/bench_recognition.py
--set matching.NEAR_TIE=false`` measures without)."""
NEAR_TIE_MARGIN = 0.05
"""Nats of average log-probability: a reading of a HARMLESS phrase at most this far below a
best reading that is no command counts as a tie that the phrase wins (see ``near_tie``).
Often the phrase's reading is the more likely per token, and ranks second only because the
beam ranks by another length normalisation ("Say that again." -0.39 under "Say that again.
No more risk." -0.42). The largest margin that cost nothing on the tune split (the clip
lists of its 2640 commands and 939 negatives, scripts/bench_recognition.py --clips,
2026-12-02): 0: 4 commands more right; 0.05: 8; 0.1: 14, and a pink 5 dB "resume" heard as
"where am i"; 0.3: 39, and two such; no negative accepted at any of them."""
NEAR_TIE_FLOOR = -1.0
"""...when that reading is itself sure enough to act on (nats; the Whisper engine's
``MIN_AVG_LOGPROB``)."""


def near_tie(
    readings: Sequence[tuple[str, float]], texts: Sequence[str], moment: Moment
) -> tuple[str, float] | None:
    """The reading (text, score) to take instead of the best one, or None. When the best
    reading (``readings[0]``) is no command but another reading within NEAR_TIE_MARGIN of it
    is exactly one phrase of a HARMLESS intent ("Three days." -0.93 and "Repeat." -0.85),
    Whisper has all but heard that phrase. It is taken only when that is the one command
    among those close readings, and no text of the utterance (``texts``: every reading and the
    first pass's, and each of their clauses) asks for another. Never an advance, so never a
    dangerous accept."""
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
    espeak's test voices write "resume" so. The advance then still needs rule 4
    (``second_opinion``), judged against the phrase."""
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
(``cross_check_wanted``; ``scripts/bench_recognition.py --set matching.CROSS_CHECK=false``
measures without)."""
CROSS_CHECKED = frozenset(
    (
        Intent.REPEAT,
        Intent.BACK,
        Intent.HELP,
        Intent.WHERE,
        Intent.STOP,
        Intent.END,
        Intent.NEXT,
        Intent.SKIP,
        Intent.RESUME,
    )
)
"""Intents the cross-check may settle. Not "yes", the answer that passes a check (before the
confirm turn): on the tune split (2640 commands, 2943 negative decodes) both models took the
sound-alikes "yes sir" (2026-12-02 and 12-04) and "guess" (12-04) as "Yes." at a check. Not
pause and the voice settings: both models read the retired "all done" as "Hold on." and
"speak up" as "Speed up." (several times each), a real "on" and "off" as "Hold on.", "wow" as
"Louder.". Not "no", an answer that ends a check in "do not inject": 2 commands and 3 real
"no" more right on the tune split against 2 sound-alikes ("go") taken, and on the test split
6 right against 11 ("bone", "nope", "slow", "dawn", "go"). Next, skip and resume since stop
18: base must hear the advance through the same rules as tiny.en (no close reading of
anything else; for "done" and "continue" an unprompted reading of exactly that), and tiny.en's
readings must ask for nothing else, a stop included. Tune split, counted from one run's clip
list with every intent allowed (``scripts/bench_recognition.py --split tune --clips``, an AMD
EPYC, 2026-12-04): without the cross-check 59.6 % of commands; repeat, go back, help, where,
stop and end 61.6 % (2 real "stop" more, 1 wrong intent, a TV 10 dB "previous step" read
"Repeat." by both, 3 sound-alikes as "Stop."); with next, skip and resume 62.8 % (34 more,
each answer right, no negative taken). Test split, the same way: 58.6, 60.4 and 62.1 % (45
more, each right, no negative). "yes" would add sound-alikes at a check on both splits.
Since stop 20 the readings may name other commands too, but never a stop
(CROSS_CHECK_SEVERAL)."""


CROSS_CHECK_SEVERAL = True
"""Ask the larger model also when the readings name several commands, none of them stop
(``cross_check_wanted``; ``--set matching.CROSS_CHECK_SEVERAL=false`` measures without).
Over a TV and in noise tiny.en's readings often hold the command and another one ("Please,
yes.", "Pause." and a gated "Previous." for "previous"); base's answer then settles it when it
is one of them. Counted on both splits (the 97 tune and 116 test decodes whose readings named
two commands or more and gave none, each decoded by base alone through rules 1-9; an AMD
EPYC, 2026-12-04): tune 10 commands more right (TV 20 dB 6), none wrong, no negative taken;
test 10 more right (TV 20 dB 5), none wrong, no negative. With a named stop too (only stop
could then be taken), tune nothing more, test 4 stops more right but a TV "faster" and a
sound-alike heard as "Stop."."""


def cross_check_wanted(texts: Sequence[str], moment: Moment) -> frozenset[Intent]:
    """The commands the larger model may confirm (empty: do not ask it). The recognizer took
    no intent, but its readings of the utterance (``texts``: every reading, the first pass's
    and the gated one's, and each of their clauses) ask for a command of CROSS_CHECKED
    ("Previous." fifth under "Pre-miss."; over a TV, "Stop." fifth under "All 9 3 4 0."), or
    for several, none of them stop (CROSS_CHECK_SEVERAL): the answer must be one of them. A
    stop among several readings settles nothing: a stop never becomes another command here."""
    if not CROSS_CHECK:
        return frozenset()
    asked = named_commands(texts, moment)
    if len(asked) > 1 and (not CROSS_CHECK_SEVERAL or Intent.STOP in asked):
        return frozenset()
    return frozenset(asked & CROSS_CHECKED)


BACKGROUND_CHECK = True
"""When the recognizer's readings named no command at all, ask the larger model anyway: over
a talking background, and since stop 20 without one too (QUIET_CHECK)
(``background_check_wanted``; ``scripts/bench_recognition.py --set
matching.BACKGROUND_CHECK=false`` measures without both)."""
BACKGROUND_CHECKED = frozenset(
    (Intent.NEXT, Intent.BACK, Intent.SKIP, Intent.RESUME, Intent.HELP, Intent.END)
)
"""Intents the larger model may settle on its own over a talking background (a TV; see
``background_check_wanted``; the same six without one, QUIET_CHECK): over a TV, tiny.en often
writes the TV's words and nothing of the user's, where base still hears the command ("What can
then you leisure to." and "Continue."). Base must hear it through the same rules as tiny.en (for
an advance no close reading of anything else, and for "done" and "continue" an unprompted
reading of exactly that). Chosen per intent on the tune split (an AMD EPYC, 2026-12-04; each
command over a TV and each Speech Commands recording with a talking background, then the
synthesized negatives spoken over a TV at 20 dB, every intent allowed): go back 10 commands more
right, end 4, help 3, resume 3, next 2, skip 1, each with no wrong answer and no negative taken;
left out: "stop" (4 right against 10 sound-alikes such as "stock" and "top" as "Stop."),
"repeat" (4 against 6: "okay", "go"), pause (2 against 4: "pose", "pours"), "yes" (none right;
"fun" as "Confirm." at a check and at the confirm turn, "west" as "Yes."), "no" (1 right; two
real "nine" as "No." at a check and the confirm turn, 5 sound-alikes such as "know" and "dunn"),
"where" (a "previous step" as "Where am i.") and the voice settings (15 right against 5 wrong
and 2 sound-alikes). The set kept, with BACKGROUND_SURE_WORDS, tune: TV 20 dB 197 -> 213 of 330,
TV 10 dB 68 -> 74, no wrong answer, none of the 840 negative decodes over a TV nor of the real
other words taken. Test split, full: all commands 62.1 -> 63.2 %, TV 20 dB 52.7 -> 59.7 %, each
of the 29 added answers right; 4 negatives more taken, each as help (README, "Recognition", rule
11). Chosen again in stop 26, after rule 12's close trim had changed what both models read over
a TV (the tune split's 1781 decodes with a talking background, every intent allowed at every
moment): the six took 12 commands right; each other intent added negatives or wrong answers
("stop" 1 right against 5 sound-alikes, "repeat" none against 12 negatives, "where" 2 wrong,
"Speed up." 3 right against 4 wrong), so the set stands."""


BACKGROUND_SURE_WORDS = 2
"""A best reading of at most this many words, at least BACKGROUND_SURE_LOGPROB sure, is a word
the recognizer heard clearly (a real "eight" read "Eight."), not a TV's babble: the larger
model is not asked about it over a talking background."""
BACKGROUND_SURE_LOGPROB = -0.5
"""...(nats). Over a TV, tiny.en's readings of a command it missed were mostly
longer or less sure ("Bring me a step." -0.66, "Three minutes." -1.07). Tune split: 267 of
the 290 real other-word decodes that asked base no longer do, 8 of 217 commands, 1 of the 23
right answers lost ("End." -0.29 for "end session")."""


QUIET_CHECK = True
"""Ask the larger model when no reading named a command also without a talking background
(in a quiet room, steady noise or reverb), unless the best reading is a sure sentence
(SURE_SENTENCE_WORDS; ``--set matching.QUIET_CHECK=false`` measures without). tiny.en misses
there what base still hears ("Bring me a step." and "Previous step.", "What can i see?" and
"What can i say."). Tune split, the decodes that gave none with no command named, no talking
background and no short, sure reading, each decoded by base alone through rules 1-9 (1218
decodes; an AMD EPYC, 2026-12-04): with BACKGROUND_CHECKED's six intents 52 commands more
right (go back 27, help 11, resume 7, end 3, next 3, skip 1), none wrong, 1 negative taken
(a real "happy" as help at a step; a sound-alike "yell" as help at the confirm turn is no
longer asked about: BACKGROUND_WORTH); the other intents would have added wrong answers (the
voice settings, "where", "repeat") or negatives ("stop": 7 sound-alikes such as "step" as
"Stop.", "repeat": 11, "yes": 4, "no": 2, pause: 3 retired "all done" as "Hold on."). Test
split, the same way (773 decodes asked): 47 more right (go back 31), none wrong, 2
negatives: the homophone "dunn" (over a TV too steady to count as talking) as "Done." at a
step, a real "visual" as "Previous." at a step (and "yell", at the confirm turn, no longer
asked)."""
SURE_SENTENCE_WORDS = 5
"""A best reading of at least this many words, at least SURE_SENTENCE_LOGPROB sure, is a
sentence the recognizer heard clearly: without a talking background the larger model is not
asked about it (QUIET_CHECK)..."""
SURE_SENTENCE_LOGPROB = -0.6
"""...(nats; as sure as a short-window answer must be to stand, ``whisper.SURE_LOGPROB``;
matching stays free of the engines). Tune split: base asked for 805 of those 1218 decodes
instead of all, none of the 52 right answers lost (4 words: 718 and 42; over a TV the same rule
would have lost 3 of 23 right answers, so it does not apply there)."""


BACKGROUND_WORTH = BACKGROUND_CHECKED - {Intent.HELP}
"""The larger model is asked about an utterance whose readings named no command only at a
moment that allows one of these: at a check and its confirm turn only "help" could come of
it, and there it never was right. Test split, full (stop 19's run): over a TV base's help
there was 3 negatives taken at the confirm turn and no command; without a talking
background (QUIET_CHECK's probes) base would be asked 344 times on tune and 330 on test
there, for no right answer and one "yell" taken as help at the confirm turn on each."""


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
    reading that named a command leaves the decision to ``cross_check_wanted`` (whose set
    keeps "yes", a pause and the voice settings out for the sound-alikes both models
    share)."""
    if not BACKGROUND_CHECK or not ALLOWED[moment] & BACKGROUND_WORTH:
        return False
    words, sure = (len(normalise(best[0]).split()), best[1]) if best else (0, -math.inf)
    if words <= BACKGROUND_SURE_WORDS and sure >= BACKGROUND_SURE_LOGPROB:
        return False
    sentence = words >= SURE_SENTENCE_WORDS and sure >= SURE_SENTENCE_LOGPROB
    if not talking_background and (sentence or not QUIET_CHECK):
        return False
    return not named_commands(texts, moment)
