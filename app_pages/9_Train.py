"""Train: upload a corpus, watch word2vec learn, evaluate the result, export it."""
import hashlib
import os
import time

import pandas as pd
import streamlit as st

import embedlab
from embedlab.io import builtin_corpora as bc
from embedlab.io import corpus as cp
from embedlab.io.formats import export_bytes, table_bytes
from embedlab.io.workspace import max_bytes_from_env
from embedlab.train import training as tr
from embedlab.space.axes import parse_words
from embedlab.viz.train_plots import loss_figure, rank_frequency_figure, training_animation
from ui import params
from ui import training as ut
from ui import workspace as uws
from ui.figures import plotly_chart
from ui.text import file_stem, md_text

st.title("🏋️ Train your own embeddings")
st.markdown(
    "A word embedding is learned from text: **word2vec** reads a corpus word by word and nudges each word's "
    "vector towards the vectors of the words around it, so words used in similar places end up close together. "
    "Pick or upload a corpus, press **Train**, and watch a few words travel from their random starting points "
    "to their learned places. The trained set then appears in the sidebar on every page."
)

SYNC = os.environ.get("EMBEDLAB_TRAIN_SYNC") == "1"   # tests: train in the script run, not in a thread
SOURCES = {"toy": "Toy royalty corpus", "lee": "Lee news corpus", "upload": "Upload a file", "paste": "Paste text"}
JOB, RESULT, ERROR, WARN = ut.JOB, ut.RESULT, ut.ERROR, ut.WARN
CPUS = os.cpu_count() or 1

# -- the workspace's job (this session's, or one a reload re-attaches to): finished = show it -------------
if uws.drop_old_key_param():
    st.info("This address had an old-style workspace key (`?ws=`). Keys are no longer taken from links, because "
            "anybody with such a link could read and delete the sets: it was removed from the address and opens "
            "nothing here. Your own workspace is kept in this browser; to give somebody a trained set, use its "
            "**Share** link.")
job = ut.current_job()
if job is not None and job.finished:
    ut.finish(job)
if WARN in st.session_state:
    st.warning(md_text(st.session_state.pop(WARN)))

uws.restore_sets()

# -- a set somebody shared with a link (?share=): read-only, first thing on the page ----------------------
token = uws.shared_token()
if token is not None:
    st.header("Shared with you")
    try:
        shared_entry = ut.shared_entry(token)
        s1, s2 = st.columns([6, 1])
        s1.markdown(f"**{md_text(shared_entry.name)}** · {shared_entry.n_tokens:,} words × {shared_entry.dim} d · "
                    f"shared read-only: you can use it in this session; it stays its owner's.")
        s2.button("Use", key="tr_use_shared", on_click=ut.use_shared, args=(token,))
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))


# -- 1. corpus ---------------------------------------------------------------------------------------------
params.bind("tr_source", "corpus", "toy", options=list(SOURCES))
params.bind("tr_lower", "lower", True, parse=params.to_bool)
params.bind("tr_punct", "punct", True, parse=params.to_bool)
params.bind("tr_phrases", "phrases", False, parse=params.to_bool)
params.bind("tr_min_count", "min_count", 2, parse=int, check=lambda v: 1 <= v <= 1000)

st.header("1 · Corpus")
source = st.radio("Where the text comes from", list(SOURCES),
                  index=params.index("tr_source", list(SOURCES)), key="tr_source", horizontal=True,
                  format_func=SOURCES.get)
upload_mb = st.get_option("server.maxUploadSize")
st.caption(
    f"Limits: files up to {min(cp.MAX_FILE_BYTES / 2**20, upload_mb):.0f} MB (.txt, .md, .cor, .csv, .tsv, .zip); "
    f"a zip may list at most {cp.MAX_ZIP_MEMBERS} entries, unpack to at most "
    f"{cp.MAX_UNCOMPRESSED_BYTES / 2**20:.0f} MB and keep its text files at the top (or in one folder); "
    f"at most {cp.MAX_TOTAL_TOKENS:,} tokens. Training needs at least {tr.MIN_TRAIN_TOKENS} tokens and "
    f"{tr.MIN_VOCAB} distinct words. Text is read as UTF-8; if that fails, as Windows-1252 (you are told).")
