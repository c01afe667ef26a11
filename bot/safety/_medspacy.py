"""Import medspaCy's ConText without its side effects.

Importing medspaCy pulls in PyRuSH, which logs every token at DEBUG through
loguru (patient text in the logs), and medspaCy's matcher module calls
`warnings.filterwarnings("ignore")` for the whole process. We silence the
former and undo the latter.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

from loguru import logger as _loguru

_NOISY_MODULES = ("PyRuSH", "medspacy", "PyFastNER", "quickumls", "quicksectx")

_saved_filters = list(warnings.filters)
try:
    from medspacy.context import ConText, ConTextRule  # noqa: F401  (re-exported)
finally:
    # typeshed declares warnings.filters a Sequence; at runtime it is a list.
    cast("list[Any]", warnings.filters)[:] = _saved_filters

for _name in _NOISY_MODULES:
    _loguru.disable(_name)

__all__ = ["ConText", "ConTextRule"]
