"""Peers: other servers and helpdesks measured beside mailgate in the same run."""