o1, o2, o3, o4 = st.columns(4)
lower = o1.checkbox("lowercase",
                    value=params.value("tr_lower"), key="tr_lower", help="'King' and 'king' become one word")
punct = o2.checkbox("drop punctuation",
                    value=params.value("tr_punct"), key="tr_punct", help="otherwise every punctuation mark is a token")
phrases = o3.checkbox("join phrases", value=params.value("tr_phrases"), key="tr_phrases",
                      help="gensim Phrases: frequent pairs such as new york become one token, new_york")
min_count = o4.number_input("min_count", 1, 1000, value=params.value("tr_min_count"), key="tr_min_count",
                            help="words rarer than this are left out of training")
opts = cp.TokenizeOptions(lowercase=lower, strip_punctuation=punct, phrases=phrases)

corpus, blocker = None, "Pick, upload or paste a corpus first."
try:
    if source in ("toy", "lee"):
        st.caption(bc.BUILTIN_CORPORA[source])
        corpus = uws.builtin_corpus(source, opts)
    elif source == "upload":
        exts = [e.lstrip(".") for e in cp.TEXT_EXTENSIONS + cp.CSV_EXTENSIONS + cp.ZIP_EXTENSIONS]
        up = st.file_uploader("Corpus file", type=exts, key="tr_upload",
                              help="Plain text, a CSV/TSV with a text column, or a zip of text files.")
        if up is not None:
            column = None
            if up.name.lower().endswith(cp.CSV_EXTENSIONS):
                cols = ut.session_corpus(("columns", up.file_id), lambda: cp.csv_columns(up, filename=up.name))
                column = st.selectbox("Text column", cols, key="tr_column")
            corpus = ut.session_corpus(("upload", up.file_id, column, opts),
                                     lambda: cp.read_corpus(up, filename=up.name, text_column=column, options=opts))
    else:
        text = st.text_area("Paste text (a few paragraphs at least)", key="tr_paste", height=180)
        if text.strip():
            digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
            corpus = ut.session_corpus(("paste", digest, opts), lambda: cp.corpus_from_text(text, options=opts))
except embedlab.EmbedLabError as exc:
    st.error(md_text(exc))
    corpus = None
if corpus is not None and not isinstance(corpus, cp.Corpus):
    corpus = None

if corpus is not None:
    stats = ut.stats(corpus, int(min_count))
    blocker = tr.corpus_too_small(stats.n_tokens, stats.types_kept, min_count=int(min_count))
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("tokens (running words)", f"{stats.n_tokens:,}")
    m2.metric("types (distinct words)", f"{stats.n_types:,}")
    m3.metric(f"types seen ≥ {min_count}×", f"{stats.types_kept:,}")
    m4.metric("sentences", f"{stats.n_sentences:,}")
    for note in corpus.notes:
        st.info(md_text(note))
    left, right = st.columns([1, 2])
    left.dataframe(pd.DataFrame(stats.top, columns=["word", "count"]), hide_index=True, width="stretch",
                   height=420, key="tr_top")
    plotly_chart(rank_frequency_figure(stats.counts, stats.words, title="Rank and frequency (Zipf)"),
                 width="stretch", config={"displaylogo": False}, key="tr_zipf", where=right)
    st.caption("A few words are very frequent and most are rare: on log axes the points fall near a straight line "
               "(Zipf's law). Words below min_count get no vector.")

# -- 2. training ---------------------------------------------------------------------------------------------
params.bind("tr_model", "model", "word2vec", options=list(tr.MODELS))
params.bind("tr_arch", "arch", "cbow", options=("cbow", "sg"))
params.bind("tr_out", "out", "neg", options=("neg", "hs"))
params.bind("tr_dim", "dim", 50, parse=int, check=lambda v: 2 <= v <= 300)
params.bind("tr_window", "window", 5, parse=int, check=lambda v: 1 <= v <= 15)
params.bind("tr_epochs", "epochs", 15, parse=int, check=lambda v: 1 <= v <= 100)
params.bind("tr_seed", "seed", 1, parse=int, check=lambda v: 0 <= v < 2**31)
params.bind("tr_workers", "workers", 1, parse=int, check=lambda v: 1 <= v <= CPUS)
params.bind("tr_watch", "watch", "")

