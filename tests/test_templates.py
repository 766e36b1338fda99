"""`mailgate templates list|render`, and a desk's own templates checked when the config loads:
an unknown variable or a syntax error fails `check-config` and `serve`, naming file and line."""

from __future__ import annotations

import contextlib
import io
import shutil
from pathlib import Path

import pytest
from sqlmodel import func, select

from mailgate.cli import main
from mailgate.config import SHIPPED_TEMPLATES, ImapMailbox
from notify.render import render
from notify.template_check import check_templates
from notify.template_vars import KINDS, MAILBOX_ATTRIBUTES
from tests.mail import mail
from tests.support.harness import REPO, Harness, Result
from tickets.models import Outbox, Ticket, TicketMessage

NOW = "2026-11-23T10:30:00+00:00"
NOT_ABOUT_A_TICKET = {"info_request", "info_request_expired", "mailbox_failing"}
TICKET_KINDS = [kind for kind in KINDS if kind not in NOT_ABOUT_A_TICKET]
# the kinds whose shipped templates greet or name the requester
NAMING_THE_REQUESTER = {"acknowledgement", "linked_ticket", "assigned", "reminder",
                        "auto_closed", "closed", "resolved", "date_reached", "stale"}


def cli(config: Path, *args: str) -> Result:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["--config", str(config), *args])
        except SystemExit as exc:
            code = int(exc.code or 0)
    return Result(code, out.getvalue(), err.getvalue())


def own_templates(tmp_path: Path, change: dict[str, tuple[str, str]] | None = None) -> Path:
    """A config whose [desk] templates is a copy of the shipped folder, with `change`:
    file name → (text to find, what to put in its place)."""
    folder = tmp_path / "mine"
    shutil.copytree(SHIPPED_TEMPLATES, folder)
    for name, (old, new) in (change or {}).items():
        path = folder / name
        source = path.read_text(encoding="utf-8")
        assert old in source
        path.write_text(source.replace(old, new, 1), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        '[desk]\nname = "Example IT Desk"\naddress = "support@desk.example"\n'
        'templates = "mine"\n\n[database]\nurl = "sqlite:///var/mailgate.db"\n',
        encoding="utf-8",
    )
    return config


def line_of(name: str, text: str) -> int:
    """The line of a shipped template that `text` begins on."""
    source = (SHIPPED_TEMPLATES / name).read_text(encoding="utf-8")
    return source[:source.index(text)].count("\n") + 1


def header(out: str, name: str) -> str:
    for line in out.splitlines():
        if line.startswith(f"{name}: "):
            return line.removeprefix(f"{name}: ")
        if not line:
            break
    raise AssertionError(f"no {name} header in:\n{out}")


# --- templates list -----------------------------------------------------------------------

def test_the_kinds_are_exactly_what_templates_holds() -> None:
    stems = {p.name.removesuffix(".txt.j2").removesuffix(".html.j2")
             for p in SHIPPED_TEMPLATES.glob("*.j2")}
    assert set(KINDS) == stems


def test_list_shows_every_kind_with_its_files_and_variables(tmp_path: Path) -> None:
    config = own_templates(tmp_path, {"reminder.txt.j2": ("Hello", "Dear")})
    listed = cli(config, "templates", "list")
    assert listed.code == 0, listed.err
    for kind in KINDS:
        assert f"\n{kind}: to the " in listed.out
        assert f"{kind}.txt.j2" in listed.out and f"{kind}.html.j2" in listed.out
    assert "variables  desk, ticket, requester, status, previous" in listed.out
    rows = {row["kind"]: row for row in cli(config, "templates", "list", "--json").json()}
    assert list(rows) == list(KINDS)
    assert rows["reminder"]["text"] == {"path": str(tmp_path / "mine" / "reminder.txt.j2"),
                                        "source": "custom"}
    assert rows["reminder"]["html"]["source"] == "custom, as shipped"
    assert "number" in rows["reminder"]["variables"]["data"]
    assert set(rows["mailbox_failing"]["variables"]) == {"desk", "mailbox", "state"}


