"""First-Map benchmark: a freshly started server, as `make run` starts it and as the bare app (issue 12 item 3).

Run by hand:  ``python bench/bench_first_map.py``   (about 3-5 minutes on 2 cores)

Servers one after the other, each with its own empty cache and workspace folders
(bench_load.app_server), timed in Debian Chromium through Playwright, each request a new browser
session (no HTTP cache: the Streamlit and plotly.js bundles are fetched and compiled every time):

warm (``streamlit run server.py`` = ``make run``; its start hook, ui.warm, warms the server)
  1. the server is started and ``/Map`` is requested the moment ``/_stcore/health`` answers (a class
     that arrives with the server): timed from ``page.goto`` to the figure drawn (plotly's layout
     built, the x-axis titled ``PC 1``) and the script run over;
  2. wait for the log line ``warm: default Map ready`` (its time after the start is printed), then
     a new session's ``/Map``: the first Map of a server started before the class;
  3. wait until the UMAP and t-SNE layouts are on disk, then ``/Map?method=umap`` and ``?method=tsne``.
bare app, no warm-up (``streamlit run app.py``, ``EMBEDLAB_PRECOMPUTE=0``: the reference, what a class met
before): the same requests; the UMAP and t-SNE requests fit (and compile numba) in front of the user.
floor (``bench/first_map_floor.py``: a page with nothing but one ``st.plotly_chart`` of the same kind of
figure, 5,000 WebGL points in 8 traces with hover words): what Streamlit + plotly.js + this Chromium cost
before any of EmbedLab's work; the Map's time beside it.

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
from bench_load import CHROMIUM_ARGS, FINISHED_JS, app_server  # noqa: E402

TARGET_S = 3.0
N_POINTS = 5000
REQUESTS = (("Map (PCA)", "Map", "PC 1"), ("Map?method=umap", "Map?method=umap", "UMAP 1"),
            ("Map?method=tsne", "Map?method=tsne", "t-SNE 1"))
FIGURE_JS = """(title) => {
  const plot = document.querySelector('.js-plotly-plot');
  if (!plot || !plot._fullLayout || !plot.querySelector('.main-svg')) return false;
  const t = plot._fullLayout.xaxis && plot._fullLayout.xaxis.title && plot._fullLayout.xaxis.title.text;
  return typeof t === 'string' && t.startsWith(title);
}"""


async def first_figure(browser, url: str, title: str, timeout_s: float) -> float:
    """Seconds from the request of ``url`` (a new browser session) to its figure drawn, run over."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = await context.new_page()
        t0 = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
        await page.wait_for_function(FIGURE_JS, arg=title, timeout=timeout_s * 1000, polling=50)
        await page.wait_for_function(FINISHED_JS, timeout=timeout_s * 1000, polling=50)
        elapsed = time.perf_counter() - t0
        if await page.locator('[data-testid="stException"]').count():
            raise RuntimeError(f"exception box on {url}")
        return elapsed
    finally:
        await context.close()


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


async def warm_server(browser, timeout_s: float) -> dict:
    """`make run`'s server: the first Map at once, then after the warm-up, then UMAP / t-SNE."""
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-first-map-") as tmp:
        work = Path(tmp)
        t_start = time.perf_counter()
        with app_server(work, extra_env={"EMBEDLAB_PRECOMPUTE": "1"}, script="server.py") as (url, _proc):
            times["(server answers after)"] = time.perf_counter() - t_start
            label, path, title = REQUESTS[0]
            times["Map (PCA), at once"] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
            await wait_until(lambda: log_has(work, "warm: default Map ready"), timeout_s, "warm-up")
            times["(default Map warm after)"] = time.perf_counter() - t_start
            times["Map (PCA)"] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
            await wait_until(lambda: {"umap", "tsne"} <= layouts_cached(work / "cache"), timeout_s, "layouts")
            times["(layouts on disk after)"] = time.perf_counter() - t_start
            for label, path, title in REQUESTS[1:]:
                times[label] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
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
    return times


async def floor_page(browser, timeout_s: float, repeats: int = 3) -> float:
    """Median seconds to a new session's figure on the one-chart page (bench/first_map_floor.py)."""
    with tempfile.TemporaryDirectory(prefix="bench-first-map-floor-") as tmp:
        with app_server(Path(tmp), extra_env={"EMBEDLAB_PRECOMPUTE": "0"},
                        script="bench/first_map_floor.py") as (url, _proc):
            await first_figure(browser, url, "PC 1", timeout_s)         # the server's own first run
            return statistics.median([await first_figure(browser, url, "PC 1", timeout_s) for _ in range(repeats)])


async def main_async(args) -> int:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            warm = await warm_server(browser, args.timeout)
            print("warm (server.py):", {k: round(v, 1) for k, v in warm.items()}, flush=True)
            bare = await bare_server(browser, args.timeout)
            print("bare (app.py):", {k: round(v, 1) for k, v in bare.items()}, flush=True)
            floor = await floor_page(browser, args.timeout)
            print(f"floor (one plotly chart): {floor:.2f} s", flush=True)
        finally:
            await browser.close()
    print(f"\nFirst Map on a freshly started server ({N_POINTS:,} points of the default set; target <= "
          f"{TARGET_S:.0f} s); load {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"{'request':<30}{'make run':>10}{'bare app':>10}{'bare/warm':>11}{'warm/floor':>12}  target")
    rows = ["(server answers after)", "Map (PCA), at once", "(default Map warm after)", "Map (PCA)",
            "(layouts on disk after)"] + [r[0] for r in REQUESTS[1:]]
    for r in rows:
        on, off = warm.get(r), bare.get(r)
        ratio = f"{off / on:10.1f}x" if on and off else f"{'':>11}"
        vs_floor = "" if r.startswith("(") or on is None else f"{on / floor:11.2f}x"
        target = "" if r.startswith("(") else ("ok" if on is not None and on <= TARGET_S else "MISSED")
        print(f"{r:<30}{(f'{on:.1f}s' if on is not None else '-'):>10}{(f'{off:.1f}s' if off is not None else '-'):>10}"
              f"{ratio}{vs_floor:>12}  {target}")
    print(f"{'floor: one plotly chart page':<30}{floor:>9.1f}s")
    print("\n'make run': a new browser session per request; 'Map (PCA), at once' is requested the moment the "
          "server answers, the other rows after the log said the step was ready. 'bare app': the same requests "
          "on `streamlit run app.py` without a warm-up; its UMAP / t-SNE fit in front of the user.")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--timeout", type=float, default=1200.0, help="seconds per wait")
    return asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