st.header("2 · Train")
job = ut.current_job()
with st.form("tr_form"):
    c1, c2, c3 = st.columns(3)
    c1.selectbox("Model", list(tr.MODELS), index=params.index("tr_model", list(tr.MODELS)), key="tr_model",
                 format_func={"word2vec": "word2vec", "fasttext": "fastText (also learns word pieces)"}.get)
    c1.radio("Architecture", ("cbow", "sg"),
             index=params.index("tr_arch", ("cbow", "sg")), key="tr_arch", horizontal=True,
             format_func={"cbow": "CBOW (context → word)", "sg": "skip-gram (word → context)"}.get)
    c1.radio("Output layer", ("neg", "hs"), index=params.index("tr_out", ("neg", "hs")), key="tr_out", horizontal=True,
             format_func={"neg": "negative sampling", "hs": "hierarchical softmax"}.get)
    c2.slider("Vector size (dimensions)", 2, 300, value=params.value("tr_dim"), key="tr_dim")
    c2.slider("Window (words on each side)", 1, 15, value=params.value("tr_window"), key="tr_window")
    c2.slider("Epochs (passes over the corpus)", 1, 100, value=params.value("tr_epochs"), key="tr_epochs")
    c3.number_input("Seed", 0, 2**31 - 1,
                    value=params.value("tr_seed"), key="tr_seed", help="same seed + 1 worker = same vectors")
    c3.number_input("Workers (threads)", 1, CPUS, value=params.value("tr_workers"), key="tr_workers")
    st.text_input("Words to watch while training (empty: a sensible default)",
                  value=params.value("tr_watch"), key="tr_watch",
                  placeholder="king queen man woman")
    submitted = st.form_submit_button("Train", type="primary",
                                      disabled=corpus is None or job is not None or blocker is not None)
    if blocker is not None and job is None:
        st.error(md_text(blocker))          # the reason, right below the disabled button
    failed = st.session_state.pop(ERROR, None)
    if failed is not None:                  # a run's error, next to the button that started it
        st.error(f"Training failed: {md_text(failed)}")
        st.session_state[ut.STALE] = True

params.sync({"corpus": "tr_source", "lower": ("tr_lower", params.from_bool), "punct": ("tr_punct", params.from_bool),
             "phrases": ("tr_phrases", params.from_bool), "min_count": ("tr_min_count", str), "model": "tr_model",
             "arch": "tr_arch", "out": "tr_out", "dim": ("tr_dim", str), "window": ("tr_window", str),
             "epochs": ("tr_epochs", str), "seed": ("tr_seed", str), "workers": ("tr_workers", str),
             "watch": "tr_watch"})
ut.prepare_training_process(corpus)    # a warm process holding the corpus waits for Train (issue 15)

if submitted and corpus is not None and job is None and blocker is None:
    try:
        p = tr.TrainParams(model=st.session_state.tr_model, sg=st.session_state.tr_arch == "sg",
                           hs=st.session_state.tr_out == "hs", vector_size=int(st.session_state.tr_dim),
                           window=int(st.session_state.tr_window), epochs=int(st.session_state.tr_epochs),
                           min_count=int(min_count), seed=int(st.session_state.tr_seed),
                           workers=int(st.session_state.tr_workers))
        watch = parse_words(st.session_state.tr_watch) or None
        name = ut.unique_set_name(f"{corpus.name}-{p.model}-{p.vector_size}d")
        new_job = ut.new_job(corpus, p, watch=watch, name=name)
        st.session_state[ut.STALE] = True
        if SYNC:
            new_job.run()
        else:
            new_job.start()
        st.rerun()
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))


