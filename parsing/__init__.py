"""Pure mail understanding: bytes in, an immutable value out. No database, network or clock."""

from parsing.message import Address, Attachment, ParsedMessage
from parsing.mime import parse_message

__all__ = ["Address", "Attachment", "ParsedMessage", "parse_message"]
