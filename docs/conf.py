"""Sphinx configuration for the incidentstats documentation (Sphinx + MyST-NB).

Build: ``make docs`` (``INCIDENTSTATS_DOCS_EXECUTE=1 sphinx-build -W --keep-going -b html docs
docs/_build/html``). With ``INCIDENTSTATS_DOCS_EXECUTE=1`` the notebooks in ``notebooks/`` are
executed and their outputs shown, cached by jupyter-cache in ``docs/_build/.jupyter_cache``;
without it (the CI test ``tests/test_docs.py``) they are rendered without outputs, since the
test suite executes them anyway.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))

import incidentstats  # noqa: E402

project = "incidentstats"
author = "incidentstats developers"
copyright = "incidentstats developers"  # no year: builds stay byte-stable
release = incidentstats.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    # MathJax 3 bundled into _static: maths renders without a network connection
    "sphinx-mathjax-offline",
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
if nb_execution_mode != "off":
    os.environ.pop("MPLBACKEND", None)  # let the kernels use the inline backend: figures shown
nb_execution_cache_path = str(DOCS / "_build" / ".jupyter_cache")
nb_execution_timeout = 600
nb_execution_raise_on_error = True
nb_merge_streams = True

# --- autodoc / autosummary / numpydoc ---------------------------------------------------------
autosummary_generate = ["api/_public_api.rst"]
autosummary_imported_members = True
autodoc_typehints = "none"  # numpydoc docstrings already state the types
autodoc_default_options: dict[str, object] = {}  # members are listed by the class template
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}  # no network during builds

# --- HTML -------------------------------------------------------------------------------------
html_theme = "alabaster"
html_theme_options = {"page_width": "1240px", "sidebar_width": "240px"}
html_title = f"incidentstats {release}"
html_static_path: list[str] = []
html_last_updated_fmt = None
html_show_sourcelink = False

suppress_warnings = ["mystnb.unknown_mime_type"]


# --- generated pages --------------------------------------------------------------------------
# Submodules whose public names users reach as ``incidentstats.<module>.<name>`` (documented
# when importable; names already exported at the top level are not documented twice).
EXTRA_MODULES = [
    "incidentstats.batch",
    "incidentstats.hawkes.discrete",
    "incidentstats.hawkes.simulate",
    "incidentstats.hawkes.multivariate",
    "incidentstats.rates",
    "incidentstats.its",
]


def _kind(obj: object) -> str:
    import inspect

    if inspect.isclass(obj) and issubclass(obj, (Exception, Warning)):
        return "Exceptions and warnings"
    if inspect.isclass(obj):
        return "Classes"
    return "Functions"


def _autosummary(names: list[str]) -> list[str]:
    return [".. autosummary::", "   :toctree: generated", "", *[f"   {n}" for n in names], ""]


def _public_api() -> str:
    """Autosummary tables: the top-level namespace, then each public submodule's extra names."""
    import importlib
    import inspect

    seen: set[int] = set()
    groups: dict[str, list[str]] = {"Classes": [], "Functions": [], "Exceptions and warnings": []}
    modules: list[str] = []
    for name in sorted(incidentstats.__all__, key=str.lower):
        if name.startswith("_"):
            continue
        obj = getattr(incidentstats, name)
        if inspect.ismodule(obj):
            modules.append(obj.__name__)
            continue
        seen.add(id(obj))
        groups[_kind(obj)].append(name)
    lines = [".. currentmodule:: incidentstats", ""]
    for title, names in groups.items():
        if names:
            lines += [title, "-" * len(title), "", *_autosummary(names)]
    for modname in sorted(set(modules)) + EXTRA_MODULES:
        try:
            mod = importlib.import_module(modname)
        except ImportError:
            continue
        parent, _, child = modname.rpartition(".")
        if getattr(sys.modules.get(parent), child, mod) is not mod:
            continue  # the name is shadowed by a function of the parent (e.g. hawkes.simulate)
        names = []
        for name in getattr(mod, "__all__", []):
            obj = getattr(mod, name, None)
            if obj is None or inspect.ismodule(obj) or id(obj) in seen:
                continue
            seen.add(id(obj))
            names.append(name)
        title = f"``{modname}``"
        lines += [title, "-" * len(title), "", f".. automodule:: {modname}", ""]
        lines += [f".. currentmodule:: {modname}", ""]
        if names:
            lines += _autosummary(names)
    return "\n".join(lines)


def _write_if_changed(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


_api_text = _public_api()
if not (DOCS / "api" / "_public_api.rst").exists() or (
    (DOCS / "api" / "_public_api.rst").read_text(encoding="utf-8") != _api_text
):
    # the public names changed: drop stale stubs (autosummary writes them again)
    import shutil

    shutil.rmtree(DOCS / "api" / "generated", ignore_errors=True)
_write_if_changed(DOCS / "api" / "_public_api.rst", _api_text)

# Pages owned elsewhere that may not exist yet: listed in a toctree only once they do.
_OPTIONAL_PAGES = {"report_schema": DOCS / "report_schema.md"}


def _fill_optional_toctree_entries(app, docname, source):  # type: ignore[no-untyped-def]
    if docname != "index":
        return
    for name, path in _OPTIONAL_PAGES.items():
        source[0] = source[0].replace(f"@{name}@", name if path.exists() else "")


_PIPES = re.compile(r"(?<![\\`|\w])\|([^|`\n]+?)\|(?![\w|`])")


def _escape_plain_pipes(app, what, name, obj, options, lines):  # type: ignore[no-untyped-def]
    """Render ``|x|`` (absolute values written in plain docstring prose) literally.

    reST reads ``|x|`` as a substitution reference; docstrings here never use substitutions.
    Lines of tables, line blocks, math (``:math:`` roles and ``.. math::`` blocks) and code are
    left alone.
    """
    in_math, math_indent = False, 0
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if in_math and stripped and indent <= math_indent:
            in_math = False
        if stripped.startswith(".. math::"):
            in_math, math_indent = True, indent
            continue
        if in_math or not stripped or stripped[0] in "|+=" or ":math:" in line or ">>>" in line:
            continue
        lines[i] = _PIPES.sub(lambda m: "\\|" + m.group(1) + "\\|", line)


def setup(app):  # type: ignore[no-untyped-def]
    app.connect("source-read", _fill_optional_toctree_entries)
    app.connect("autodoc-process-docstring", _escape_plain_pipes)
