"""Parameter validation at the boundary, with one message style: the name, the value, what is allowed.

Every check returns the value converted to its plain Python type, or raises
:class:`~embedlab.core.errors.InvalidParameterError` whose message reads
``"<name>=<value> is not allowed; must be <what is allowed>"``.
Booleans are never accepted as numbers, and a float is never truncated to an int.

>>> check_int(3, "k", minimum=1)
3
>>> check_int(2.9, "k", minimum=1)
Traceback (most recent call last):
...
embedlab.core.errors.InvalidParameterError: k=2.9 is not allowed; must be a whole number >= 1
>>> check_choice("UMAP", "method", ("pca", "umap"))
'umap'
>>> check_float(0.5, "min_dist", low=0, high=1)
0.5
"""
from __future__ import annotations

import math
import numbers
import os
from typing import Iterable

import numpy as np

from .errors import InvalidParameterError

__all__ = ["invalid", "check_int", "check_float", "check_choice", "check_bool", "check_matrix",
           "env_megabytes"]


def invalid(name: str, value, allowed: str) -> InvalidParameterError:
    """The error for ``name=value``, saying what is allowed (raise it).

    >>> str(invalid("dims", 4, "one of: 2, 3"))
    'dims=4 is not allowed; must be one of: 2, 3'
    """
    return InvalidParameterError(f"{name}={value!r} is not allowed; must be {allowed}")


def _range_text(low, high, *, low_open: bool = False, high_open: bool = False, whole: bool = False) -> str:
    kind = "a whole number" if whole else "a number"
    if low is not None and high is not None:
        lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
        return f"{kind} in {lo}{low}, {high}{hi}"
    if low is not None:
        return f"{kind} {'>' if low_open else '>='} {low}"
    if high is not None:
        return f"{kind} {'<' if high_open else '<='} {high}"
    return kind


def check_int(value, name: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """A whole number (Python or NumPy integer, never a bool or a float) within the bounds.

    >>> check_int(True, "k", minimum=1)
    Traceback (most recent call last):
    ...
    embedlab.core.errors.InvalidParameterError: k=True is not allowed; must be a whole number >= 1
    """
    ok = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
    if ok:
        v = int(value)
        ok = (minimum is None or v >= minimum) and (maximum is None or v <= maximum)
    if not ok:
        raise invalid(name, value, _range_text(minimum, maximum, whole=True))
    return int(value)


def check_float(value, name: str, *, low: float | None = None, high: float | None = None,
                low_open: bool = False, high_open: bool = False) -> float:
    """A finite real number (ints allowed, bools not) within the bounds.

    >>> check_float(float("nan"), "alpha", low=0, low_open=True)
    Traceback (most recent call last):
    ...
    embedlab.core.errors.InvalidParameterError: alpha=nan is not allowed; must be a number > 0
    """
    ok = isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_))
    if ok:
        f = float(value)
        ok = math.isfinite(f)
        if ok and low is not None:
            ok = f > low if low_open else f >= low
        if ok and high is not None:
            ok = f < high if high_open else f <= high
    if not ok:
        raise invalid(name, value, _range_text(low, high, low_open=low_open, high_open=high_open))
    return float(value)


def check_choice(value, name: str, allowed: Iterable[str], *, case_sensitive: bool = False) -> str:
    """One of ``allowed`` (compared case-insensitively unless ``case_sensitive``); returns the allowed spelling.

    >>> check_choice("cos", "metric", ("cosine", "euclidean"))
    Traceback (most recent call last):
    ...
    embedlab.core.errors.InvalidParameterError: metric='cos' is not allowed; must be one of: cosine, euclidean
    """
    allowed = tuple(allowed)
    if isinstance(value, str):
        for a in allowed:
            if value == a or (not case_sensitive and value.lower() == a.lower()):
                return a
    raise invalid(name, value, "one of: " + ", ".join(map(str, allowed)))


def check_bool(value, name: str) -> bool:
    """``True`` or ``False`` (a NumPy bool too); never 0/1 or a string.

    >>> check_bool(1, "hs")
    Traceback (most recent call last):
    ...
    embedlab.core.errors.InvalidParameterError: hs=1 is not allowed; must be True or False
    """
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise invalid(name, value, "True or False")


def check_matrix(value, name: str) -> np.ndarray:
    """A non-empty 2-D array of finite numbers, as float32 C-contiguous (not copied when it already is).

    >>> check_matrix([[1, 2], [3, 4]], "data").dtype
    dtype('float32')
    """
    try:
        v = np.ascontiguousarray(value, dtype=np.float32)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"{name} is not allowed; must be a numeric (n, d) array ({exc})") from None
    if v.ndim != 2 or v.shape[0] == 0 or v.shape[1] == 0:
        raise InvalidParameterError(f"{name} of shape {v.shape} is not allowed; must be a non-empty 2-D array (n, d)")
    if not np.isfinite(v).all():
        raise InvalidParameterError(f"{name} is not allowed: it contains NaN or inf; every value must be finite")
    return v


def env_megabytes(name: str, default_mb: float) -> int:
    """The environment variable ``name``, a number of megabytes >= 0, in bytes (``default_mb`` when unset or empty).

    >>> env_megabytes("EMBEDLAB_NO_SUCH_VARIABLE", 1.5)
    1572864
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return int(default_mb * 2**20)
    try:
        mb = float(raw)
    except ValueError:
        raise invalid(name, raw, "a number of megabytes >= 0") from None
    return int(check_float(mb, name, low=0) * 2**20)
