"""CI gate: notebooks are clean (`nbdev_clean`), `vaepapers/` is what `nbdev_export` makes of them, and
README.md is what `scripts/make_readme.py` makes of nbs/index.ipynb.

Each tool is run in place; any file it changes means the commit was not clean or not in sync. The files are
left fixed, so after a failure `git diff` shows what to commit.
"""
import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def snapshot() -> dict[str, str]:
    files = [*ROOT.glob("nbs/**/*.ipynb"), *ROOT.glob("vaepapers/**/*.py"), ROOT / "README.md"]
    return {str(p.relative_to(ROOT)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.exists()}


def main() -> int:
    before = snapshot()
    for cmd in ([BIN / "nbdev_clean"], [BIN / "nbdev_export"], [sys.executable, ROOT / "scripts/make_readme.py"]):
        subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)
    after = snapshot()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    if changed:
        print("Out of sync (now fixed in the work tree; review with `git diff` and commit):", *changed, sep="\n  ")
        print("Notebooks are the source: edit nbs/, then run nbdev_clean, nbdev_export and scripts/make_readme.py.")
        return 1
    print(f"notebooks clean, vaepapers/ and README.md in sync ({len(after)} files checked)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
