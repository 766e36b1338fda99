"""One module per `mailgate` subcommand; each has `register(subparsers)`."""
