"""The deployment (deploy/, docs/deploy.md), checked statically: Docker is not available where the suite runs, so
the compose file and the systemd units are parsed, every command they run is parsed by the real command line
(forewarn's Typer app, Dask's own commands) — an unknown command, option or bad value fails —, every port is
published on 127.0.0.1 only, every variable a unit uses is defined by the example environment file it reads, and
every setting those files set is a real one. Where ``systemd-analyze`` exists, it verifies the units too."""

from __future__ import annotations

import configparser
import importlib.metadata
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml

from forewarn.cli.main import app
from forewarn.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
VENV_BIN = "/opt/forewarn/venv/bin/"
INSTANCE = {"%i": "main", "%H": "forewarn-host"}  # systemd specifiers, as an instance would have them
EXAMPLES = {"/etc/forewarn/forewarn.env": DEPLOY / "forewarn.env.example",  # what each EnvironmentFile= holds
            "/etc/forewarn/dask.env": DEPLOY / "systemd" / "dask.env.example",
            "/etc/forewarn/watch-main.env": DEPLOY / "systemd" / "watch-main.env.example"}


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    return loaded


def unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)  # EnvironmentFile= may repeat
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(path, encoding="utf-8")
    return parser


def environment_files(path: Path) -> list[str]:
    """Every EnvironmentFile= of a unit (configparser keeps only the last of repeated keys)."""
    found = re.findall(r"^EnvironmentFile=-?(\S+)$", path.read_text(encoding="utf-8"), re.MULTILINE)
    return [_instantiated(f) for f in found]


def env_example(path: Path) -> dict[str, str]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def _instantiated(text: str) -> str:
    for specifier, value in INSTANCE.items():
        text = text.replace(specifier, value)
    return text


def check_command(argv: list[str]) -> None:
    """Parse ``argv`` with the real command line it names: forewarn's commands, or Dask's (``dask scheduler``)."""
    program, *args = argv
    if program == "forewarn":  # Typer's commands (its own copy of Click's classes): groups down to the command
        command: Any = typer.main.get_command(app)
        ctx = command.make_context("forewarn", [], resilient_parsing=True)  # the group's context, parsing nothing
        while hasattr(command, "list_commands"):
            name, *args = args
            found = command.get_command(ctx, name)
            assert found is not None, f"forewarn has no command {name!r}"
            command, ctx = found, found.make_context(name, [], parent=ctx, resilient_parsing=True)
        parent = ctx.parent
    else:
        assert program == "dask", argv
        name, *args = args
        [entry] = [e for e in importlib.metadata.entry_points(group="dask_cli") if e.name == name]
        command, parent = entry.load(), None
    command.make_context(command.name or program, list(args), parent=parent)  # raises on an unknown option or value


# -- compose ---------------------------------------------------------------------------------------------------------


def test_compose_has_the_processes_of_the_deployment() -> None:
    services = compose()["services"]
    assert set(services) == {"postgres", "migrate", "web", "watch", "dask-scheduler", "dask-worker", "backfill",
                             "prometheus"}
    assert services["postgres"]["image"].startswith("postgres:")
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["postgres"]["volumes"])
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert "/healthz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert "replicas" not in services["watch"].get("deploy", {})  # one watch per store
    assert {n: s.get("profiles") for n, s in services.items() if s.get("profiles")} == {
        "dask-scheduler": ["backfill"], "dask-worker": ["backfill"], "backfill": ["backfill"],
        "prometheus": ["monitoring"]}
    assert services["prometheus"]["network_mode"] == "service:watch"  # the watch's metrics are on its loopback


def test_compose_commands_are_real_commands_and_options() -> None:
    commands = {name: s["command"] for name, s in compose()["services"].items()
                if isinstance(s.get("command"), list) and s["command"][0] in {"forewarn", "dask"}}
    assert set(commands) == {"migrate", "web", "watch", "dask-scheduler", "dask-worker", "backfill"}
    for argv in commands.values():
        check_command(argv)


def test_dask_workers_run_without_dasks_sampling_profiler() -> None:
    """The deployed workers, as the local cluster's, run without Dask's profiler (docs/backfill.md): the variable the
    compose service and the systemd units' environment set is one Dask's configuration reads as that setting."""
    import dask.config

    for env in (compose()["services"]["dask-worker"]["environment"], env_example(EXAMPLES["/etc/forewarn/dask.env"])):
        config = dask.config.collect_env({k: str(v) for k, v in env.items() if k.startswith("DASK_")})
        assert config["distributed"]["worker"]["profile"]["enabled"] is False, env


