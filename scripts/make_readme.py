"""Write README.md from nbs/index.ipynb: markdown cells as they are (relative links pointed into nbs/), code cells
as Python blocks, and their text outputs (no execution, no quarto needed)."""
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent


def from_root(markdown: str) -> str:
    "Links relative to nbs/ (`[x](00_data.ipynb)`, `figures/…`) made relative to the project root, where README is."
    return re.sub(r"\]\((?![a-z]+:|#|/)([^)]+)\)", r"](nbs/\1)", markdown)


def cell_markdown(cell) -> str:
    if cell.cell_type == "markdown":
        return from_root(cell.source)
    if cell.cell_type != "code" or cell.source.startswith("#| hide"):
        return ""
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    return f"```python\n{cell.source}\n```" + (f"\n\n```\n{text.rstrip()}\n```" if text else "")


def main() -> None:
    nb = nbformat.read(ROOT / "nbs" / "index.ipynb", as_version=4)
    parts = [cell_markdown(c) for c in nb.cells if c.cell_type != "raw"]
    body = "\n\n".join(p.strip() for p in parts if p.strip())
    header = "<!-- generated from nbs/index.ipynb by scripts/make_readme.py: edit the notebook, not this file -->"
    (ROOT / "README.md").write_text(f"{header}\n\n{body}\n")


if __name__ == "__main__":
    sys.exit(main())
