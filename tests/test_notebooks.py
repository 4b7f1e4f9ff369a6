"""Notebooks as readers meet them (issue 12): a notebook that Jupyter writes back unchanged in content — saved by a
Jupyter server (what JupyterLab's save and autosave do) or rewritten by `jupyter nbconvert --to notebook --inplace`
— passes the sync check; the published tables in the notebooks' markdown are the package's data; every artefact
notebook opens on its title, and `make nbtest` leaves artefact notebooks to papermill.

The Jupyter test works on a copy of the checkout in a temporary folder (the sync check rewrites what it finds out of
sync, and the copy absorbs that), with a server run from .venv as `make setup` configured it, and with Jupyter's
user folders pointed into that temporary folder, so ~/.jupyter neither changes the outcome nor is written to."""
import importlib.util
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from vaepapers.reproduce import published_markdown

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MARKER = re.compile(r"<!--\s*published:\s*(\S+?)\s*-->")


def notebooks(root: Path) -> list[Path]:
    return sorted((root / "nbs").glob("*.ipynb"))


def source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def check_sync(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(root / "scripts" / "check_sync.py")], cwd=root, capture_output=True,
                          text=True, timeout=300)


def load_script(name: str):
    "scripts/<name>.py of this checkout as a module (sys.path as it was: check_sync puts its checkout first)."
    path = list(sys.path)
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def checkout(tmp_path) -> Path:
    "A copy of the checkout's sources."
    copy = tmp_path / "vaepapers"
    top = {".git", ".venv", "out", "data", "runs", "_docs", "_proc", ".pytest_cache"}
    everywhere = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "*.egg-info", ".*.tmp")
    shutil.copytree(ROOT, copy, ignore=lambda d, names: set(everywhere(d, names)) | (top & set(names) if Path(d) == ROOT
                                                                                     else set()))
    return copy


def jupyter_env(root: Path) -> dict[str, str]:
    "Jupyter's user config, data and runtime folders beside `root`: only the venv's own config applies."
    home = root.parent / "jupyter-home"
    dirs = {"JUPYTER_CONFIG_DIR": home / "config", "JUPYTER_DATA_DIR": home / "data",
            "JUPYTER_RUNTIME_DIR": home / "runtime"}
    for d in dirs.values():
        d.mkdir(parents=True, exist_ok=True)
    return os.environ | {k: str(v) for k, v in dirs.items()} | {"JUPYTER_PLATFORM_DIRS": "0"}


def as_jupyterlab_sends(content: dict) -> dict:
    """`content` as JupyterLab sends it after a kernel has connected: the kernelspec of the installed `python3`
    kernel (its display name) and the language_info ipykernel reports (with this Python's version)."""
    from ipykernel.ipkernel import IPythonKernel
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/python3/kernel.json").read_text())
    content = json.loads(json.dumps(content))
    content["metadata"]["kernelspec"] = {"name": "python3", "display_name": spec["display_name"],
                                         "language": spec["language"]}
    content["metadata"]["language_info"] = dict(IPythonKernel.language_info)
    for cell in content["cells"]:
        cell["metadata"]["trusted"] = True
    return content


def test_jupyter_hook_installed():
    installed = Path(sys.prefix) / "etc/jupyter/jupyter_server_config.py"
    assert installed.is_file() and installed.read_text() == (ROOT / "scripts/jupyter_server_config.py").read_text(), \
        "the venv's Jupyter config is not this checkout's scripts/jupyter_server_config.py: run `make setup`"


