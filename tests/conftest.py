from pathlib import Path

import papermill as pm
import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def run_notebook():
    """Run `nbs/<name>.ipynb` with papermill as a user would, into `tmp`; returns its out_dir.

    Defaults: the `smoke` profile, out_dir `tmp/<name>`, runs_dir `tmp/runs` (share `tmp` between notebooks that
    reuse each other's trained models); any notebook parameter can be passed as a keyword."""
    def run(name: str, tmp: Path, **params) -> Path:
        out = Path(params.pop("out_dir", tmp / name))
        parameters = {"profile": "smoke", "out_dir": str(out), "runs_dir": str(tmp / "runs")} | params
        pm.execute_notebook(str(ROOT / "nbs" / f"{name}.ipynb"), str(tmp / f"{name}.out.ipynb"),
                            parameters=parameters, cwd=str(ROOT), kernel_name="python3", progress_bar=False)
        return out
    return run


@pytest.fixture(scope="session")
def dry_run(run_notebook, tmp_path_factory):
    "The out_dir of artefact notebook `name` run with `dry_run=True` on its `paper` profile (once per session)."
    done: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in done:
            done[name] = run_notebook(name, tmp_path_factory.mktemp(f"dry-{name}"), profile="paper", dry_run=True)
        return done[name]
    return get


@pytest.fixture(scope="module")
def shared(tmp_path_factory, request):
    "One temporary folder per test module whose runs/ the module's notebooks share (as they share runs_dir in use)."
    return tmp_path_factory.mktemp(request.module.__name__.removeprefix("tests.").removeprefix("test_"))


@pytest.fixture(scope="session")
def checkpoints():
    """checkpoints(folder) -> every checkpoint under `folder` with its modification time (ns); equal before and after
    a notebook ran = that notebook found the runs and did not retrain them."""
    return lambda folder: {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in Path(folder).rglob("*.pt")}
