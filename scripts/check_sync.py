"""CI gate: notebooks are clean, `vaepapers/` is what `nbdev_export` makes of them, the published tables in the
notebooks' markdown are the package's data, and README.md is what `scripts/make_readme.py` makes of nbs/index.ipynb.

Steps, each in place: `nbdev_export`; every notebook under nbs/ cleaned as `scripts/notebook_clean.py` says (nbdev's
cleaner with the settings.ini options, plus the project's `kernelspec`/`language_info`; the same cleaning the
Jupyter pre-save hook does) and its published-table cells regenerated (a markdown cell whose first line is
`<!-- published: NAME -->` gets the rest of its text from `vaepapers.reproduce.published_markdown(NAME)`);
`scripts/make_readme.py`. Any file a step changes means the commit was not clean or not in sync. The files are left
fixed (notebooks rewritten atomically), so after a failure `git diff` shows what to commit.
"""
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]       # this checkout's vaepapers (also when a copy is checked)
import notebook_clean  # noqa: E402

BIN = Path(sys.executable).parent
MARKER = re.compile(r"<!--\s*published:\s*(\S+?)\s*-->")


def notebooks(root: Path) -> list[Path]:
    "The notebooks `nbdev_clean` cleans: under nbs/, not in folders starting with '_' or '.' (checkpoints)."
    nbs = root / "nbs"
    return sorted(p for p in nbs.rglob("*.ipynb") if not any(part[0] in "_." for part in p.relative_to(nbs).parts[:-1]))


def snapshot(root: Path) -> dict[str, str]:
    files = [*notebooks(root), *root.glob("vaepapers/**/*.py"), root / "README.md"]
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.exists()}


def published_name(cell: dict) -> str | None:
    "NAME if `cell` is a published-table cell (markdown, first line `<!-- published: NAME -->`), else None."
    if cell.get("cell_type") != "markdown":
        return None
    source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
    m = MARKER.fullmatch(source.split("\n", 1)[0].strip())
    return m.group(1) if m else None


def published_source(name: str) -> str:
    "The whole text of the published-table cell NAME."
    from vaepapers.reproduce import published_markdown
    return f"<!-- published: {name} -->\n\n{published_markdown(name)}"


def fix_published(nb: dict, where: str) -> list[str]:
    "Regenerate the published-table cells of `nb` in place; the errors (unknown NAME), each naming `where`."
    errors = []
    for k, cell in enumerate(nb["cells"]):
        name = published_name(cell)
        if name is None:
            continue
        try:
            cell["source"] = published_source(name).splitlines(keepends=True)
        except ValueError as e:
            errors.append(f"{where}, cell {k} (`<!-- published: {name} -->`): {e}")
    return errors


def clean_notebooks(root: Path) -> list[str]:
    "Clean every notebook and regenerate its published tables, writing only those that change; the errors."
    errors = []
    for path in notebooks(root):
        where = str(path.relative_to(root))
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as e:
            errors.append(f"{where}: not valid JSON ({e})")
            continue
        notebook_clean.clean(nb, root)
        errors += fix_published(nb, where)
        notebook_clean.write_if_changed(path, notebook_clean.notebook_text(nb))
    return errors


def main(root: Path = ROOT) -> int:
    before = snapshot(root)
    subprocess.run([str(BIN / "nbdev_export")], cwd=root, check=True)
    errors = clean_notebooks(root)
    subprocess.run([sys.executable, str(root / "scripts/make_readme.py")], cwd=root, check=True)
    after = snapshot(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if errors:
        print("Errors:", *errors, sep="\n  ")
    if changed:
        print("Out of sync (now fixed in the work tree; review with `git diff` and commit):", *changed, sep="\n  ")
        print("Notebooks are the source: edit nbs/, then run scripts/check_sync.py (it cleans, exports and writes "
              "the published tables and README.md).")
    if errors or changed:
        return 1
    print(f"notebooks clean, published tables, vaepapers/ and README.md in sync ({len(after)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