def test_saved_by_jupyter_in_sync(checkout):
    """Every notebook of a copy brought in sync (by the check itself: what it changed there is not the point here),
    rewritten by nbconvert and saved through a Jupyter server — as opened, and as JupyterLab sends it once a kernel
    has connected — stays byte-identical, and the check then finds nothing to change."""
    env = jupyter_env(checkout)
    port, token = free_port(), os.urandom(16).hex()
    log = checkout.parent / "jupyter-server.log"

    def api(method: str, path: str, body: dict | None = None) -> dict:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/contents/{path}", method=method,
                                     data=None if body is None else json.dumps(body).encode(),
                                     headers={"Authorization": f"token {token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.load(r)

    with open(log, "w") as out:
        server = subprocess.Popen(                                      # starts while the copy is brought in sync
            [str(BIN / "jupyter"), "server", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={checkout}",
             "--allow-root"], cwd=checkout, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        load_script("check_sync").main(checkout)     # in this process, which has the package imported already
        before = {p: p.read_bytes() for p in notebooks(checkout)}
        assert before, "no notebooks"

        converted = subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "notebook", "--inplace",
                                    *map(str, before)], cwd=checkout, env=env, capture_output=True, text=True,
                                   timeout=120)
        assert converted.returncode == 0, converted.stderr[-2000:]
        changed = [p.name for p, b in before.items() if p.read_bytes() != b]
        assert not changed, f"jupyter nbconvert --inplace rewrote {changed}"

        deadline = time.monotonic() + 90
        while True:
            try:
                api("GET", "")
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, \
                    "jupyter server did not start:\n" + log.read_text()[-3000:]
                time.sleep(0.2)
        for p in before:
            path = p.relative_to(checkout).as_posix()
            opened = api("GET", path)["content"]
            for how, content in [("as opened", opened), ("after a kernel connected", as_jupyterlab_sends(opened))]:
                api("PUT", path, {"type": "notebook", "format": "json", "content": content})
                assert p.read_bytes() == before[p], \
                    f"{p.name} saved through the Jupyter server {how} changed:\n{p.read_text()[-1500:]}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    assert "Pre-save hook" not in log.read_text(), log.read_text()[-3000:]
    result = check_sync(checkout)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hook_cleans_only_notebooks_of_a_checkout(tmp_path):
    "The installed hook's function, called as the server calls it: a notebook elsewhere keeps its metadata."
    ns = {"c": type("C", (), {"ContentsManager": type("CM", (), {})()})()}
    exec((ROOT / "scripts/jupyter_server_config.py").read_text(), ns)
    hook = ns["vaepapers_pre_save"]
    lab = as_jupyterlab_sends(json.loads((ROOT / "nbs/index.ipynb").read_text(encoding="utf-8")))
    model = {"type": "notebook", "content": json.loads(json.dumps(lab))}
    hook(model=model, path="elsewhere.ipynb", contents_manager=type("M", (), {"root_dir": str(tmp_path)})())
    assert model["content"] == lab
    hook(model=model, path="nbs/index.ipynb", contents_manager=type("M", (), {"root_dir": str(ROOT)})())
    clean = load_script("notebook_clean")
    assert model["content"]["metadata"] == {"kernelspec": clean.KERNELSPEC, "language_info": clean.LANGUAGE_INFO}
    assert not any("trusted" in c["metadata"] for c in model["content"]["cells"])


def published_cells() -> list[tuple[str, int, str, str]]:
    "(notebook, cell index, NAME, text after the marker line) of every published-table cell of the checkout."
    found = []
    for p in notebooks(ROOT):
        for k, cell in enumerate(json.loads(p.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "markdown":
                continue
            first, _, rest = source(cell).partition("\n")
            m = MARKER.fullmatch(first.strip())
            if m:
                found.append((p.name, k, m.group(1), rest))
    return found


def test_published_tables_are_package_data():
    cells = published_cells()
    assert cells, "no `<!-- published: NAME -->` cell in any notebook"
    for name, k, table, rest in cells:
        assert rest == "\n" + published_markdown(table), \
            f"{name}, cell {k}: the published table {table!r} is not the package's data; run scripts/check_sync.py"


def artefact_pattern() -> re.Pattern:
    "The skip pattern of `make nbtest` (Makefile NBTEST_SKIP, `$$` being make's `$`)."
    m = re.search(r"^NBTEST_SKIP\s*:=\s*(.+)$", (ROOT / "Makefile").read_text(), flags=re.MULTILINE)
    assert m, "Makefile has no NBTEST_SKIP"
    return re.compile(m.group(1).strip().replace("$$", "$"))


def test_artefact_notebooks_open_on_their_title():
    pattern = artefact_pattern()
    artefacts = [p for p in notebooks(ROOT) if re.fullmatch(r"[a-z][a-z0-9]*_[a-z0-9_]+\.ipynb", p.name)]
    assert len(artefacts) >= 8, [p.name for p in artefacts]
    for p in artefacts:
        first = json.loads(p.read_text(encoding="utf-8"))["cells"][0]
        assert first["cell_type"] == "markdown" and source(first).startswith("# "), \
            f"{p.name} opens on a {first['cell_type']} cell {source(first)[:60]!r}, not on its title"
    skipped = {p.name for p in notebooks(ROOT) if pattern.search(p.name)}
    assert skipped == {p.name for p in artefacts}, "make nbtest must skip the artefact notebooks and only them"


def test_published_cell_filled_and_unknown_name_refused():
    "check_sync fills a marker-only cell from the package data, and names the notebook of an unknown table."
    check = load_script("check_sync")
    nb = {"cells": [{"cell_type": "markdown", "metadata": {}, "source": ["<!-- published: kruengkrai_table3 -->"]},
                    {"cell_type": "markdown", "metadata": {}, "source": "<!-- published: no_such_table -->\n\nold"},
                    {"cell_type": "markdown", "metadata": {}, "source": "Text <!-- published: kruengkrai_table3 -->"}]}
    errors = check.fix_published(nb, "nbs/demo.ipynb")
    assert "".join(nb["cells"][0]["source"]) == "<!-- published: kruengkrai_table3 -->\n\n" + \
        published_markdown("kruengkrai_table3")
    assert nb["cells"][1]["source"] == "<!-- published: no_such_table -->\n\nold"       # left as it was
    assert nb["cells"][2]["source"] == "Text <!-- published: kruengkrai_table3 -->"     # not a marker line
    assert len(errors) == 1 and errors[0].startswith("nbs/demo.ipynb, cell 1") and "no_such_table" in errors[0]
