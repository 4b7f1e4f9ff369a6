import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared_data() -> Path:
    "The real corpora of this workplace (read-only), or skip when they are not beside the project."
    path = Path(os.environ.get("VAEPAPERS_DATA", SHARED))
    if not (path / "ptb" / "train.txt").exists():
        pytest.skip(f"real corpora not found at {path}")
    return path
