"""First-Map benchmark: a freshly started server, as `make run` starts it and as the bare app (issue 12 item 3).

Run by hand:  ``python bench/bench_first_map.py``   (about 15 minutes on 2 cores; ``--only make run,session 4``,
``--only "bare,floor,second"`` ... splits it into shorter runs)

Servers one after the other, each with its own empty cache and workspace folders
(bench_load.app_server), timed in Debian Chromium through Playwright, each request a new browser
session (no HTTP cache: the Streamlit and plotly.js bundles are fetched and compiled every time):

warm (``streamlit run server.py`` = ``make run``; its start hook, ui.warm, warms the server)
  1. the server is started and ``/Map`` is requested the moment ``/_stcore/health`` answers (a class
     that arrives with the server): timed from ``page.goto`` to the figure drawn (plotly's layout
     built, the x-axis titled ``PC 1``) and the script run over;
  2. wait for the log line ``warm: default Map ready`` (its time after the start is printed), then
     a new session's ``/Map``: the first Map of a server started before the class;
  3. wait until the UMAP and t-SNE layouts are on disk and the log says their views are ready (``warm: UMAP
     and t-SNE Maps ready``: until session 13 only the files were waited for, and the UMAP request met
     the server still drawing the t-SNE view), then ``/Map?method=umap`` and ``?method=tsne``.
at once (``--only "at once"``): request 1 on 3 fresh servers, the median (a single request is noisy here).
first visitor (``--only "first visitor"``): `make run`'s server started before the class, nothing requested
  until the default Map is warm, then its first Map request and a second one; fresh server per round,
  medians of 3 (the rows above have the "at once" request before them, which paid the first page
  run's costs).
bare app, no warm-up (``streamlit run app.py``, ``EMBEDLAB_PRECOMPUTE=0``: the reference, what a class met
before): the same requests; the UMAP and t-SNE requests fit (and compile numba) in front of the user.
floor (``bench/first_map_floor.py``: a page with nothing but one ``st.plotly_chart`` of the same kind of
figure, 5,000 WebGL points in 8 traces with hover words): what Streamlit + plotly.js + this Chromium cost
before any of EmbedLab's work; the Map's time beside it.

Columns of `make run`'s server with its issue-12 switches (CONFIGS): ``make run`` (the 2-D Map drawn
by plotly.js's gl2d bundle, ui.map_chart), ``whole plotly.js`` (``st.plotly_chart``), (both with ui.preload's
modulepreload links for the Map's chunks and their import once the page has loaded, and the warm-up's
background steps waiting for quiet), ``links only``, ``no preload``, ``session 4`` (neither: the
server session 4 measured); each column's last row, ``server idle``, is the median of 3
new sessions after the layouts are on disk.
second visit (same browser profile on disk, fresh server on the same address): the Map from the
browser's HTTP cache, beside new profiles on the same server, alternately, medians of 3.
floor, preloaded (``bench/first_map_floor_server.py``): the floor page with the plotly chunk's link.

The browser is launched once and shown one WebGL page before the first timed request (``warm_browser``:
a browser already running, as a classroom's is; ``--cold-browser``: not).

Printed: one row per request, the servers side by side, the target (<= 3 s) and the ratios.
Bounded: 127.0.0.1 only, fixed requests, every wait has a timeout, each server's process group is
killed at the end whatever happens.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import CHROMIUM_ARGS, FINISHED_JS, app_server, free_port  # noqa: E402

TARGET_S = 3.0
START_TIMEOUT_S = 300.0
N_POINTS = 5000
REQUESTS = (("Map (PCA)", "Map", "PC 1"), ("Map?method=umap", "Map?method=umap", "UMAP 1"),
            ("Map?method=tsne", "Map?method=tsne", "t-SNE 1"))
FIGURE_JS = """(title) => {
  const plot = document.querySelector('.js-plotly-plot');
  if (!plot || !plot._fullLayout || !plot.querySelector('.main-svg')) return false;
  const t = plot._fullLayout.xaxis && plot._fullLayout.xaxis.title && plot._fullLayout.xaxis.title.text;
  return typeof t === 'string' && t.startsWith(title);
}"""


async def first_figure(browser, url: str, title: str, timeout_s: float, *, context=None) -> float:
    """Seconds from the request of ``url`` to its figure drawn and the run over: a new browser
    session in a new context of ``browser`` (no HTTP cache), or a new page of ``context`` (its cache)."""
    own = context is None
    if own:
        context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    try:
        t0 = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
        await page.wait_for_function(FIGURE_JS, arg=title, timeout=timeout_s * 1000, polling=50)
        await page.wait_for_function(FINISHED_JS, timeout=timeout_s * 1000, polling=50)
        elapsed = time.perf_counter() - t0
        if await page.locator('[data-testid="stException"]').count():
            raise RuntimeError(f"exception box on {url}")
        return elapsed
    finally:
        await (context.close() if own else page.close())


def load() -> str:
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def layouts_cached(cache: Path) -> set[str]:
    """Methods whose layout of :data:`N_POINTS` points is in the cache folder (JSON sidecars)."""
    found = set()
    for p in cache.glob("projection-*.json"):
        try:
            meta = json.loads(p.read_text())
        except (OSError, ValueError):
            continue
        if meta.get("n") == N_POINTS and meta.get("dims") == 2 and p.with_suffix(".npz").is_file():
            found.add(meta.get("method"))
    return found


def log_has(work: Path, text: str) -> bool:
    try:
        return text in (work / "server.log").read_text(errors="replace")
    except OSError:
        return False


async def wait_until(cond, timeout_s: float, what: str) -> float:
    t0 = time.perf_counter()
    while not cond():
        if time.perf_counter() - t0 > timeout_s:
            raise RuntimeError(f"{what}: not after {timeout_s:.0f} s")
        await asyncio.sleep(0.2)
    return time.perf_counter() - t0


async def warm_server(browser, timeout_s: float, env: dict | None = None, idle: int = 3) -> dict:
    """`make run`'s server (with ``env``'s switches): the first Map at once, then after the warm-up,
    then UMAP / t-SNE once the layouts are on disk, then the median of ``idle`` more PCA Maps."""
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-first-map-") as tmp:
        work = Path(tmp)
        t_start = time.perf_counter()
        with app_server(work, extra_env={"EMBEDLAB_PRECOMPUTE": "1", **(env or {})}, script="server.py") as (url, _proc):
            times["(server answers after)"] = time.perf_counter() - t_start
            label, path, title = REQUESTS[0]
            times["Map (PCA), at once"] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
            await wait_until(lambda: log_has(work, "warm: default Map ready"), timeout_s, "warm-up")
            times["(default Map warm after)"] = time.perf_counter() - t_start
            times["Map (PCA)"] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
            await wait_until(lambda: {"umap", "tsne"} <= layouts_cached(work / "cache"), timeout_s, "layouts")
            times["(layouts on disk after)"] = time.perf_counter() - t_start
            # and the server's last step over (the views drawn from them): the log line, as for the default Map
            await wait_until(lambda: log_has(work, "warm: UMAP and t-SNE Maps ready"), timeout_s, "layout views")
            times["(UMAP/t-SNE ready after)"] = time.perf_counter() - t_start
            for label, path, title in REQUESTS[1:]:
                times[label] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
            label, path, title = REQUESTS[0]
            times["Map (PCA), server idle"] = statistics.median(
                [await first_figure(browser, f"{url}/{path}", title, timeout_s) for _ in range(idle)])
    return times


async def bare_server(browser, timeout_s: float) -> dict:
    """`streamlit run app.py` without any warm-up: the reference."""
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-first-map-") as tmp:
        t_start = time.perf_counter()
        with app_server(Path(tmp), extra_env={"EMBEDLAB_PRECOMPUTE": "0"}, script="app.py") as (url, _proc):
            times["(server answers after)"] = time.perf_counter() - t_start
            for i, (label, path, title) in enumerate(REQUESTS):
                t = await first_figure(browser, f"{url}/{path}", title, timeout_s)
                times[label] = t
                if i == 0:
                    times["Map (PCA), at once"] = t
            label, path, title = REQUESTS[0]
            times["Map (PCA), server idle"] = statistics.median(
                [await first_figure(browser, f"{url}/{path}", title, timeout_s) for _ in range(3)])
    return times


async def floor_page(browser, timeout_s: float, repeats: int = 3, script: str = "bench/first_map_floor.py") -> float:
    """Median seconds to a new session's figure on the one-chart page (bench/first_map_floor.py;
    ``bench/first_map_floor_server.py``: the same page with ui.preload's link for the plotly chunk)."""
    with tempfile.TemporaryDirectory(prefix="bench-first-map-floor-") as tmp:
        with app_server(Path(tmp), extra_env={"EMBEDLAB_PRECOMPUTE": "0"}, script=script) as (url, _proc):
            await first_figure(browser, url, "PC 1", timeout_s)         # the server's own first run
            return statistics.median([await first_figure(browser, url, "PC 1", timeout_s) for _ in range(repeats)])


