"""The word lists (parsing.lexicon): lower case, each word once, matched longest first and as
whole words; and nowhere else under parsing/ spells out a word list."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from parsing.lexicon import alternation, organisations, people, phrases, union, word_pattern

PARSING = Path(__file__).resolve().parent.parent / "parsing"
LISTS = {
    f"{module.__name__.rpartition('.')[2]}.{name}": value
    for module in (organisations, people, phrases)
    for name, value in vars(module).items()
    if isinstance(value, tuple) and value and all(isinstance(word, str) for word in value)
}
# lists that hold a word twice today (the test shows it; remove an entry once it is fixed)
DUPLICATED: dict[str, list[str]] = {}  # every list holds each word once


def test_the_lists_are_found():
    for name in ("organisations.LEGAL_FORMS", "people.JOB_TITLES", "phrases.SIGN_OFFS",
                 "phrases.CALLBACK_PHRASES", "phrases.BOILERPLATE_OPENINGS"):
        assert name in LISTS
    assert len(LISTS) >= 60


@pytest.mark.parametrize("name", sorted(LISTS))
def test_lower_case(name):
    assert [word for word in LISTS[name] if word != word.lower()] == []


def _duplicates_param(name: str) -> object:
    if name not in DUPLICATED:
        return name
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=(
        f"{name} holds {', '.join(map(repr, DUPLICATED[name]))} twice")))


@pytest.mark.parametrize("name", [_duplicates_param(name) for name in sorted(LISTS)])
def test_no_duplicates(name):
    assert [word for word, count in Counter(LISTS[name]).items() if count > 1] == []


def test_union_keeps_first_seen_order_once():
    assert union(("b", "a"), ("a", "c"), ("b",)) == ("b", "a", "c")


# --- alternation and word_pattern ----------------------------------------------------------


def test_alternation_matches_the_longest_phrase_first():
    for words in (("thanks", "thanks in advance"), ("thanks in advance", "thanks")):
        pattern = re.compile(alternation(words), re.IGNORECASE)
        assert pattern.match("Thanks in advance, Jo").group(0) == "Thanks in advance"
    pattern = re.compile(alternation(("call me", "call me back", "call me back on")))
    assert pattern.match("call me back on 0116").group(0) == "call me back on"


def test_word_pattern_matches_whole_words_only():
    pattern = word_pattern(("it", "co"))
    assert pattern.search("with the item from the company") is None
    assert pattern.search("the IT team").group(0) == "IT"
    assert pattern.search("Jones & Co.").group(0) == "Co"


def test_word_pattern_dotted_forms():
    pattern = word_pattern(("s.l", "ltd"))
    assert pattern.search("Levante S.L.").group(0) == "S.L"
    assert pattern.search("Acme Ltd.").group(0) == "Ltd"
    assert pattern.search("Levante SXL") is None  # a dot is a dot


def test_blanks_match_any_run_of_blanks():
    pattern = re.compile(alternation(("kind regards",)))
    assert pattern.fullmatch("kind \t  regards")
    assert not pattern.fullmatch("kindregards")


@pytest.mark.parametrize("written", ["i'm on", "i’m on"])
def test_apostrophe_matches_both_ways(written):
    assert re.fullmatch(alternation(("i'm on",)), written)


def test_apostrophe_written_typographically_matches_both_ways():
    assert re.fullmatch(alternation(("’t",)), "'t")


# --- no word list outside parsing/lexicon --------------------------------------------------

LONG = 8


def _outside_functions(node: ast.AST) -> Iterator[ast.AST]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        yield child
        yield from _outside_functions(child)


def long_string_literals(path: Path, root: Path = PARSING.parent) -> list[str]:
    """'module:line' of each tuple, list or set literal of LONG or more strings that a module
    defines outside its functions."""
    found = []
    for node in _outside_functions(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            strings = [e for e in node.elts
                       if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            if len(strings) >= LONG:
                found.append(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return found


def test_the_finder_finds_a_long_literal(tmp_path):
    module = tmp_path / "words.py"
    module.write_text('WORDS = frozenset(("a", "b", "c", "d", "e", "f", "g", "h"))\n'
                      'SHORT = ("a", "b")\n'
                      'TABLE = {"k": ["a", "b", "c", "d", "e", "f", "g", 1, "h"]}\n'
                      'def f():\n    return ["a", "b", "c", "d", "e", "f", "g", "h"]\n')
    assert long_string_literals(module, tmp_path) == ["words.py:1", "words.py:3"]


# the precedence table names rules, not words: a table of the reader's own, kept where it
# is used (parsing/reading/choose.py)
NOT_WORD_LISTS = {
    f"parsing/reading/choose.py:{number}"
    for number, line in enumerate(
        (PARSING / "reading" / "choose.py").read_text(encoding="utf-8").splitlines(), 1)
    if line.startswith("PRECEDENCE = (")
}


def test_no_word_list_outside_the_lexicon():
    found = [
        where for path in sorted(PARSING.rglob("*.py"))
        if "lexicon" not in path.relative_to(PARSING).parts
        for where in long_string_literals(path)
    ]
    assert sorted(set(found) - NOT_WORD_LISTS) == []
