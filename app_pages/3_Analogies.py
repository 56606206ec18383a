"""Analogies: a:b :: c:? by vector arithmetic, the parallelogram, whole families from the Google set."""
import pandas as pd
import streamlit as st

import embedlab
from embedlab.space.echoes import input_echoes
from embedlab.viz import analogy_figure, analogy_plane
from ui import cached, figures, lesson_bar, params
from ui.figures import columns, plotly_chart
from ui.setup import page_set
from ui.text import md_text

FAMILY_LABELS = {
    "capital-common-countries": "capital – country (common)", "capital-world": "capital – country (world)",
    "currency": "country – currency", "city-in-state": "city – US state", "family": "gender (family words)",
    "gram1-adjective-to-adverb": "adjective – adverb", "gram2-opposite": "opposite (un-, in-)",
    "gram3-comparative": "comparative (big – bigger)", "gram4-superlative": "superlative (big – biggest)",
    "gram5-present-participle": "present participle (walk – walking)",
    "gram6-nationality-adjective": "country – nationality", "gram7-past-tense": "past tense (walking – walked)",
    "gram8-plural": "plural (noun)", "gram9-plural-verbs": "plural verbs (work – works)",
}
METHOD_LABELS = {"3cosadd": "3CosAdd (b − a + c)", "3cosmul": "3CosMul (multiplicative)"}

es = page_set()
st.title("Analogies")
st.markdown(
    "*man* is to *king* as *woman* is to … ? Take the step from **a** to **b** (man → king) and add it to **c** "
    "(woman): the word nearest to **b − a + c** is the answer. Try your own, or pick a family of analogies "
    "below and test all of its questions at once."
)
if es is None:
    st.stop()

sections = cached.analogy_sections()
params.bind("an_a", "a", "man")
params.bind("an_b", "b", "king")
params.bind("an_c", "c", "woman")
params.bind("an_method", "method", "3cosadd", options=tuple(METHOD_LABELS))
params.bind("an_k", "k", 10, parse=int, check=lambda v: 1 <= v <= 20)
params.bind("an_exclude", "exclude", True, parse=params.to_bool)
params.bind("an_family", "family", "family", options=tuple(sections))


def use_example(question):
    st.session_state["an_a"], st.session_state["an_b"], st.session_state["an_c"] = question[:3]


c1, c2, c3 = st.columns(3)
a = c1.text_input("a", value=params.value("an_a"), key="an_a").strip()
b = c2.text_input("is to b", value=params.value("an_b"), key="an_b").strip()
c = c3.text_input("as c is to ?", value=params.value("an_c"), key="an_c").strip()
o1, o2, o3 = st.columns([2, 1, 2])
method = o1.radio("Method", tuple(METHOD_LABELS),
                  index=params.index("an_method", tuple(METHOD_LABELS)), key="an_method",
                  format_func=METHOD_LABELS.get, horizontal=True)
k = o2.slider("Answers shown", 1, 20, value=params.value("an_k"), key="an_k")
exclude = o3.toggle("Leave the input words out of the answers", value=params.value("an_exclude"), key="an_exclude")
st.caption(
    "As in gensim, a, b and c are not allowed as answers: b − a + c usually lies closest to b itself, so "
    "without this rule the “answer” is very often just b. Nissim, van Noord and van der Goot (2020, *Fair is "
    "better than sensational*) showed that many famous analogies — biased ones included — only look right "
    "because of this rule. Switch it off to see.")

answers = []
if a and b and c:
    try:
        typed = es.resolve([a, b, c])
        a, b, c = typed.tokens
        if typed.changed:
            st.caption(md_text(typed.note()))
        answers = cached.analogy(es, a, b, c, k, method, exclude)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