async def second_visit(pw, browser, chromium: str, timeout_s: float, rounds: int = 3) -> dict:
    """A browser that opened the app once (the teacher's own machine, a student's second visit): one
    browser profile on disk opens the Map on a server, then on a fresh server on the same address
    (its HTTP cache holds Streamlit's and plotly.js's chunks, served ``immutable``), alternately with
    new profiles on that second server; medians of ``rounds`` each."""
    times: dict[str, float] = {}
    port = free_port()
    label, path, title = REQUESTS[0]
    with tempfile.TemporaryDirectory(prefix="bench-first-map-profile-") as profile, \
            tempfile.TemporaryDirectory(prefix="bench-first-map-") as tmp:
        ctx = await pw.chromium.launch_persistent_context(profile, executable_path=chromium, headless=True,
                                                          args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
        try:
            for visit in ("first", "second"):
                work = Path(tmp) / visit
                work.mkdir()
                with app_server(work, START_TIMEOUT_S, extra_env={"EMBEDLAB_PRECOMPUTE": "1"}, script="server.py",
                                port=port) as (url, _):
                    await wait_until(lambda: log_has(work, "warm: default Map ready"), timeout_s, "warm-up")
                    if visit == "first":
                        times["first visit (profile's first)"] = await first_figure(
                            None, f"{url}/{path}", title, timeout_s, context=ctx)
                        continue
                    cached, fresh = [], []
                    for _ in range(rounds):
                        cached.append(await first_figure(None, f"{url}/{path}", title, timeout_s, context=ctx))
                        fresh.append(await first_figure(browser, f"{url}/{path}", title, timeout_s))
                    times["Map (PCA), browser cache (fresh server)"] = statistics.median(cached)
                    times["Map (PCA), new profile (same server)"] = statistics.median(fresh)
        finally:
            await ctx.close()
    return times


CONFIGS = {
    "make run": {},
    "whole plotly.js": {"EMBEDLAB_MAP_ELEMENT": "0"},
    "links only": {"EMBEDLAB_PRELOAD": "links"},
    "no preload": {"EMBEDLAB_PRELOAD": "0"},
    "session 4": {"EMBEDLAB_PRELOAD": "0", "EMBEDLAB_WARM_QUIET": "0"},
}
"""`make run`'s server (the 2-D Map drawn by plotly.js's gl2d bundle, ui.map_chart; ui.preload's links and
early import; the warm-up's background steps waiting for quiet) and its switches off: ``whole plotly.js``
(the Map drawn by ``st.plotly_chart``, as before session 12), ``links only`` (no early import), ``no preload`` (Streamlit's page as it
is), ``session 4`` (no preload, and the background steps do not wait: the server session 4 measured)."""
SECTIONS = (*CONFIGS, "at once", "first visitor", "bare", "floor", "second")


def _fmt(v) -> str:
    return f"{v:.1f}s" if isinstance(v, float) else "-"


async def first_visitor(browser, timeout_s: float, rounds: int = 3) -> dict:
    """`make run`'s server started before the class, as a teacher does: nothing is requested until
    the log says the default Map is warm; then the server's first Map request (its first page run:
    Streamlit's and plotly's first-use work included) and the second, right after it. A fresh server
    per round; medians of ``rounds``."""
    firsts, seconds = [], []
    label, path, title = REQUESTS[0]
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-first-visitor-") as tmp:
            work = Path(tmp)
            with app_server(work, extra_env={"EMBEDLAB_PRECOMPUTE": "1"}, script="server.py") as (url, _proc):
                await wait_until(lambda: log_has(work, "warm: default Map ready"), timeout_s, "warm-up")
                firsts.append(await first_figure(browser, f"{url}/{path}", title, timeout_s))
                seconds.append(await first_figure(browser, f"{url}/{path}", title, timeout_s))
    print(f"  first visitor rounds: first {[round(x, 2) for x in firsts]}, second {[round(x, 2) for x in seconds]}",
          flush=True)
    return {"first Map of a warmed server (no request before)": statistics.median(firsts),
            "second Map of that server": statistics.median(seconds)}


async def at_once(browser, timeout_s: float, rounds: int = 3) -> dict:
    """`make run`'s server, its first Map requested the moment ``/_stcore/health`` answers (the class
    arrives with the server: the page's first run meets the warm-up still loading), a fresh server per
    round; the median of ``rounds`` (the column's "at once" row is one such request)."""
    times = []
    label, path, title = REQUESTS[0]
    for _ in range(rounds):
        with tempfile.TemporaryDirectory(prefix="bench-at-once-") as tmp:
            with app_server(Path(tmp), extra_env={"EMBEDLAB_PRECOMPUTE": "1"}, script="server.py") as (url, _proc):
                times.append(await first_figure(browser, f"{url}/{path}", title, timeout_s))
    print(f"  at once rounds: {[round(x, 2) for x in times]}", flush=True)
    return {"first Map requested as the server answers (median)": statistics.median(times)}


WARM_BROWSER_PAGE = ("data:text/html,<canvas id=c width=64 height=64></canvas><script>"
                     "const g=document.getElementById('c').getContext('webgl');g.clearColor(0,0,1,1);"
                     "g.clear(g.COLOR_BUFFER_BIT);</script>")


async def warm_browser(browser) -> float:
    """One page of nothing but a WebGL canvas, in a throwaway context, before any timed request: the
    browser is then running as a teacher's or a student's already is (its GPU process and software GL
    started). Without it the first request of the run paid the browser's own start: the same 'at once'
    request took 2.94 s as the browser's first page against 2.29 / 2.12 s for the next two (fresh
    servers each). Returns its seconds."""
    t0 = time.perf_counter()
    context = await browser.new_context()
    try:
        page = await context.new_page()
        await page.goto(WARM_BROWSER_PAGE)
        await page.wait_for_function("() => !!document.getElementById('c')")
    finally:
        await context.close()
    return time.perf_counter() - t0


async def main_async(args) -> int:
    from playwright.async_api import async_playwright

    only = [x.strip() for x in args.only.split(",")] if args.only else list(SECTIONS)
    unknown = [x for x in only if x not in SECTIONS]
    if unknown:
        raise SystemExit(f"unknown section(s) {unknown}; choose from {', '.join(SECTIONS)}")
    columns: dict[str, dict] = {}
    loads: dict[str, str] = {}
    floors: dict[str, float] = {}
    extra: dict[str, float] = {}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            if not args.cold_browser:
                print(f"browser warmed with one WebGL page in {await warm_browser(browser):.2f} s", flush=True)
            for name in only:
                before = load()
                if name in CONFIGS:
                    columns[name] = await warm_server(browser, args.timeout, CONFIGS[name])
                elif name == "bare":
                    columns["bare app"] = await bare_server(browser, args.timeout)
                elif name == "first visitor":
                    extra.update(await first_visitor(browser, args.timeout))
                elif name == "at once":
                    extra.update(await at_once(browser, args.timeout))
                elif name == "floor":
                    floors["floor: one plotly chart page"] = await floor_page(browser, args.timeout)
                    floors["floor, plotly chunk preloaded"] = await floor_page(
                        browser, args.timeout, script="bench/first_map_floor_server.py")
                else:
                    extra.update(await second_visit(pw, browser, args.chromium, args.timeout))
                loads[name] = f"{before} -> {load()}"
                shown = floors if name == "floor" else extra if name in ("second", "first visitor", "at once") else \
                    columns["bare app" if name == "bare" else name]
                print(f"{name} (load {loads[name]}):", {k: round(v, 2) for k, v in shown.items()}, flush=True)
        finally:
            await browser.close()
    print(f"\nFirst Map on a freshly started server ({N_POINTS:,} points of the default set; target <= "
          f"{TARGET_S:.0f} s); load average (1/5/15 min) per section: "
          + "; ".join(f"{k} {v}" for k, v in loads.items()))
    floor = floors.get("floor: one plotly chart page")
    names = list(columns)
    print(f"{'request':<34}" + "".join(f"{n:>14}" for n in names)
          + (f"{'make run/floor':>16}" if floor and "make run" in columns else "") + "  target")
    rows = ["(server answers after)", "Map (PCA), at once", "(default Map warm after)", "Map (PCA)",
            "(layouts on disk after)", "(UMAP/t-SNE ready after)", *[r[0] for r in REQUESTS[1:]],
            "Map (PCA), server idle"]
    for r in rows:
        if not any(r in c for c in columns.values()):
            continue
        line = f"{r:<34}" + "".join(f"{_fmt(columns[n].get(r)):>14}" for n in names)
        mine = columns.get("make run", {}).get(r)
        if floor and "make run" in columns:
            line += f"{'' if r.startswith('(') or mine is None else f'{mine / floor:.2f}x':>16}"
        if not r.startswith("(") and mine is not None:
            line += "  " + ("ok" if mine <= TARGET_S else f"MISSED by {mine - TARGET_S:.1f} s")
        print(line)
    for k, v in {**floors, **extra}.items():
        print(f"{k:<50}{v:>8.2f}s" + ("" if k.startswith("first visit ") else
                                     f"  {'ok' if v <= TARGET_S else f'MISSED by {v - TARGET_S:.1f} s'}"))
    if "make run" in columns and "session 4" in columns:
        for r in ("Map (PCA), at once", "Map (PCA)", "Map (PCA), server idle"):
            a, b = columns["session 4"].get(r), columns["make run"].get(r)
            if a and b:
                print(f"session 4 / make run, {r}: {a / b:.2f}x")
    print("\nEach request is a new browser session (a new profile, no HTTP cache) unless it says 'browser cache'; "
          "'at once' is requested the moment the server answers, the other rows after the log said the step was "
          "ready; 'server idle': medians of 3 after the layouts. 'bare app': `streamlit run app.py` without a "
          "warm-up (the reference); its UMAP / t-SNE fit in front of the user.")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--timeout", type=float, default=1200.0, help="seconds per wait")
    ap.add_argument("--cold-browser", action="store_true",
                    help="no warm-up page: the first timed request is the browser's first page")
    ap.add_argument("--only", default="", help=f"comma-separated sections, in order (default all: {', '.join(SECTIONS)});"
                    " split a full run into several of under ~12 minutes")
    return asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
