"""`mailgate templates list|render`: the notifications the desk sends, their template files and
variables, and each one previewed as it would be sent."""

from __future__ import annotations

import argparse
import email
import email.policy
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from mailgate.commands.base import (
    CommandError,
    open_config,
    open_database,
    parse_now,
    print_json,
)
from mailgate.config import SHIPPED_TEMPLATES, Config
from mailgate.previews import NOT_ABOUT_A_TICKET, preview
from notify.preview import PreviewError
from notify.template_check import template_files
from notify.template_vars import KINDS, Kind

EX_USAGE = 64
# MIME framing, not what a reader sees
_HIDDEN_HEADERS = {"content-type", "mime-version", "content-transfer-encoding"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "templates", help="the notifications the desk sends: their templates and a preview")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    listing = actions.add_parser(
        "list", help="every kind of notification: who gets it, when, its template files (the "
        "desk's own folder or the shipped one) and the variables they may use")
    listing.add_argument("kinds", nargs="*", metavar="KIND",
                         help="only these kinds, each variable with what it holds")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_templates)
    render = actions.add_parser(
        "render", help="one notification as it would be sent (headers, text, and HTML with "
        "--html), with sample data or a real ticket's; nothing is sent or stored")
    render.add_argument("kind", metavar="KIND", help="the kind of notification (`templates list` "
                        "shows them)")
    render.add_argument("--ticket", metavar="REF", help="the data of this ticket (read only)")
    render.add_argument("--html", action="store_true", help="the HTML part too")
    render.add_argument("--now", help="the instant it is rendered at (ISO 8601 with offset)")
    render.set_defaults(handler=render_template)


def _check_kinds(kinds: list[str]) -> None:
    if unknown := [k for k in kinds if k not in KINDS]:
        raise CommandError(f"no notification kind {', '.join(map(repr, unknown))}; the kinds "
                           f"are {', '.join(KINDS)}", EX_USAGE)


def _file(config: Config, path: Path) -> dict[str, str]:
    """Where a template comes from: the shipped folder, or the desk's own (changed or not)."""
    if not config.desk.templates or path.parent.resolve() == SHIPPED_TEMPLATES.resolve():
        return {"path": str(path), "source": "shipped"}
    shipped = SHIPPED_TEMPLATES / path.name
    same = shipped.is_file() and shipped.read_bytes() == path.read_bytes()
    return {"path": str(path), "source": "custom, as shipped" if same else "custom"}


def _kind_json(config: Config, name: str, kind: Kind) -> dict[str, Any]:
    text, html = (_file(config, p) for p in template_files(config.templates_dir, name))
    return {
        "kind": name, "to": kind.to, "when": kind.when, "text": text, "html": html,
        "variables": {variable: var.about for variable, var in kind.variables.items()},
    }


def list_templates(args: argparse.Namespace) -> int:
    _check_kinds(args.kinds)
    config = open_config(args)
    chosen = args.kinds or list(KINDS)
    rows = [_kind_json(config, name, KINDS[name]) for name in chosen]
    if args.json:
        print_json(rows)
        return 0
    print(f"templates from {config.templates_dir}"
          + ("" if config.desk.templates else " (shipped; [desk] templates names your own)"))
    for row in rows:
        print()
        print(f"{row['kind']}: to the {row['to']}, when {row['when']}")
        for part in ("text", "html"):
            print(f"  {part:<10} {Path(row[part]['path']).name} ({row[part]['source']})")
        if args.kinds:
            for variable, about in row["variables"].items():
                print(f"  {variable:<22} {about}")
        else:
            print(f"  variables  {', '.join(row['variables'])}")
    return 0


def render_template(args: argparse.Namespace) -> int:
    _check_kinds([args.kind])
    if args.ticket and args.kind in NOT_ABOUT_A_TICKET:
        raise CommandError(f"{args.kind} is about no ticket: leave out --ticket (it is "
                           "rendered with sample data)", EX_USAGE)
    now = parse_now(args.now)
    config = open_config(args)
    engine = open_database(config) if args.ticket else None
    try:
        shown = preview(config, args.kind, now, engine=engine, reference=args.ticket)
    except PreviewError as exc:
        raise CommandError(str(exc)) from None
    finally:
        if engine is not None:
            engine.dispose()
    message = email.message_from_bytes(shown.raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    for name, value in message.items():
        if name.lower() not in _HIDDEN_HEADERS:
            print(f"{name}: {' '.join(str(value).split())}")
    print()
    _body(message, "plain")
    if args.html:
        print("\n--- text/html ---\n")
        _body(message, "html")
    for note in (shown.note, _unsigned(config)):
        if note:
            print(f"mailgate: note: {note}", file=sys.stderr)
    return 0


def _body(message: EmailMessage, subtype: str) -> None:
    part = message.get_body(preferencelist=(subtype,))
    if part is not None:
        sys.stdout.write(part.get_content())


def _unsigned(config: Config) -> str:
    if config.secret() is not None:
        return ""
    return (f"{config.desk.secret_env} is not set, so this preview has no signed Reply-To; "
            "the mail `serve` sends has one")