if answers and lesson_bar.revealed():   # a lesson's question first, then the answer
    best = answers[0].token
    note = " (that is just b)" if best == b else " (that is just c)" if best == c else ""
    st.subheader(f"{md_text(a)} : {md_text(b)} :: {md_text(c)} : **{md_text(best)}**{note}")
    # on a projector the parallelogram takes the whole width, the table goes below it
    right, left = columns([1, 2])[::-1]
    score_name = "cosine with b − a + c" if method == "3cosadd" else "3CosMul score"
    left.dataframe(pd.DataFrame({"rank": range(1, len(answers) + 1), "answer": [n.token for n in answers],
                                 score_name: [round(n.score, 4) for n in answers]}),
                   hide_index=True, width="stretch", key="an_table")
    plane = analogy_plane(es, a, b, c, [n.token for n in answers[:3]])
    plotly_chart(analogy_figure(plane), width="stretch", config={"displaylogo": False}, key="an_plane", where=right)
    right.caption(
        "A flat picture fitted to just these words and their nearest neighbours (PCA): a → b and "
        "c → b − a + c are the same arrow. The answer is the word whose *direction* from the origin is closest "
        "to b − a + c (cosine), so it need not be the nearest dot here; the plane keeps "
        f"{plane.explained:.0%} of the spread of these points. Grey dots: nearby words (hover for names).")

st.divider()
st.subheader("A whole family of analogies")
st.markdown("The Google analogy test set (Mikolov et al., 2013) groups 19,544 questions into families. "
            "Run one to see how often the space gets the expected word, and where it goes wrong.")
f1, f2 = st.columns([2, 1])
family = f1.selectbox("Family", tuple(sections),
                      index=params.index("an_family", tuple(sections)), key="an_family",
                      format_func=lambda s: FAMILY_LABELS.get(s, s))
params.sync({"a": "an_a", "b": "an_b", "c": "an_c", "method": "an_method", "k": ("an_k", str),
             "exclude": ("an_exclude", params.from_bool), "family": "an_family"})
questions = sections[family]
usable = cached.answerable(es, family)          # questions whose four words this set has
f2.button("Try its first question above", on_click=use_example, args=(usable[0] if usable else None,),
          key="an_example", disabled=not usable,
          help=None if usable else f"None of this family's questions has all four words in {es.name}.")
st.caption("Examples: " + "; ".join(f"{q[0]} : {q[1]} :: {q[2]} : {q[3]}" for q in usable[:3])
           + f" … ({len(usable):,} of {len(questions):,} questions have all four words in this set)")
if st.button("Run the whole family", type="primary", key="an_run"):
    st.session_state["an_ran"] = True
if st.session_state.get("an_ran"):
    try:
        res = cached.run_family(es, family, method, exclude)
    except embedlab.EmbedLabError as exc:
        st.error(md_text(exc))
    else:
        m1, m2, m3 = st.columns(3)
        m1.metric("Accuracy (top answer)", f"{res.accuracy:.0%}")
        m2.metric("Questions answered", f"{res.covered:,}")
        # (a long label wrapped at 1024 px in presenter mode and put its number below the other two)
        m3.metric("Questions skipped", f"{res.skipped:,}", help="A word of the question is not in this set.")
        if not exclude:
            echo = input_echoes(res.rows)
            st.warning(f"With the input words allowed, the top answer is simply an input word in "
                       f"{echo.share:.0%} of {echo.answered:,} questions: b in {echo.just_b:,}, "
                       f"c in {echo.just_c:,}.")
        misses = [r for r in res.rows if r.got is not None and not r.correct]
        st.markdown(f"**Misses** ({len(misses):,}): *rank* is where the expected word came "
                    "(empty = not in the top 10).")
        figures.table(pd.DataFrame([{"a": r.a, "b": r.b, "c": r.c, "expected": r.expected, "got": r.got,
                                     "rank of expected": r.rank} for r in misses],
                                   columns=["a", "b", "c", "expected", "got", "rank of expected"]),
                      key="an_misses", presenter_height=480)
