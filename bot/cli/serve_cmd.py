"""`patientbot gateway` (the ASGI app under uvicorn) and `patientbot run` (the whole stack).

`run` starts the Rasa servers (one per core by default, all loading the model at
once), the action server and the gateway as child processes, each in its own
process group, waits for each health check before starting what depends on it,
prints the web chat URL, restarts a child that crashes (with backoff; the
gateway's /health shows each child's state and restarts through a status file
in var/), and stops everything cleanly on Ctrl-C or SIGTERM, or when a child
keeps crashing (the supervision logic lives in bot.gateway.supervisor, which
has its own tests).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import urlparse

GATEWAY_ARGV = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]


def register(subparsers: argparse._SubParsersAction) -> None:
    gateway = subparsers.add_parser(
        "gateway", help="serve the gateway (Telegram, web chat, REST, console)"
    )
    gateway.add_argument(
        "--host", default=None, help="interface to bind (default: settings, 127.0.0.1)"
    )
    gateway.add_argument("--port", type=int, default=None, help="port (default: settings, 8000)")
    gateway.set_defaults(func=cmd_gateway)

    run = subparsers.add_parser(
        "run", help="start Rasa, the action server and the gateway; Ctrl-C stops all of them"
    )
    run.add_argument("--host", default=None, help="gateway interface (default: settings)")
    run.add_argument("--port", type=int, default=None, help="gateway port (default: settings)")
    run.add_argument(
        "--rasa-port", type=int, default=None, help="first Rasa port (default: from rasa_url, 5005)"
    )
    run.add_argument(
        "--rasa-instances",
        type=int,
        default=None,
        choices=range(1, 17),
        metavar="N",
        help="Rasa servers to start on consecutive ports (default: settings, 2)",
    )
    run.add_argument(
        "--actions-port", type=int, default=5055, help="action server port (default 5055)"
    )
    run.add_argument(
        "--model", type=Path, default=None, help="model file or folder (default models/)"
    )
    run.set_defaults(func=cmd_run)


def _settings():  # type: ignore[no-untyped-def]
    from pydantic import ValidationError

    from bot.settings import get_settings

    try:
        return get_settings()
    except ValidationError as exc:
        print(
            f"error: invalid settings (environment or var/patientbot.env):\n{exc}", file=sys.stderr
        )
        return None


def cmd_gateway(args: argparse.Namespace) -> int:
    import warnings

    import uvicorn

    settings = _settings()
    if settings is None:
        return 2
    from bot.gateway.app import create_app

    warnings.filterwarnings("ignore", message="The `websockets` implementation is deprecated")
    uvicorn.run(
        create_app(settings),
        host=args.host or settings.gateway_host,
        port=args.port or settings.gateway_port,
        ws="websockets",  # websockets 10 (pinned by Rasa) needs this protocol implementation
        log_level="info",
        access_log=False,  # patients' IP addresses stay out of the logs (and it saves CPU)
        proxy_headers=True,
    )
    return 0


def rasa_server_env(instances: int) -> dict[str, str]:
    """Environment of each Rasa server: one TensorFlow thread each when several share the cores."""
    env = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    if instances > 1:
        env |= {"TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}
    return env


def status_file(gateway_port: int) -> Path:
    """Where `run` keeps its children's status for the gateway on `gateway_port` (bot.gateway.service_status)."""
    from bot.paths import VAR_DIR

    return VAR_DIR / f"supervisor-{gateway_port}.json"


def build_specs(args: argparse.Namespace, settings) -> list:  # type: ignore[no-untyped-def]
    """The services of the stack in start order: Rasa servers (together), actions, gateway."""
    from bot.gateway.supervisor import ServiceSpec
    from bot.paths import MODELS_DIR, ROOT

    rasa = urlparse(settings.rasa_urls[0])
    rasa_host = rasa.hostname or "127.0.0.1"
    first_port = args.rasa_port or rasa.port or 5005
    instances = args.rasa_instances or settings.rasa_instances
    host = args.host or settings.gateway_host
    port = args.port or settings.gateway_port
    local_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    # Rasa reads both (bot/rasa_server.py, credentials.yml, endpoints.yml); the action server
    # the second. Passed in the environment, which only their owner can read, never in argv.
    tokens = {
        "PATIENTBOT_RASA_TOKEN": settings.rasa_token.get_secret_value(),
        "PATIENTBOT_ACTIONS_TOKEN": settings.actions_token.get_secret_value(),
    }
    rasa_specs = []
    for index in range(instances):
        rasa_port = first_port + index
        # `rasa run` with --auth-token from the environment (bot/rasa_server.py); no CORS:
        # no browser calls Rasa, the gateway does.
        rasa_argv = [
            sys.executable,
            "-m",
            "bot.rasa_server",
            "--enable-api",
            "--interface",
            rasa_host,
            "--port",
            str(rasa_port),
            "--model",
            str(args.model or MODELS_DIR),
        ]
        if (ROOT / "endpoints.yml").exists():
            rasa_argv += ["--endpoints", "endpoints.yml"]
        if (ROOT / "credentials.yml").exists():
            rasa_argv += ["--credentials", "credentials.yml"]
        rasa_specs.append(
            ServiceSpec(
                "rasa" if instances == 1 else f"rasa-{index + 1}",
                rasa_argv,
                f"http://{rasa_host}:{rasa_port}/",
                env=rasa_server_env(instances) | tokens,
                cwd=ROOT,
                start_timeout_s=300,
                start_group="rasa",
            )
        )
    rasa_urls = ",".join(f"http://{rasa_host}:{first_port + i}" for i in range(instances))
    common_env = {"RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "3"}
    return [
        *rasa_specs,
        ServiceSpec(
            "actions",
            # rasa_sdk's app on the loopback interface, behind the token (actions/server.py).
            [sys.executable, "-m", "actions.server", "--port", str(args.actions_port)],
            f"http://127.0.0.1:{args.actions_port}/health",
            env={
                **common_env,
                "PATIENTBOT_GATEWAY_URL": f"http://{local_host}:{port}",
                "PATIENTBOT_HANDOFF_SECRET": settings.handoff_secret.get_secret_value(),
                "PATIENTBOT_ACTIONS_TOKEN": tokens["PATIENTBOT_ACTIONS_TOKEN"],
            },
            cwd=ROOT,
            start_timeout_s=120,
        ),
        ServiceSpec(
            "gateway",
            [*GATEWAY_ARGV, "gateway", "--host", host, "--port", str(port)],
            f"http://{local_host}:{port}/health",
            env={
                "PATIENTBOT_RASA_URL": rasa_urls,
                "PATIENTBOT_SUPERVISOR_STATUS_FILE": str(status_file(port)),
            },
            cwd=ROOT,
            start_timeout_s=120,
        ),
    ]


def cmd_run(args: argparse.Namespace) -> int:
    from bot.gateway.supervisor import Supervisor

    settings = _settings()
    if settings is None:
        return 2
    specs = build_specs(args, settings)
    supervisor = Supervisor(specs, status_path=status_file(args.port or settings.gateway_port))
    supervisor.install_signal_handlers()
    public = str(settings.public_url).rstrip("/")

    def ready() -> None:
        print(
            f"\nPatientBot is running.\n  Web chat:  {public}/\n  Console:   {public}/console\n"
            f"  API docs:  {public}/docs\n"
            f"  Health:    {public}/health\nPress Ctrl-C to stop.\n",
            flush=True,
        )

    return supervisor.run(on_ready=ready)
