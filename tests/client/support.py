"""Shared constants of the client's wire-level tests."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MODEL = json.loads(
    (ROOT / "service-model/cognito-idp/2016-04-18/service-2.json").read_text(encoding="utf-8")
)
ENDPOINT = "https://cognito-idp.eu-west-1.amazonaws.com/"