def test_compose_publishes_on_loopback_only() -> None:
    published = {name: s.get("ports", []) for name, s in compose()["services"].items()}
    assert published["postgres"] == [] and published["dask-scheduler"] == []
    assert published["web"] == ["127.0.0.1:8400:8400"]
    assert all(str(p).startswith("127.0.0.1:") for ports in published.values() for p in ports), published


def test_the_image_installs_the_distributed_extra_and_runs_unprivileged() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert stages[-1] == "python:3.11-slim"
    assert "pip install '.[distributed]'" in text
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert "distributed" in extras
    assert re.findall(r"^USER (\S+)", text, re.MULTILINE) == ["forewarn"]
    installs = [line for line in text.splitlines() if "apt-get install" in line]
    assert installs and all("--no-install-recommends" in line for line in installs)
    image = compose()["services"]["web"]
    assert image["build"]["dockerfile"] == "deploy/Dockerfile" and image["read_only"] is True


def test_prometheus_scrapes_web_with_a_token_and_the_watch_on_its_port() -> None:
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text(encoding="utf-8"))
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    web, watch = jobs["forewarn-web"], jobs["forewarn-watch"]
    assert web["authorization"] == {"type": "Bearer", "credentials_file": "/etc/prometheus/metrics_token"}
    assert web["static_configs"][0]["targets"] == ["web:8400"]
    port = compose()["services"]["watch"]["command"][-1]
    assert watch["static_configs"][0]["targets"] == [f"127.0.0.1:{port}"]
    instance = env_example(DEPLOY / "systemd" / "watch-main.env.example")
    assert instance[f"{ENV_PREFIX}METRICS_PORT"] == port


# -- systemd ---------------------------------------------------------------------------------------------------------


def test_the_units_are_there() -> None:
    assert [u.name for u in UNITS] == ["forewarn-backfill.service", "forewarn-dask-scheduler.service",
                                       "forewarn-dask-worker@.service", "forewarn-migrate.service",
                                       "forewarn-watch@.service", "forewarn-web.service"]


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_a_unit_parses_and_is_hardened(path: Path) -> None:
    service = unit(path)["Service"]
    assert service["User"] == "forewarn" and service["Group"] == "forewarn"
    for key, value in {"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes",
                       "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "",
                       "RestrictSUIDSGID": "yes", "SystemCallFilter": "@system-service"}.items():
        assert service.get(key) == value, (path.name, key)
    assert environment_files(path), "settings and secrets come from an EnvironmentFile"
    assert service["ExecStart"].startswith(VENV_BIN)


@pytest.mark.parametrize("path", UNITS, ids=lambda p: p.name)
def test_a_units_command_is_real_and_its_variables_are_defined(path: Path) -> None:
    defined: dict[str, str] = {}
    for file in environment_files(path):
        defined |= env_example(EXAMPLES[file])
    argv = shlex.split(_instantiated(unit(path)["Service"]["ExecStart"].removeprefix(VENV_BIN)))
    used = {m for arg in argv for m in re.findall(r"\$\{(\w+)\}", arg)}
    assert used <= set(defined), f"{path.name} uses {sorted(used - set(defined))} no environment file defines"
    check_command([re.sub(r"\$\{(\w+)\}", lambda m: defined[m.group(1)], arg) for arg in argv])


def test_the_example_environment_files_set_real_settings() -> None:
    for path in (DEPLOY / "forewarn.env.example", DEPLOY / "systemd" / "watch-main.env.example"):
        names = [k.removeprefix(ENV_PREFIX).lower() for k in env_example(path) if k.startswith(ENV_PREFIX)]
        assert names and set(names) <= set(Settings.names()), (path.name, set(names) - set(Settings.names()))


def test_systemd_verifies_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    venv = str(Path(sys.executable).parent) + "/"  # the executables must exist: this suite's own
    names = []
    for path in UNITS:
        name = path.name.replace("@.", f"@{INSTANCE['%i']}.")
        (tmp_path / name).write_text(path.read_text(encoding="utf-8").replace(VENV_BIN, venv), encoding="utf-8")
        names.append(str(tmp_path / name))
    done = subprocess.run([analyze, "verify", "--man=no", *names], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr.strip() == "" and done.stdout.strip() == "", done.stderr
