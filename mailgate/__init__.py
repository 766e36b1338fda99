"""mailgate: email-to-ticket daemon for IT service desks."""