def test_list_of_the_shipped_folder_and_of_one_kind_with_what_each_variable_holds(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[desk]\naddress = "support@desk.example"\n', encoding="utf-8")
    listed = cli(config, "templates", "list", "sla_breach")
    assert listed.code == 0, listed.err
    assert f"templates from {SHIPPED_TEMPLATES}" in listed.out
    assert "sla_breach.txt.j2 (shipped)" in listed.out
    assert "acknowledgement" not in listed.out
    assert "  due                    the SLA due time, in the desk's time zone" in listed.out


def test_an_unknown_kind_is_a_usage_error_listing_the_kinds(tmp_path: Path) -> None:
    config = own_templates(tmp_path)
    for args in (("list", "acknowledgment"), ("render", "acknowledgment")):
        result = cli(config, "templates", *args)
        assert result.code == 64
        assert result.err.count("\n") == 1
        assert ("no notification kind 'acknowledgment'; the kinds are acknowledgement, "
                in result.err)


# --- templates render ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_render_each_kind_with_sample_data(harness: Harness, kind: str) -> None:
    shown = harness.cli("templates", "render", kind, "--html", "--now", NOW)
    assert shown.code == 0, shown.err
    assert header(shown.out, "From") == "Example IT Desk <support@desk.example>"
    assert header(shown.out, "Date") == "Mon, 23 Nov 2026 10:30:00 +0000"
    assert "--- text/html ---" in shown.out and "<html>" in shown.out
    if kind in NOT_ABOUT_A_TICKET:
        return
    assert header(shown.out, "Subject").startswith("[INC0001234] ")
    assert "INC0001234" in shown.out.split("\n\n", 1)[1]  # in the body too
    assert header(shown.out, "Reply-To").startswith("Example IT Desk <support+INC0001234-")
    if kind in NAMING_THE_REQUESTER:
        assert "Sam Patel" in shown.out


def test_sample_times_are_in_the_desks_zone(harness: Harness) -> None:
    shown = harness.cli("templates", "render", "reminder", "--now", "2026-07-14T09:00:00+00:00")
    assert shown.code == 0, shown.err
    # 72 hours on, read in Europe/London (summer time)
    assert "If we have not heard from you by Fri 17 Jul 2026 10:00 BST" in shown.out


def test_render_of_requests_without_a_ticket(harness: Harness) -> None:
    asked = harness.cli("templates", "render", "info_request", "--now", NOW)
    assert asked.code == 0, asked.err
    assert header(asked.out, "To") == "jo.bloggs@example.net"
    assert header(asked.out, "Subject") == "Details needed: Laptop will not start"
    assert "name Jo Bloggs" in asked.out and "a call-back number" in asked.out
    failing = harness.cli("templates", "render", "mailbox_failing", "--now", NOW)
    assert failing.code == 0, failing.err
    assert "mailgate cannot read the mailbox support@desk.example@imap.riverside.example/INBOX" \
        in failing.out
    refused = harness.cli("templates", "render", "info_request", "--ticket", "INC0000001")
    assert refused.code == 64 and "info_request is about no ticket" in refused.err


def _ingested_ticket(harness: Harness) -> Ticket:
    path = harness.dir / "projector.eml"
    path.write_bytes(mail(sender="Jane Doe <jane@school.example>",
                          subject="Projector in the hall flickers",
                          body="Hello,\n\nthe projector in the hall flickers.\n\nJane Doe\n"
                               "Example School\n01632 960555\n"))
    result = harness.cli("ingest", "--no-send", str(path))
    assert result.code == 0, result.err
    [ticket] = harness.tickets()
    return ticket


def _row_counts(harness: Harness) -> tuple[int, int]:
    with harness.session() as session:
        return (session.exec(select(func.count()).select_from(Outbox)).one(),
                session.exec(select(func.count()).select_from(TicketMessage)).one())


def test_render_each_kind_with_a_real_ticket_writes_nothing(harness: Harness) -> None:
    ticket = _ingested_ticket(harness)
    before = _row_counts(harness)
    for kind in TICKET_KINDS:
        shown = harness.cli("templates", "render", kind, "--ticket", ticket.reference.lower())
        assert shown.code == 0, f"{kind}: {shown.err}"
        assert header(shown.out, "Subject").startswith(f"[{ticket.reference}] "), kind
        assert "Projector in the hall flickers" in header(shown.out, "Subject"), kind
        if kind in NAMING_THE_REQUESTER:
            assert "Jane Doe" in shown.out, kind
    acknowledgement = harness.cli("templates", "render", "acknowledgement", "--ticket",
                                  ticket.reference)
    assert header(acknowledgement.out, "To") == "jane@school.example"
    assert "We have you as Jane Doe, Example School, 01632 960555" in acknowledgement.out
    stale = harness.cli("templates", "render", "stale", "--ticket", ticket.reference)
    assert "the ticket has no assignee: the preview assigns tech@desk.example" in stale.err
    assert header(stale.out, "To") == "tech@desk.example"
    assert _row_counts(harness) == before
    [after] = harness.tickets()
    assert after.assignee == "" and after.updated_at == ticket.updated_at


def test_render_an_unknown_ticket(harness: Harness) -> None:
    result = harness.cli("templates", "render", "acknowledgement", "--ticket", "INC9999999")
    assert (result.code, result.out, result.err) == (1, "", "mailgate: no ticket INC9999999\n")


def test_render_uses_the_desks_own_templates(tmp_path: Path) -> None:
    config = own_templates(tmp_path, {"acknowledgement.txt.j2": (
        "Hello {{ requester.name or requester.email }},",
        "Dear {{ requester.name }} ({{ requester.phone_original }}),")})
    assert cli(config, "check-config").code == 0
    shown = cli(config, "templates", "render", "acknowledgement")
    assert shown.code == 0, shown.err
    assert "Dear Sam Patel (01632 960123)," in shown.out


# --- a desk's own templates, checked at load ----------------------------------------------

@pytest.mark.parametrize(("name", "old", "new", "expected"), [
    ("acknowledgement.txt.j2", "Status:", "{{ ticket.no_such_thing }}\nStatus:",
     "acknowledgement.txt.j2 line {line}: `ticket.no_such_thing`: ticket (a Ticket) has no "
     "`no_such_thing`"),
    ("closed.html.j2", "<p>{{ desk.name }}", "<p>{{ nonsense }}{{ desk.name }}",
     "closed.html.j2 line {line}: `nonsense` is not a variable of closed (it has desk, ticket, "),
    ("acknowledgement.html.j2", "{{ item.value }}", "{{ item.valeu }}",
     "acknowledgement.html.j2 line {line}: `item.valeu`: item (a Shown) has no `valeu`"),
    ("sla_breach.txt.j2", "{{ data.target }}", "{{ data.targte }}",
     "sla_breach.txt.j2 line {line}: `data.targte`: data (target, due) has no `targte`"),
    ("info_request.txt.j2", "Hello,", "Hello {{ ticket.reference }},",
     "info_request.txt.j2 line {line}: `ticket` is not a variable of info_request"),
    ("reminder.txt.j2", "{% if close_at %}", "{% if close_at %",
     # Jinja names the line where it finds the tag unclosed: the next one
     "reminder.txt.j2 line 8: syntax error: expected token 'end of statement block'"),
    ("stale.txt.j2", "{{ quiet_since }}", "{{ quiet_since | nosuchfilter }}",
     "stale.txt.j2 line {line}: syntax error: No filter named 'nosuchfilter'."),
])
def test_check_config_names_the_file_the_line_and_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, old: str, new: str,
    expected: str,
) -> None:
    monkeypatch.setenv("MAILGATE_SECRET", "a-test-secret")
    config = own_templates(tmp_path, {name: (old, new)})
    checked = cli(config, "check-config")
    assert checked.code == 78
    assert checked.out == ""
    line = line_of(name, old)
    assert f"{config}: desk.templates: {tmp_path / 'mine' / expected.format(line=line)}" \
        in checked.err
    served = cli(config, "serve")
    assert served.code == 78 and str(tmp_path / "mine" / name) in served.err


