"""`riskhub erase --client CLIENT_ID`: the right to erasure, from the command line."""

import argparse
import os
import sys
from pathlib import Path

from riskhub_assets.lib import settings


def _artifact_folder() -> Path | None:
    """MLflow's artifact folder beside a local SQLite store; None for a tracking server (it keeps its own)."""
    uri = settings.mlflow_tracking_uri()
    return (
        Path(uri.removeprefix("sqlite:///")).resolve().parent / "mlartifacts" if uri.startswith("sqlite:///") else None
    )


def erase(args: argparse.Namespace) -> int:
    """Erase the client named everywhere RiskHub stores them and print the certificate: 0 erased, 2 refused."""
    import dagster as dg
    import duckdb

    from riskhub_assets.lib.erasure import ErasureError
    from riskhub_assets.lib.erasure_certificate import ErasureTargets, erase_client, summary
    from riskhub_assets.lib.mapping import MappingError, load_mappings
    from riskhub_assets.orchestration.resources import PSEUDONYMISATION_KEY_VAR, Pseudonymiser

    production = settings.environment() == "production"
    artifacts = _artifact_folder()
    if artifacts is None:
        print(
            "MLflow is a tracking server (RISKHUB_MLFLOW_TRACKING_URI): erase the client's rows from its artifacts there"
        )
    try:
        key = Pseudonymiser(key=os.environ.get(PSEUDONYMISATION_KEY_VAR, ""), production=production).secret()
        targets = ErasureTargets(
            warehouse=settings.duckdb_path(),
            bi=settings.bi_dir(),
            landing=settings.landing_dir(),
            mappings=load_mappings(settings.mapping_dir()),
            reports=settings.reports_dir(),
            artifacts=artifacts,
            certificates=settings.data_dir() / "erasures",
        )
        path, certificate = erase_client(args.client, key, targets)
    except (ErasureError, MappingError, dg.Failure) as error:
        print(f"riskhub erase: {error}", file=sys.stderr)
        return 2
    except duckdb.IOException as error:
        print(f"riskhub erase: {error}: wait until no pipeline run writes the warehouse, then erase", file=sys.stderr)
        return 2
    print(summary(path, certificate))
    return 0


def add_erase_command(commands) -> None:
    """Add `erase` to the riskhub command's subcommands."""
    command = commands.add_parser(
        "erase",
        help="right to erasure: remove a client from every table, the BI copy and exports, the reports, the landing"
        " archive and MLflow's samples; write a certificate to data/erasures (no pipeline may run meanwhile)",
    )
    command.add_argument("--client", required=True, help="the bank's client number (client_id)")
    command.set_defaults(handler=erase)
