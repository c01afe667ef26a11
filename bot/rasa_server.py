"""`rasa run` with its HTTP API token taken from the environment, never from the command line.

Rasa's HTTP API (`--enable-api`) hands out a patient's whole conversation at
GET /conversations/<id>/tracker, and lets a caller rewrite it; `--auth-token`
closes it. Passed as a command-line argument, though, the token is readable
by every local user in `ps` and /proc/<pid>/cmdline, which would defeat it on
a shared machine. This wrapper reads `PATIENTBOT_RASA_TOKEN` (readable only by
the owner, in /proc/<pid>/environ) and hands it to Rasa's own CLI inside the
process:

    python -m bot.rasa_server --enable-api --port 5005 --model models ...

Every argument is `rasa run`'s. Without a token of 16 characters or more it
refuses to start, and it refuses `--auth-token` and `--cors` on the command
line: the first would leak, the second is never needed (no browser calls Rasa;
the gateway does). The same token guards the REST channel (bot.rasa_channel).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from bot.blas import configure_openblas

TOKEN_ENV = "PATIENTBOT_RASA_TOKEN"
MIN_TOKEN_CHARS = 16
NO_TOKEN = (
    f"error: {TOKEN_ENV} must be set to a token of at least {MIN_TOKEN_CHARS} characters "
    "(`make setup` writes one to var/patientbot.env)"
)
REFUSED_OPTIONS = ("--auth-token", "--cors")


def rasa_argv(args: Sequence[str], token: str) -> list[str]:
    """The argv Rasa's CLI parses: `rasa run`, the given options, the token."""
    return ["rasa", "run", *args, "--auth-token", token]


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    refused = [a for a in args if a.split("=")[0] in REFUSED_OPTIONS]
    if refused:
        print(f"error: {', '.join(refused)} is not accepted here (see bot/rasa_server.py)", file=sys.stderr)
        return 2
    token = os.environ.get(TOKEN_ENV, "")
    if len(token) < MIN_TOKEN_CHARS:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    configure_openblas()  # before Rasa imports numpy (bot/blas.py)
    from rasa.__main__ import main as rasa_main

    sys.argv = rasa_argv(args, token)
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