def test_what_only_rendering_shows_fails_check_config_and_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MAILGATE_SECRET", "a-test-secret")
    # `subject` is a string: its attribute is for the sample render to find
    config = own_templates(tmp_path, {"resolved.txt.j2": (
        "has been resolved", "has been {{ ticket.subject.resolution }} resolved")})
    checked = cli(config, "check-config")
    assert checked.code == 78
    assert (f"{tmp_path / 'mine' / 'resolved.txt.j2'} line 3: rendering resolved with sample "
            "data: 'str object' has no attribute 'resolution'") in checked.err
    served = cli(config, "serve")
    assert served.code == 78 and "resolved.txt.j2 line 3" in served.err


def test_the_shipped_templates_pass_every_check(tmp_path: Path) -> None:
    assert check_templates(SHIPPED_TEMPLATES) == []  # every file parsed, none skipped
    checked = cli(own_templates(tmp_path), "check-config")
    assert checked.code == 0, checked.err
    assert f"templates  {tmp_path / 'mine'}" in checked.out


def test_the_renderer_gives_exactly_the_declared_variables() -> None:
    with pytest.raises(TypeError, match="closed: no value for the declared variable"):
        render(REPO / "templates", "closed", {"desk": None})


def test_the_mailbox_attributes_are_those_of_an_imap_section() -> None:
    properties = {name for name, value in vars(ImapMailbox).items() if isinstance(value, property)}
    assert set(MAILBOX_ATTRIBUTES) == set(ImapMailbox.model_fields) | properties
