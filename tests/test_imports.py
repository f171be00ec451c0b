"""``import incidentstats`` is lazy (PEP 562) and the public namespace is what it was when every
subpackage was imported eagerly: same names, same objects, functions not shadowed by the
submodules that share their names."""

from __future__ import annotations

import ast
import importlib
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import incidentstats as ist

PACKAGES = ["incidentstats", "incidentstats.hawkes", "incidentstats.changepoints"]

#: Heavy dependencies that a bare ``import incidentstats`` must not load.
HEAVY = ["numpy", "pandas", "scipy", "numba", "statsmodels", "matplotlib", "tqdm", "click"]


def _fresh(code: str) -> dict:
    """Run ``code`` in a new interpreter; it prints one JSON document."""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    return json.loads(done.stdout)


def _type_checking_imports(package: str) -> dict[str, str]:
    """Names imported under ``if TYPE_CHECKING:`` in the package's ``__init__``, each with the
    absolute name of the module it is imported from (``from . import x`` gives the package)."""
    path = Path(importlib.import_module(package).__file__)
    tree = ast.parse(path.read_text(encoding="utf-8"))
    (block,) = [
        n
        for n in tree.body
        if isinstance(n, ast.If) and isinstance(n.test, ast.Name) and n.test.id == "TYPE_CHECKING"
    ]
    out = {}
    for node in block.body:
        assert isinstance(node, ast.ImportFrom) and node.level == 1, ast.dump(node)
        source = f"{package}.{node.module}" if node.module else package
        for alias in node.names:
            out[alias.asname or alias.name] = source
    return out


def test_bare_import_loads_no_heavy_dependency():
    loaded = _fresh(
        "import json, sys; import incidentstats; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    assert loaded == []


@pytest.mark.parametrize("package", PACKAGES)
def test_lazy_names_are_the_type_checking_names_and_all(package):
    mod = importlib.import_module(package)
    typed = _type_checking_imports(package)
    assert set(typed) == set(mod.__all__) - {"__version__"}
    assert set(mod._lazy_exports) == {n for n, src in typed.items() if src != package}


@pytest.mark.parametrize("package", PACKAGES)
def test_every_public_name_is_the_object_of_its_module(package):
    mod = importlib.import_module(package)
    for name, source in _type_checking_imports(package).items():
        value = getattr(mod, name)
        if source == package:  # `from . import datasets`: a subpackage
            assert isinstance(value, types.ModuleType) and value.__name__ == f"{package}.{name}"
        else:
            assert value is getattr(importlib.import_module(source), name), name
    assert set(mod.__all__) <= set(dir(mod))


def test_public_api_spellings():
    from incidentstats import changepoints
    from incidentstats.hawkes import HawkesProcess, PiecewiseBaseline

    assert changepoints is ist.changepoints and callable(changepoints)
    assert HawkesProcess is ist.HawkesProcess is ist.hawkes.HawkesProcess
    assert PiecewiseBaseline.__module__ == "incidentstats.hawkes.baselines"
    assert ist.__version__ == "0.1.0"
    namespace: dict = {}
    exec("from incidentstats import *", namespace)
    assert set(ist.__all__) <= set(namespace)
    for sub in ("datasets", "hawkes", "events", "io", "rates", "its", "batch", "compare"):
        assert sub in dir(ist)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="has no attribute 'HawkesProces'"):
        ist.HawkesProces
    assert not hasattr(ist.hawkes, "not_a_name")
    assert not hasattr(ist, "__wrapped__")


def test_functions_keep_their_names_when_the_same_named_submodule_is_imported_first():
    # Importing a submodule binds it onto its package; for these names the package attribute
    # must stay the function (as when __init__ imported everything eagerly).
    got = _fresh(
        "import json\n"
        "import incidentstats.report._writers, incidentstats.changepoints.bayesian_blocks\n"
        "import incidentstats.hawkes.simulate, incidentstats.hawkes.forecast\n"
        "import incidentstats as ist\n"
        "from incidentstats.changepoints import bayesian_blocks\n"
        "objs = {'report': ist.report, 'changepoints': ist.changepoints,\n"
        "        'simulate': ist.hawkes.simulate, 'forecast': ist.hawkes.forecast,\n"
        "        'bayesian_blocks': bayesian_blocks}\n"
        "print(json.dumps({k: [type(v).__name__, v.__module__] for k, v in objs.items()}))\n"
    )
    assert got == {
        "report": ["function", "incidentstats.report._report"],
        "changepoints": ["function", "incidentstats.changepoints._api"],
        "simulate": ["function", "incidentstats.hawkes.simulate"],
        "forecast": ["function", "incidentstats.hawkes.forecast"],
        "bayesian_blocks": ["function", "incidentstats.changepoints.bayesian_blocks"],
    }
