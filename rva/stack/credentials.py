"""Local S3 credentials: generated on first start, kept in the state dir, never committed."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

REGION = "us-east-1"  # MinIO ignores regions, but every S3 client insists on one


@dataclass(frozen=True)
class Credentials:
    """The S3 key pair that MinIO, the catalog, Flink and Trino share."""

    access_key: str
    secret_key: str

    def aws_env(self) -> dict[str, str]:
        """The variables the AWS SDKs (Iceberg S3FileIO, Trino) read by default."""
        return {
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": REGION,
        }


def load_or_create(path: Path) -> Credentials:
    """Read the key pair from ``path``, generating it (mode 0600) on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(
            f"RVA_S3_ACCESS_KEY=rva-{secrets.token_hex(6)}\n"
            f"RVA_S3_SECRET_KEY={secrets.token_urlsafe(30)}\n"
        )
    values = dict(
        line.split("=", 1) for line in path.read_text().splitlines() if "=" in line
    )
    return Credentials(values["RVA_S3_ACCESS_KEY"], values["RVA_S3_SECRET_KEY"])
