"""embedlab.core.errors and embedlab.core.validate: every error type exported, one message style."""
import inspect

import numpy as np
import pytest

import embedlab
from embedlab.core import errors
from embedlab.core.validate import check_bool, check_choice, check_float, check_int, check_matrix


def test_every_error_and_warning_type_is_exported_from_embedlab():
    defined = [n for n, o in vars(errors).items()
               if inspect.isclass(o) and issubclass(o, (Exception, Warning)) and o.__module__ == errors.__name__]
    assert len(defined) >= 11
    for name in defined:
        assert name in embedlab.__all__ and getattr(embedlab, name) is getattr(errors, name)
        assert name in errors.__all__


@pytest.mark.parametrize("value", [True, False, 2.9, 2.0, "3", None, np.bool_(True)])
def test_check_int_refuses_bools_floats_and_strings(value):
    with pytest.raises(embedlab.InvalidParameterError, match=r"^k=.* is not allowed; must be a whole number >= 1$"):
        check_int(value, "k", minimum=1)


def test_check_int_bounds_and_numpy_ints():
    assert check_int(np.int64(5), "n", minimum=1, maximum=5) == 5 and type(check_int(np.int64(5), "n")) is int
    with pytest.raises(embedlab.InvalidParameterError, match=r"^n=6 is not allowed; must be a whole number in \[1, 5\]$"):
        check_int(6, "n", minimum=1, maximum=5)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), True, "0.5", -0.1, 1.5])
def test_check_float_refuses_non_finite_bools_and_out_of_range(value):
    with pytest.raises(embedlab.InvalidParameterError, match=r"^min_dist=.* is not allowed; must be a number in \[0, 1\]$"):
        check_float(value, "min_dist", low=0, high=1)


def test_check_float_open_bounds():
    assert check_float(1, "alpha", low=0, low_open=True) == 1.0
    with pytest.raises(embedlab.InvalidParameterError, match=r"must be a number > 0$"):
        check_float(0, "alpha", low=0, low_open=True)


def test_check_choice_names_every_allowed_value():
    assert check_choice("Cosine", "metric", ("cosine", "euclidean")) == "cosine"
    with pytest.raises(embedlab.InvalidParameterError, match=r"^metric='Cosine' is not allowed; must be one of: cosine, euclidean$"):
        check_choice("Cosine", "metric", ("cosine", "euclidean"), case_sensitive=True)
    with pytest.raises(embedlab.InvalidParameterError, match="one of: cosine, euclidean"):
        check_choice(3, "metric", ("cosine", "euclidean"))


def test_check_bool_and_matrix():
    assert check_bool(np.bool_(False), "hs") is False
    with pytest.raises(embedlab.InvalidParameterError, match=r"^hs='yes' is not allowed; must be True or False$"):
        check_bool("yes", "hs")
    with pytest.raises(embedlab.InvalidParameterError, match="non-empty 2-D"):
        check_matrix(np.zeros((0, 3)), "data")
    with pytest.raises(embedlab.InvalidParameterError, match="NaN or inf"):
        check_matrix([[1.0, np.nan]], "data")
    v = np.ones((2, 2), dtype=np.float32)
    assert check_matrix(v, "data") is v
