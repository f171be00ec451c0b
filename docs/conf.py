"""Sphinx configuration for the incidentstats documentation (Sphinx + MyST-NB).

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (``make docs``).
Notebooks in ``notebooks/`` are rendered without executing them (they are executed in the
test suite instead); set ``INCIDENTSTATS_DOCS_EXECUTE=1`` to execute them, cached by
jupyter-cache in ``docs/_build/.jupyter_cache``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import incidentstats  # noqa: E402

project = "incidentstats"
author = "incidentstats developers"
copyright = "incidentstats developers"  # noqa: A001  (no year: builds stay byte-stable)
release = incidentstats.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
]

source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
root_doc = "index"
exclude_patterns = [
    "_build",
    "**.ipynb_checkpoints",
    "api/_public_api.rst",  # generated below and included by api/index.md
]
templates_path = ["_templates"]

# --- MyST / MyST-NB ---------------------------------------------------------------------------
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "cache" if os.environ.get("INCIDENTSTATS_DOCS_EXECUTE") == "1" else "off"
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True

# --- autodoc / autosummary / numpydoc ---------------------------------------------------------
autosummary_generate = ["api/_public_api.rst"]
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc docstrings already state the types
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}  # no network during builds

# --- HTML -------------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"incidentstats {release}"
html_static_path: list[str] = []
html_last_updated_fmt = None
html_show_sourcelink = False

suppress_warnings = ["mystnb.unknown_mime_type"]


# --- generated pages --------------------------------------------------------------------------
def _public_api() -> str:
    """An autosummary table of every name in ``incidentstats.__all__``, grouped by kind."""
    import inspect

    groups: dict[str, list[str]] = {"Classes": [], "Functions": [], "Exceptions and warnings": []}
    modules: list[str] = []
    for name in sorted(incidentstats.__all__, key=str.lower):
        if name.startswith("_"):
            continue
        obj = getattr(incidentstats, name)
        if inspect.ismodule(obj):
            modules.append(name)
        elif inspect.isclass(obj) and issubclass(obj, (Exception, Warning)):
            groups["Exceptions and warnings"].append(name)
        elif inspect.isclass(obj):
            groups["Classes"].append(name)
        elif callable(obj):
            groups["Functions"].append(name)
    lines = [".. currentmodule:: incidentstats", ""]
    for title, names in groups.items():
        if not names:
            continue
        lines += [title, "-" * len(title), "", ".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {n}" for n in names] + [""]
    if modules:
        title = "Modules"
        lines += [title, "-" * len(title), "", ".. autosummary::", "   :toctree: generated", ""]
        lines += [f"   {m}" for m in sorted(modules)] + [""]
    return "\n".join(lines)


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


_write_if_changed(DOCS / "api" / "_public_api.rst", _public_api())

# Pages owned elsewhere that may not exist yet: listed in a toctree only once they do.
_OPTIONAL_PAGES = {"report_schema": DOCS / "report_schema.md"}


def _fill_optional_toctree_entries(app, docname, source):  # type: ignore[no-untyped-def]
    if docname != "index":
        return
    for name, path in _OPTIONAL_PAGES.items():
        source[0] = source[0].replace(f"@{name}@", name if path.exists() else "")


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("source-read", _fill_optional_toctree_entries)
