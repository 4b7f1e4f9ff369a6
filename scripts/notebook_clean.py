"""What a clean notebook of this project is, in one place, for the two writers that must agree on it:
`scripts/check_sync.py` (CI, `make test`) and the Jupyter pre-save hook (`scripts/jupyter_server_config.py`, which
`make setup` installs into the venv's own Jupyter config, so JupyterLab, Notebook 7 and any Jupyter server run from
`.venv` clean a notebook as they save it).

A clean notebook is what nbdev's cleaner makes of it (`nbdev.clean.clean_nb` with the settings.ini options
`nbdev_clean` reads: no execution counts, no cell metadata but `tags`, notebook metadata limited to
`allowed_metadata_keys` and nbdev's own list), with two notebook-level entries fixed to one value on every machine:

- `kernelspec`: the `python3` kernel (`make setup` installs it into the venv), display name `python3` as nbdev
  writes it;
- `language_info`: what ipykernel reports, without the Python version (machine-specific). JupyterLab colours code
  from it before a kernel has connected.

The file is written as nbformat writes it (sorted keys, one-space indent, UTF-8, final newline), so a notebook
saved by a Jupyter server, or rewritten by `jupyter nbconvert --to notebook --inplace`, comes out byte-identical.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

KERNELSPEC = {"display_name": "python3", "language": "python", "name": "python3"}
LANGUAGE_INFO = {"codemirror_mode": {"name": "ipython", "version": 3}, "file_extension": ".py",
                 "mimetype": "text/x-python", "name": "python", "nbconvert_exporter": "python",
                 "pygments_lexer": "ipython3"}


def settings(root: str | Path):
    "nbdev's config of the checkout at `root` (read afresh: settings.ini may change while a Jupyter server runs)."
    from nbdev.config import get_config
    get_config.cache_clear()
    return get_config(path=Path(root))


def normalise_metadata(nb: dict) -> None:
    "Set the notebook-level `kernelspec` and `language_info` to this project's values (in place)."
    nb.setdefault("metadata", {})
    nb["metadata"]["kernelspec"] = dict(KERNELSPEC)
    nb["metadata"]["language_info"] = json.loads(json.dumps(LANGUAGE_INFO))


def clean(nb: dict, root: str | Path) -> None:
    "Clean `nb` in place as `nbdev_clean` does with the settings of the checkout at `root`, then fix its metadata."
    from nbdev.clean import clean_nb
    cfg = settings(root)
    clean_nb(nb, cfg.clear_all, cfg.get("allowed_metadata_keys", "").split(),
             cfg.get("allowed_cell_metadata_keys", "").split(), cfg.clean_ids)
    normalise_metadata(nb)


def notebook_text(nb: dict) -> str:
    "The file text of `nb` as nbformat (a Jupyter server, nbconvert) and nbdev write it."
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def write_if_changed(path: str | Path, text: str) -> bool:
    "Write `text` to `path` through a temporary file renamed over it (never a half-written notebook); True if changed."
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True


def pre_save(model: dict[str, Any], root: str | Path) -> None:
    """The Jupyter pre-save hook's work on the contents `model` of a notebook of the checkout at `root`: clean it as
    `clean` does, unless settings.ini says `jupyter_hooks = False` (nbdev's switch for its own hook)."""
    if model.get("type") != "notebook" or model.get("content", {}).get("nbformat") != 4:
        return
    if settings(root).jupyter_hooks:
        clean(model["content"], root)