@st.fragment(run_every=0.5)
def _progress() -> None:
    j = st.session_state.get(JOB)
    if j is None:
        return
    j.touch()                           # watched: not abandoned
    if j.finished:
        st.rerun()
    reps = j.reports
    if j.state == "waiting":
        text = "Waiting for a free training slot (other sessions are training)…"
    else:
        text = f"Epoch {len(reps)} of {j.params.epochs}"
        if reps and reps[-1].loss is not None:
            text += f" · loss of the last epoch {reps[-1].loss:,.0f}"
        elif reps:
            text += " · gensim reports no loss for fastText"
        if reps:
            text += f" · {reps[-1].elapsed:.1f} s"
    st.progress(j.fraction, text=text)
    st.button("⏹ Stop after this epoch", key="tr_stop", on_click=j.stop, disabled=j.stop_event.is_set())


if st.session_state.get(JOB) is not None:
    _progress()

# -- 3. result -------------------------------------------------------------------------------------------------
res: tr.TrainingResult | None = st.session_state.get(RESULT)




if res is not None:
    es = res.embedding_set
    if st.session_state.get(ut.STALE):
        st.header("3 · Previous result")
        st.info(f"This is the result of an earlier run (**{md_text(es.name)}**), not of the last Train press.")
    else:
        st.header("3 · Result")
    done = f"stopped after {res.epochs_done} of {res.params.epochs} epochs" if res.stopped else \
        f"{res.epochs_done} epochs"
    st.success(f"**{md_text(es.name)}**: {len(es):,} words × {es.dim} dimensions, {done} in {res.train_seconds:.1f} s "
               f"({res.words_per_second:,.0f} words/s). It is selected in the sidebar and usable on every page.")
    st.caption(md_text(es.origin))
    for note in res.notes:
        st.info(md_text(note))
    hint = ut.poor_vectors_hint(es.fingerprint, es)
    if hint is not None:
        st.warning(md_text(hint))
    t_anim, t_loss, t_eval, t_export = st.tabs(["Watch it learn", "Loss", "Evaluate", "Export"])
    with t_anim:
        if res.watched:
            norm = st.toggle("Compare directions only (unit-length vectors)", value=True, key="tr_norm",
                             help="Cosine similarity ignores length; the random start vectors are tiny.")
            plotly_chart(training_animation(res.watched, res.snapshots, res.neighbors, losses=res.losses,
                                            normalize=norm, title=es.name),
                         width="stretch", config={"displaylogo": False}, key="tr_anim")
            st.caption("Press ▶ Play or drag the slider. Every snapshot is drawn in the same 2-D projection (a PCA "
                       "of the final vectors), so what moves is the words, not the axes. The table lists each "
                       "word's nearest neighbours in the whole vocabulary at that moment. After the first epoch all words often "
                       "point the same way (everything is similar to everything); later epochs pull them apart by "
                       "meaning.")
        else:
            st.info("None of the watched words made it into the vocabulary; nothing to animate.")
    with t_loss:
        plotly_chart(loss_figure(res.losses, note="gensim's FastText does not report a training loss"),
                     width="stretch", config={"displaylogo": False}, key="tr_loss")
        st.caption("The loss is gensim's running training loss of each epoch (word2vec only). It falls as the "
                   "vectors get better at predicting neighbouring words; the learning rate also falls each epoch.")
    with t_eval:
        toy = all(w in es for w in bc.TOY_WATCH_WORDS)
        ev = ut.evaluate(es.fingerprint, es, bc.TOY_ANALOGIES if toy else None)
        if ev.planted:
            st.markdown("**Planted analogies** (a is to b as c is to ?; rank of the expected answer):")
            st.dataframe(pd.DataFrame([(q.question, q.expected, q.best or "—", str(q.rank or "—")) for q in ev.planted],
                                      columns=["question", "expected", "best answer", "rank"]),
                         hide_index=True, key="tr_eval_toy")
        a = ev.analogies
        if a is None:
            st.warning(md_text(ev.analogies_error))
        else:
            st.markdown(f"**Google analogies** ({a.file}): {a.accuracy:.1%} correct ({a.correct:,} of {a.total:,}); "
                        f"coverage {a.coverage:.1%} — {a.skipped:,} questions use words this corpus never taught it.")
        for r in ev.pairs:
            if r.error is not None:
                st.markdown(f"**{r.file}**: not enough word pairs covered to score ({md_text(r.error)}).")
            else:
                st.markdown(f"**{r.file}**: Spearman {r.spearman:.3f}, Pearson {r.pearson:.3f} on {r.used:,} pairs; "
                            f"coverage {r.coverage:.1%} ({r.skipped:,} pairs skipped)."
                            + (" Too few pairs for the numbers to mean much." if r.used < 30 else ""))
        st.caption("A small corpus covers few benchmark words and scores low; the built-in MiniLM words were "
                   "learned from billions of words.")
    with t_export:
        st.markdown("Download the vectors to use elsewhere; the Projector pair opens in "
                    "projector.tensorflow.org (Load → vectors.tsv, then metadata.tsv).")
        e1, e2, e3, e4, e5, e6 = st.columns(6)
        stem = file_stem(es.name)
        e1.download_button("word2vec text", lambda: export_bytes(es, "word2vec-text"), file_name=f"{stem}.txt",
                           mime="text/plain", on_click="ignore", key="tr_dl_w2v")
        e2.download_button("vectors.tsv", lambda: export_bytes(es, "projector-vectors"), file_name="vectors.tsv",
                           mime="text/tab-separated-values", on_click="ignore", key="tr_dl_tsv")
        e3.download_button("metadata.tsv", lambda: export_bytes(es, "projector-metadata"), file_name="metadata.tsv",
                           mime="text/tab-separated-values", on_click="ignore", key="tr_dl_meta")
        e4.download_button(".npy", lambda: export_bytes(es, "npy"), file_name=f"{stem}.npy",
                           mime="application/octet-stream", on_click="ignore", key="tr_dl_npy")
        e5.download_button("vocabulary", lambda: export_bytes(es, "vocab"), file_name=f"{stem}.vocab.txt",
                           mime="text/plain", on_click="ignore", key="tr_dl_vocab")
        e6.download_button("Parquet", lambda: table_bytes(es, "parquet"), file_name=f"{stem}.parquet",
                           mime="application/vnd.apache.parquet", on_click="ignore", key="tr_dl_parquet",
                           help="token, vector and frequency columns, for pandas / Polars / DuckDB")

