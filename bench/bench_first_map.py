"""First-Map benchmark: a freshly started server, with and without the start-up precompute (issue 12 item 3).

Run by hand:  ``python bench/bench_first_map.py``   (about 3-5 minutes on 2 cores)

Two servers, one after the other, each ``streamlit run app.py`` with its own empty cache and
workspace folders (bench_load.app_server), timed in Debian Chromium through Playwright:

precompute on (``EMBEDLAB_PRECOMPUTE=1``, the default)
  1. the first request the server ever gets: ``/Map`` (PCA of the 5,000 most frequent words),
     timed from ``page.goto`` to the figure drawn (plotly's layout built, the x-axis titled
     ``PC 1``) and the script run over; this first run starts the precompute thread (ui.precompute);
  2. wait until the precompute has finished: poll the cache folder for the JSON sidecars of the
     UMAP and t-SNE layouts of 5,000 points (and time that);
  3. a new browser session opens ``/Map?method=umap``, then another ``/Map?method=tsne``: each
     timed to its figure drawn (x-axis ``UMAP 1`` / ``t-SNE 1``).
precompute off (``EMBEDLAB_PRECOMPUTE=0``, the reference: what a class met before)
  the same three requests on a fresh server without it: the UMAP and t-SNE requests fit (and
  compile numba) in front of the user.

Printed: one row per request, both servers side by side, the target (<= 3 s) and the ratio.
Bounded: 127.0.0.1 only, fixed requests, every wait has a timeout, each server's process group is
killed at the end whatever happens.
"""
from __future__ import annotations

import argparse
import asyncio
import json
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


async def one_server(browser, precompute: bool, timeout_s: float) -> dict:
    times: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-first-map-") as tmp:
        work = Path(tmp)
        with app_server(work, extra_env={"EMBEDLAB_PRECOMPUTE": "1" if precompute else "0"}) as (url, _proc):
            label, path, title = REQUESTS[0]
            times[label] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
            if precompute:
                t0 = time.perf_counter()
                while not {"umap", "tsne"} <= layouts_cached(work / "cache"):
                    if time.perf_counter() - t0 > timeout_s:
                        raise RuntimeError(f"precompute not done after {timeout_s:.0f} s; log: {work / 'server.log'}")
                    await asyncio.sleep(0.5)
                times["(precompute finished after)"] = time.perf_counter() - t0
            for label, path, title in REQUESTS[1:]:
                times[label] = await first_figure(browser, f"{url}/{path}", title, timeout_s)
    return times


async def main_async(args) -> int:
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            warm = await one_server(browser, True, args.timeout)
            print("precompute on:", {k: round(v, 1) for k, v in warm.items()}, flush=True)
            cold = await one_server(browser, False, args.timeout)
            print("precompute off:", {k: round(v, 1) for k, v in cold.items()}, flush=True)
        finally:
            await browser.close()
    rows = ["(precompute finished after)"] + [r[0] for r in REQUESTS]
    print(f"\nFirst Map on a freshly started server ({N_POINTS:,} points of the default set; target <= {TARGET_S:.0f} s)")
    print(f"{'request':<30}{'precompute on':>15}{'off (reference)':>17}{'off / on':>10}  target")
    for r in rows:
        on, off = warm.get(r), cold.get(r)
        ratio = f"{off / on:9.1f}x" if on and off else f"{'':>10}"
        target = "" if r.startswith("(") else ("ok" if on is not None and on <= TARGET_S else "MISSED")
        print(f"{r:<30}{on if on is not None else float('nan'):>14.1f}s"
              f"{(f'{off:.1f}s' if off is not None else '-'):>17}{ratio}  {target}")
    print("\n'precompute on': the UMAP and t-SNE requests are new browser sessions after the precompute "
          "(started by the first request) finished; 'off': the same requests fit in front of the user.")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--timeout", type=float, default=1200.0, help="seconds per wait")
    return asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
