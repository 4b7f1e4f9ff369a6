# Jupyter server config of this project's venv: `make setup` copies it to .venv/etc/jupyter/ (the venv's own
# config folder, read by JupyterLab, Notebook 7, `jupyter server` run from .venv; never ~/.jupyter).
#
# Before a notebook is saved (autosave included), it is cleaned as `scripts/check_sync.py` cleans it — nbdev's
# cleaner with the settings.ini options, plus the project's fixed `kernelspec`/`language_info` — so opening,
# reading and saving a notebook leaves it byte-identical and `make test` keeps passing. The work is done by
# `scripts/notebook_clean.py` of the checkout the notebook is in (found from the notebook's path, so this file names
# no checkout); notebooks outside a vaepapers checkout are saved untouched. settings.ini `jupyter_hooks = False`
# turns it off, as for nbdev's own hook.


def vaepapers_pre_save(model, path, contents_manager, **kwargs):
    import importlib.util
    from pathlib import Path

    if model.get("type") != "notebook":
        return
    nb_file = Path(contents_manager.root_dir, path.strip("/")).resolve()
    for root in nb_file.parents:
        script = root / "scripts" / "notebook_clean.py"
        if (root / "settings.ini").is_file() and script.is_file():
            spec = importlib.util.spec_from_file_location("vaepapers_notebook_clean", script)
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
            module.pre_save(model, root)
            return


c.ContentsManager.pre_save_hook = vaepapers_pre_save  # noqa: F821 (`c` is the config object Jupyter provides)

# The server applies this setting to its contents manager more than once (twice with this venv's extensions);
# setting the same hook again is not worth two warnings at every start.
import warnings  # noqa: E402

warnings.filterwarnings("ignore", r"Overriding existing pre_save_hook \(vaepapers_pre_save\) with a new one "
                        r"\(vaepapers_pre_save\)", UserWarning)