# -- 4. workspace ------------------------------------------------------------------------------------------------
st.header("4 · Your workspace")
if (ws_problem := max_bytes_from_env()[1]):
    st.warning(ws_problem)
ws = uws.session_workspace()
try:
    entries = ws.list()
except embedlab.EmbedLabError as exc:  # an unreadable folder must not break the page
    entries = []
    st.error(md_text(exc))
used = sum(e.size_bytes for e in entries)
st.caption(f"Trained sets are saved here so a reload or an app restart loses nothing: {len(entries)} set(s), "
           f"{used / 2**20:.1f} MB of {ws.max_bytes / 2**20:.0f} MB; when full, the oldest sets are deleted first. "
           "This workspace is yours alone: this browser keeps its key (a cookie), never the page's address, so "
           "a copied link opens nothing of it. A training keeps going and is saved if you close the tab; "
           f"a training that no open page has watched for {ut.abandon_minutes()} is stopped. "
           "**Share** gives a read-only link to one set.")

shared_links = st.session_state.get(ut.SHARED, {})
for e in entries:
    c1, c2, c3, c4 = st.columns([5, 1, 1, 1])
    c1.markdown(f"**{md_text(e.name)}** · {e.n_tokens:,} words × {e.dim} d · {e.size_bytes / 2**20:.2f} MB · "
                f"saved {time.strftime('%Y-%m-%d %H:%M', time.localtime(e.created))}")
    c2.button("Use", key=f"tr_use_{e.id}", on_click=ut.use_saved, args=(ws, e.id))
    c3.button("Share", key=f"tr_share_{e.id}", on_click=ut.share_saved, args=(ws, e.id))
    c4.button("Delete", key=f"tr_del_{e.id}", on_click=ut.delete_saved, args=(ws, e.id))
    if e.id in shared_links:
        st.caption("Read-only link to this set (it opens this set only; deleting the set withdraws it):")
        st.code(uws.share_link(shared_links[e.id]), language=None)
uws.remember_in_browser()
