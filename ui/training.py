"""The Train page's session glue: the corpus read once per input, its counts kept until the input
or min_count changes, a finished training job turned into a selectable set, the scorecard cached
per trained set, the workspace buttons (use, share, delete). No widgets in here.

Training jobs outlive their page: a job is started with the session's workspace (it saves its own
result there when it ends) and entered in a process-wide table keyed by the workspace's owner key,
so a reload or a second tab of the same browser re-attaches to the running job and shows its
progress, or its result once done. A job no page polls for ``$EMBEDLAB_TRAIN_ABANDON_S`` seconds
(default 600) is stopped, freeing its training slot (what it learnt is saved)."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

import streamlit as st

import embedlab
from embedlab.io.corpus import Corpus, CorpusStats, corpus_stats
from embedlab.space.scorecard import Scorecard, scorecard
from embedlab.train.job import abandon_seconds
from embedlab.train.training import TrainingJob

from . import state
from . import workspace as uws

JOB, RESULT, ERROR, WARN = "tr_job", "tr_result", "tr_error", "tr_warning"
STALE = "tr_result_stale"     # True while RESULT is from an earlier run (a run is going, or the last failed)
_CORPUS_KEY, _CORPUS, _STATS = "tr_corpus_key", "tr_corpus", "_tr_stats"


def prepare_training_process(corpus=None) -> None:
    """Have a warm training process waiting (:func:`embedlab.train.standby.prepare`), so that pressing
    Train does not wait for a new Python process to start and import gensim; with the page's
    ``corpus``, that process is sent it ahead (once per corpus), so Train sends only the parameters.
    Cheap when one is ready."""
    from embedlab.train import standby

    try:
        standby.prepare(corpus)
    except OSError as exc:  # no process could be started: the run spawns its own, as before
        logging.getLogger(__name__).warning("no standby training process: %s", exc)


def unique_set_name(base: str) -> str:
    """``base``, or ``base-2``, ``base-3`` … : the first name no built-in or session set has."""
    taken = set(st.session_state[state.USER_SETS]) | set(embedlab.BUILTIN_SETS)
    name, i = base, 2
    while name in taken:
        name, i = f"{base}-{i}", i + 1
    return name


# -- jobs that outlive their page ----------------------------------------------------------------
_JOBS: dict[str, TrainingJob] = {}      # owner key -> its latest job (one training per workspace)
_JOBS_LOCK = threading.Lock()
_KEEP_FINISHED_S = 3600.0               # a finished job waits this long after its last poll to be shown


def _prune() -> None:
    now = time.monotonic()
    for key, job in list(_JOBS.items()):
        if job.finished and now - job.last_seen > _KEEP_FINISHED_S:       # (its set is in the workspace)
            del _JOBS[key]


def make_job(corpus, params, *, watch, name, workspace) -> TrainingJob:
    """The Train page's job (not started): it saves its result to ``workspace`` itself and is
    stopped if no page polls it for :func:`~embedlab.train.job.abandon_seconds`. (bench_perf
    times this, beside :func:`embedlab.train.training.train`.)"""
    return TrainingJob(corpus, params, watch=watch, name=name, workspace=workspace, abandon_after=abandon_seconds())


def new_job(corpus, params, *, watch, name) -> TrainingJob:
    """A training job of this session's workspace (:func:`make_job`), entered in the process-wide
    table, so another session of the same workspace finds it (not started here)."""
    job = make_job(corpus, params, watch=watch, name=name, workspace=uws.session_workspace())
    with _JOBS_LOCK:
        _prune()
        _JOBS[uws.workspace_key()] = job
    st.session_state[JOB] = job
    return job


def current_job() -> TrainingJob | None:
    """This session's training job, else the running or unshown job of its workspace (a reload
    re-attaches to it); marks it as watched."""
    job = st.session_state.get(JOB)
    if job is None:
        with _JOBS_LOCK:
            _prune()
            job = _JOBS.get(uws.workspace_key())
        if job is not None:
            st.session_state[JOB] = job
    if job is not None:
        job.touch()
    return job


def finish(job: TrainingJob) -> None:
    """A finished job (it saved its set itself): keep its result, select the set, rerun. A failed
    job leaves its message under :data:`ERROR` and the previous sets and result as they were."""
    st.session_state.pop(JOB, None)
    with _JOBS_LOCK:
        if _JOBS.get(uws.workspace_key()) is job:
            del _JOBS[uws.workspace_key()]
    if job.error is not None:
        st.session_state[ERROR] = str(job.error)
        return
    res = job.result
    if job.workspace is None:             # (a job made elsewhere, without a workspace)
        try:
            uws.session_workspace().save(res.embedding_set, params=res.params.to_dict(), training=res)
        except embedlab.EmbedLabError as exc:
            job.save_error = exc
    if job.save_error is not None:
        st.session_state[WARN] = ("The set is usable in this session but was not saved to the workspace: "
                                  f"{job.save_error}")
    elif job.abandoned:
        st.session_state[WARN] = (f"No page watched this training for {job.abandon_after:.0f} s, so it was stopped "
                                  f"after {res.epochs_done} of {res.params.epochs} epochs; what it learnt was saved.")
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


def _use(load: Callable[[], tuple]) -> None:
    """Make the set ``load()`` gives (``(set, extra, ...)``) current, with its training record if it
    has one; a load error is shown on the next run."""
    try:
        es, extra = load()[:2]
    except embedlab.EmbedLabError as exc:
        st.session_state[ERROR] = str(exc)
        return
    state.add_user_set(es)
    restored = uws.result_from_saved(es, extra)
    if restored is not None:
        st.session_state[RESULT] = restored
        st.session_state[STALE] = False


def use_saved(ws, entry_id: str) -> None:
    """Button callback: make a workspace set current again, with its training record if it has one."""
    _use(lambda: ws.load_full(entry_id))


def delete_saved(ws, entry_id: str) -> None:
    """Button callback: delete a workspace set and withdraw its share link (an error is shown on the
    next run). Only the owner's page has this button: ``ws`` is the session's own workspace."""
    from embedlab.io.shares import revoke

    try:
        revoke(ws, entry_id)
        ws.delete(entry_id)
    except embedlab.EmbedLabError as exc:
        st.session_state[ERROR] = str(exc)
    st.session_state.get(SHARED, {}).pop(entry_id, None)


SHARED = "tr_shared"        # {entry id: share token} made in this session, to show their links


def share_saved(ws, entry_id: str) -> None:
    """Button callback: make (or find) the read-only share link of a workspace set."""
    from embedlab.io.shares import share

    try:
        st.session_state.setdefault(SHARED, {})[entry_id] = share(ws, entry_id)
    except embedlab.EmbedLabError as exc:
        st.session_state[ERROR] = str(exc)


def shared_entry(token: str):
    """The listing (name, sizes) of the set a ``?share=`` token opens; raises EmbedLabError."""
    from embedlab.io.shares import shared_entry as _entry

    return _entry(token)


def use_shared(token: str) -> None:
    """Button callback: make a shared set selectable in this session (a copy in memory; the owner's
    file stays untouched), with its training record."""
    from embedlab.io.shares import open_shared

    _use(lambda: open_shared(token))


def abandon_minutes() -> str:
    """The abandon time for the page's text, e.g. ``"10 minutes"`` (the variable named if it is bad)."""
    try:
        seconds = abandon_seconds()
    except embedlab.EmbedLabError:
        return "the time set by EMBEDLAB_TRAIN_ABANDON_S"
    return f"{seconds / 60:g} minutes" if seconds >= 60 else f"{seconds:g} seconds"
