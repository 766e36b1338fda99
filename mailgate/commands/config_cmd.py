"""`mailgate check-config`: validate the config file and say what it sets up."""

from __future__ import annotations

import argparse

from mailgate.clock import utcnow
from mailgate.commands.base import open_config
from mailgate.config import Config, config_path
from mailgate.previews import require_renderable


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("check-config", help="validate the config file")
    parser.set_defaults(handler=run)


def policy_lines(config: Config) -> list[str]:
    """What the clock runs on, and what in it will not work as one might think."""
    hours = config.business_hours
    weekly = ", ".join(f"{day} {' '.join(spans)}" for day, spans in hours.weekly.items())
    periods = sum(len(a.periods) for a in hours.alternate)
    timed = ", ".join(s.key for s in config.statuses if s.timer)
    lines = [
        f"statuses   {len(config.statuses)}; the SLA timer runs in {timed}",
        "priorities " + "; ".join(f"{p.key} {p.response or 'none'}/{p.resolution or 'none'}"
                                  for p in config.priorities),
        f"hours      {hours.timezone}: {weekly}",
        f"           {len(hours.holidays)} holiday(s)"
        + (f" and the public holidays of {hours.holidays_from}" if hours.holidays_from else "")
        + f", {periods} period(s) of alternate hours",
        f"assign     {len(config.technicians)} technician(s) round-robin" if config.technicians
        else "assign     nobody ([[technicians]] is empty: no auto-assignment)",
    ]
    if not hours.holidays and not hours.holidays_from:
        lines.append("NOTE       business_hours.holidays is empty and holidays_from unset: public "
                     "holidays count as working days (holidays_from = \"GB-ENG\", say)")
    if any(s.resume_on == "rota_day" for s in config.statuses):
        lines += [f"NOTE       companies[{i}] ({c.name}) has no rota_days: a site visit for it "
                  "does not come back by itself"
                  for i, c in enumerate(config.companies) if not c.rota_days]
    return lines


def listener_security(config: Config) -> str:
    smtp_in = config.smtp_in
    parts = [("STARTTLS required" if smtp_in.require_tls else "STARTTLS offered")
             if smtp_in.tls_certificate else ""]
    if smtp_in.auth_password_env:
        parts.append(f"AUTH {'required' if smtp_in.require_auth else 'offered'} for "
                     f"{', '.join(smtp_in.auth_password_env)}")
    if smtp_in.allow_from:
        parts.append(f"only from {', '.join(smtp_in.allow_from)}")
    return "".join(f"; {part}" for part in parts if part)


def run(args: argparse.Namespace) -> int:
    config = open_config(args)
    require_renderable(config, str(config_path(args.config)), utcnow())
    print(f"{config_path(args.config)}: OK")
    print(f"  desk       {config.desk.name} <{config.desk.address}>, {config.desk.timezone}")
    print(f"  database   {config.database_url}")
    if config.smtp_in.enabled:
        print(f"  smtp in    {config.smtp_in.host}:{config.smtp_in.port}, "
              f"accepting {', '.join(config.accepted_recipients)}{listener_security(config)}")
    print(f"  smtp out   {config.smtp_out.host}:{config.smtp_out.effective_port}, "
          f"security {config.smtp_out.security}")
    if config.http.listen:
        print(f"  http       {config.http.listen}: /metrics, /healthz (unhealthy after "
              f"{config.http.unhealthy_after})")
    print(f"  templates  {config.templates_dir} (`mailgate templates list` shows them)")
    print(f"  retention  {config.retention.summary()}")
    for mailbox in config.imap:
        print(f"  imap       {mailbox.username}@{mailbox.host} {mailbox.folder}")
    for line in policy_lines(config):
        print(f"  {line}")
    if config.secret() is None:
        print(f"  WARNING    {config.desk.secret_env} is not set: no signed reply addresses, "
              "and `serve` refuses to start")
    for problem in config.unset_secrets():
        print(f"  ERROR      {problem}")
    return 1 if config.unset_secrets() else 0
