"""The Train page's session glue: the corpus read once per input, its counts kept until the input
or min_count changes, a finished training job turned into a saved and selectable set, the scorecard
cached per trained set. No widgets in here."""
from __future__ import annotations

import logging
from typing import Callable

import streamlit as st

import embedlab
from embedlab.io.corpus import Corpus, CorpusStats, corpus_stats
from embedlab.space.scorecard import Scorecard, scorecard
from embedlab.train.training import TrainingJob

from . import state
from . import workspace as uws

JOB, RESULT, ERROR, WARN = "tr_job", "tr_result", "tr_error", "tr_warning"
STALE = "tr_result_stale"     # True while RESULT is from an earlier run (a run is going, or the last failed)
_CORPUS_KEY, _CORPUS, _STATS = "tr_corpus_key", "tr_corpus", "_tr_stats"


def prepare_training_process() -> None:
    """Have a warm training process waiting (:func:`embedlab.train.standby.prepare`), so that pressing
    Train does not wait for a new Python process to start and import gensim. Cheap when one is ready."""
    from embedlab.train import standby

    try:
        standby.prepare()
    except OSError as exc:  # no process could be started: the run spawns its own, as before
        logging.getLogger(__name__).warning("no standby training process: %s", exc)


def unique_set_name(base: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … : the first name no built-in or session set has."""
    taken = set(st.session_state[state.USER_SETS]) | set(embedlab.BUILTIN_SETS)
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    return name


def finish(job: TrainingJob) -> None:
    """A finished job: keep its result, save the set to the workspace, select it, rerun. A failed
    job leaves its message under :data:`ERROR` and the previous sets and result as they were."""
    st.session_state.pop(JOB, None)
    if job.error is not None:
        st.session_state[ERROR] = str(job.error)
        return
    res = job.result
    try:
        uws.session_workspace().save(res.embedding_set, params=res.params.to_dict(), training=res)
    except embedlab.EmbedLabError as exc:
        st.session_state[WARN] = f"The set is usable in this session but was not saved to the workspace: {exc}"
    st.session_state[RESULT] = res
    st.session_state[STALE] = False
    state.add_user_set(res.embedding_set)
    st.rerun()


def session_corpus(key, build: Callable[[], object]):
    """``build()`` once per ``key`` (the input and the options) in this session; its error is
    remembered too and raised again on every rerun until the input changes."""
    if st.session_state.get(_CORPUS_KEY) != key:
        try:
            with st.spinner("Reading the corpus…"):
                value = build()
        except embedlab.EmbedLabError as exc:
            value = exc
        st.session_state[_CORPUS_KEY], st.session_state[_CORPUS] = key, value
    value = st.session_state[_CORPUS]
    if isinstance(value, embedlab.EmbedLabError):
        raise value
    return value


def stats(corpus: Corpus, min_count: int) -> CorpusStats:
    """:func:`embedlab.io.corpus.corpus_stats` (top 20), computed again only when the corpus object
    or ``min_count`` changes (corpora are immutable and kept by a cache or this session)."""
    memo = st.session_state.get(_STATS)
    if memo is None or memo[0] is not corpus or memo[1] != min_count:
        memo = (corpus, min_count, corpus_stats(corpus, top=20, min_count=min_count))
        st.session_state[_STATS] = memo
    return memo[2]


@st.cache_data(max_entries=16, show_spinner="Evaluating on gensim's benchmark files…")
def evaluate(fingerprint: str, _es: embedlab.EmbeddingSet, planted: tuple | None) -> Scorecard:
    """:func:`embedlab.space.scorecard.scorecard` of a trained set, cached by its fingerprint."""
    return scorecard(_es, planted=planted, k=5)


@st.cache_data(max_entries=16, show_spinner=False)
def poor_vectors_hint(fingerprint: str, _es: embedlab.EmbeddingSet) -> str | None:
    """:func:`embedlab.train.training.poor_vectors_hint` of a trained set, cached by its fingerprint."""
    from embedlab.train.training import poor_vectors_hint as hint

    n_tokens = int(sum(_es.meta.get("frequency", ()) or ()))     # running words of the trained vocabulary
    return hint(_es, n_tokens=n_tokens)


def use_saved(ws, entry_id: str) -> None:
    """Button callback: make a workspace set current again, with its training record if it has one."""
    try:
        es, extra = ws.load_full(entry_id)
    except embedlab.EmbedLabError as exc:
        st.session_state[ERROR] = str(exc)
        return
    state.add_user_set(es)
    restored = uws.result_from_saved(es, extra)
    if restored is not None:
        st.session_state[RESULT] = restored
        st.session_state[STALE] = False


def delete_saved(ws, entry_id: str) -> None:
    """Button callback: delete a workspace set (an error is shown on the next run)."""
    try:
        ws.delete(entry_id)
    except embedlab.EmbedLabError as exc:
        st.session_state[ERROR] = str(exc)
