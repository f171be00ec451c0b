"""Lazy re-exports for the package ``__init__`` files (PEP 562).

``import incidentstats`` loads none of the subpackages: numba, scipy and pandas are imported when a
name that needs them is first used (``ist.HawkesProcess``, ``ist.read_events``, ...). Each
package ``__init__`` lists the names it re-exports and the submodule that defines each, and
installs the ``__getattr__`` and ``__dir__`` made here. The objects are the ones defined in the
submodules: ``ist.HawkesProcess is incidentstats.hawkes.fit.HawkesProcess``.

Some re-exported functions share their name with the submodule that defines them
(``incidentstats.changepoints``, ``incidentstats.report``, ``incidentstats.hawkes.simulate``,
``incidentstats.hawkes.forecast``). Python's import system binds a submodule onto its package
as an attribute once the submodule is loaded, which would replace the function by the module;
the package's class is therefore switched to :class:`LazyPackage`, which keeps that name for the
function. Eager imports gave the same result (the function was bound after the submodule).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["LazyPackage", "lazy_package"]


class LazyPackage(types.ModuleType):
    """A package whose re-exported functions keep their names when a submodule of the same
    name is imported."""

    def __setattr__(self, name: str, value: Any) -> None:
        exports = self.__dict__.get("_lazy_exports", {})
        if (
            name in exports
            and isinstance(value, types.ModuleType)
            and value.__name__ == f"{self.__name__}.{name}"
        ):
            # the import system binding the submodule ``name``: the name belongs to the function
            # of that submodule, which ``__getattr__`` returns (and caches) on first use
            return
        super().__setattr__(name, value)


def lazy_package(
    name: str, exports: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for the package ``name``.

    Parameters
    ----------
    name : str
        The package's ``__name__``.
    exports : mapping of str to str
        Each re-exported name and the submodule (relative to the package, dotted) that defines
        it, e.g. ``{"HawkesProcess": "hawkes", "DiscreteHawkes": "hawkes.discrete"}``.

    Returns
    -------
    (__getattr__, __dir__)
        ``__getattr__`` imports the submodule defining a re-exported name, or a submodule asked
        for by its own name, and caches the result in the package's namespace; other names
        raise AttributeError. ``__dir__`` lists the namespace, the re-exported names and the
        public submodules.
    """
    package = sys.modules[name]
    package.__class__ = LazyPackage
    namespace = package.__dict__
    namespace["_lazy_exports"] = dict(exports)
    submodules: list[str] = []

    def _submodules() -> list[str]:
        if not submodules:
            submodules.extend(m.name for m in pkgutil.iter_modules(package.__path__))
        return submodules

    def __getattr__(attr: str) -> Any:
        if attr in exports:
            module = importlib.import_module(f"{name}.{exports[attr]}")
            value = getattr(module, attr)
        elif not attr.startswith("__") and attr in _submodules():
            value = importlib.import_module(f"{name}.{attr}")
        else:
            raise AttributeError(f"module {name!r} has no attribute {attr!r}")
        namespace[attr] = value
        return value

    def __dir__() -> list[str]:
        public = [m for m in _submodules() if not m.startswith("_")]
        return sorted({*namespace, *exports, *public})

    return __getattr__, __dir__
