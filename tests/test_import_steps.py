"""The pure step-making of ``voiceguide import``: the spoken-length budget from the session's
default rate, splitting at sentence ends, the timers a step names, and step titles."""

from __future__ import annotations

import pytest

from voiceguide.core.session_types import DEFAULT_RATE
from voiceguide.importing.steps import (
    MAX_WORDS,
    budget_for,
    find_timer,
    seconds_words,
    split_spoken,
    title_for,
)

pytestmark = pytest.mark.unit


def test_the_budget_is_25_seconds_at_the_default_rate():
    assert MAX_WORDS == int(25 * DEFAULT_RATE / 60) == 68
    assert budget_for("Mix the batter") == 68 - 4 - 3


def test_long_text_is_split_at_sentence_ends_within_the_budget():
    text = " ".join(f"Sentence {n} has exactly six words." for n in range(10))
    parts = split_spoken(text, 20)
    assert all(len(part.split()) <= 20 for part in parts)
    assert all(part.endswith("words.") for part in parts) and len(parts) == 4
    assert " ".join(parts) == text
    assert split_spoken("Short enough.", 20) == ["Short enough."]


def test_a_sentence_longer_than_the_budget_is_cut_at_clauses_then_words():
    text = "one two three, four five six, " + " ".join(["word"] * 30)
    parts = split_spoken(text, 10)
    assert all(len(part.split()) <= 10 for part in parts)
    assert " ".join(parts).split() == text.split()


@pytest.mark.parametrize(
    "text,seconds,said",
    [
        ("Bake for 25-30 minutes until golden.", 1500, "25-30 minutes"),
        ("Wait 30 seconds.", 30, "30 seconds"),
        ("Leave to rest for half an hour.", 1800, "half an hour"),
        ("Simmer for about 2 minutes.", 120, "2 minutes"),
        ("Cook for ten minutes, stirring.", 600, "ten minutes"),
        ("Chill for 4 hours.", 14400, "4 hours"),
        ("Wait a minute before you open it.", 60, "a minute"),
    ],
)
def test_a_wait_the_step_names_is_found(text, seconds, said):
    found = find_timer(text)
    assert (found.seconds, found.said) == (seconds, said)


@pytest.mark.parametrize("text", ["Run a second lever around the rim.", "Mix well."])
def test_no_timer_without_a_wait(text):
    assert find_timer(text) is None  # "a second" is not a wait


def test_a_cued_wait_wins_over_other_durations():
    assert find_timer("Serve within 2 hours; fry for 10 minutes first.").seconds == 600


def test_two_uncued_durations_give_no_timer():
    assert find_timer("Microwave 2 minutes on high and 3 minutes on low.") is None


def test_titles_are_the_first_words_without_a_loose_end():
    assert title_for("Preheat the oven to 180 C, and grease the tin.") == "Preheat the oven to 180 C"
    assert title_for("Push a tyre lever under the edge of the tyre") == "Push a tyre lever"
    assert title_for("cool.") == "Cool"
    assert seconds_words(90) == "1 minute 30 seconds" and seconds_words(3600) == "1 hour"
