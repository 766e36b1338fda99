"""The display name rule (parsing.reading.rules.display): what the sender's mail program calls
them ('Smith, Jane' is Jane Smith); a role, a team or a robot is no one."""

from __future__ import annotations

import pytest

from parsing.reading.candidate import NAME, SIGNED, WEAK
from parsing.reading.rules.display import DisplayName
from tests.support.reading import propose, seen

RULE = "display name"
ASKED = "The printer is broken."


def test_name():
    assert DisplayName.name == RULE


@pytest.mark.parametrize(("display", "name"), [
    ("Jane Doe", "Jane Doe"),
    ("Smith, Jane", "Jane Smith"),
    ('"Doe, Jane Mary"', "Jane Mary Doe"),
    ("Jane Doe (Acme Ltd)", "Jane Doe"),
])
def test_display_name(display, name):
    (found,) = propose(DisplayName(), ASKED, display_name=display)
    assert (found.detail, found.value, found.rule, found.strength) == (NAME, name, RULE, SIGNED)
    # from the headers, not from a line of the text
    assert (found.where, found.zone, found.text) == (-1, "", display)


@pytest.mark.parametrize(("display", "doubt"), [
    ("Anthony Head", "a job title word in it"),
    ("jane doe", "written in lower case"),
])
def test_doubted(display, doubt):
    assert seen(propose(DisplayName(), ASKED, display_name=display)) == [
        (NAME, display, RULE, WEAK)]
    assert propose(DisplayName(), ASKED, display_name=display)[0].doubts == (doubt,)


@pytest.mark.parametrize("display", [
    "Mail Delivery System", "Microsoft Outlook", "Head Teacher", "IT Support", "Accounts Team",
    "Jane", "",
])
def test_no_one(display):
    assert propose(DisplayName(), ASKED, display_name=display) == []


def test_the_text_is_not_read():
    assert propose(DisplayName(), "My name is Jane Doe.\n\nRegards,\nJane Doe") == []
