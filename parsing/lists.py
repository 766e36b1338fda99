"""The addresses of mailing lists a mail went through (RFC 2369 List-Post, RFC 2919 List-Id)."""

from __future__ import annotations

import re

from parsing.message import ParsedMessage

_MAILTO = re.compile(r"<mailto:([^>?\s]+)", re.IGNORECASE)
_LIST_ID = re.compile(r"<([^<>\s]+)>")


def list_addresses(parsed: ParsedMessage) -> frozenset[str]:
    """Recipients of `parsed` that are mailing lists: the List-Post address, and any To/Cc
    address whose 'local.domain' is the List-Id (RFC 2919 §3 recommends that form, and
    Mailman and Google Groups write it: staff@school.example is <staff.school.example>)."""
    found = {
        address.lower()
        for value in parsed.header_all("list-post")
        for address in _MAILTO.findall(value)
        if "@" in address
    }
    ids = {
        list_id.lower()
        for value in parsed.header_all("list-id")
        for list_id in (_LIST_ID.findall(value) or value.split()[-1:])
    }
    for address in (*parsed.to, *parsed.cc):
        local, _, domain = address.email.rpartition("@")
        if local and f"{local}.{domain}" in ids:
            found.add(address.email)
    return frozenset(found)
