import numpy as np
import pytest

from embedlab import EmbeddingSet, InvalidParameterError
from embedlab.space.frequency import describe_points, frequency_order, most_frequent, token_frequencies


@pytest.fixture
def small():
    tokens = ["zebra", "##ing", "the", "[CLS]", "house", "qqqzzx", "The"]
    return EmbeddingSet(tokens, np.eye(7, dtype=np.float32), name="freq-toy")


def test_order_follows_english_frequency_unknown_last_in_row_order(small):
    order = [small.tokens[i] for i in frequency_order(small)]
    assert order[:4] == ["the", "The", "house", "zebra"]
    assert order[4:] == ["##ing", "[CLS]", "qqqzzx"]


def test_pieces_and_specials_are_not_words():
    f = token_frequencies(["##ing", "[SEP]", "ing"])
    assert f[0] == 0 and f[1] == 0 and f[2] > 0


def test_order_is_cached_read_only_and_keyed_by_content(small):
    first = frequency_order(small)
    assert frequency_order(small) is first
    assert not first.flags.writeable
    other = EmbeddingSet(small.tokens, np.eye(7, dtype=np.float32) * 2, name="freq-toy")
    assert frequency_order(other) is not first


def test_most_frequent_and_description(small):
    assert [small.tokens[i] for i in most_frequent(small, 2)] == ["the", "The"]
    assert len(most_frequent(small, None)) == len(small)
    text = describe_points(small, 5)
    assert text.startswith("the 5 most frequent of 7 tokens")
    assert "only 4 are known" in text
    with pytest.raises(InvalidParameterError, match="n=0 is not allowed; must be a whole number >= 1"):
        most_frequent(small, 0)


def test_default_set_top_words_are_common(words):
    top = {words.tokens[i] for i in most_frequent(words, 20)}
    assert {"the", "and", "of"} <= top
