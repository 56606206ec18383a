"""What the first Map would gain from a smaller plotly.js (issue 12: the first Map within 3 s).

Run by hand:  ``python bench/first_map_gl2d.py [--bundle PATH/plotly-gl2d.min.js] [--rounds 6]``
(the bundle: by default the app's own, ``ui/vendor/plotly-gl2d-3.7.0.min.js``, which the Map draws with
since session 12 (ui/map_chart.py); nothing is fetched by this script).

``st.plotly_chart`` loads Streamlit's PlotlyChart chunk, which holds the whole plotly.js (4.7 MB):
compiling and running it is the longest task on the browser's main thread before a first Map
(0.6-0.75 s of Chromium's trace on this machine). plotly.js's gl2d bundle (1.6 MB) has the
``scattergl`` trace the 2-D Map draws. One server (bench/first_map_gl2d_server.py) serves the
floor's figure (bench/first_map_floor.py: 5,000 WebGL points in 8 traces, hover words) both ways:
``st.plotly_chart`` and a components-v2 element drawing with the gl2d bundle from the server's own
route. Requests alternate, each a new browser session (no HTTP cache), timed from ``page.goto`` to
the figure drawn and the script run over (bench_first_map.first_figure); medians of ``--rounds``.

Printed: both medians, every time, and the ratio. Bounded: 127.0.0.1 only, fixed requests, every wait
has a timeout, the server's process group is killed at the end.
"""
from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_first_map import first_figure  # noqa: E402
from bench_load import CHROMIUM_ARGS, app_server  # noqa: E402

WAYS = {"st.plotly_chart (whole plotly.js)": "v=st", "components v2 + gl2d bundle": "v=gl2d"}


async def main_async(args) -> int:
    from playwright.async_api import async_playwright

    bundle = Path(args.bundle).resolve()
    if not bundle.is_file():
        raise SystemExit(f"no bundle at {bundle}: see this script's docstring")
    times: dict[str, list[float]] = {name: [] for name in WAYS}
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            with tempfile.TemporaryDirectory(prefix="bench-gl2d-") as tmp:
                with app_server(Path(tmp), extra_env={"EMBEDLAB_GL2D_BUNDLE": str(bundle)},
                                script="bench/first_map_gl2d_server.py") as (url, _proc):
                    for query in WAYS.values():          # the server's first run of each, not timed
                        await first_figure(browser, f"{url}/?{query}", "PC 1", args.timeout)
                    for _ in range(args.rounds):
                        for name, query in WAYS.items():
                            times[name].append(await first_figure(browser, f"{url}/?{query}", "PC 1", args.timeout))
        finally:
            await browser.close()
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"First figure of the floor page (5,000 WebGL points), new browser sessions, medians of {args.rounds}:")
    for name, ts in times.items():
        print(f"  {name:<36} {medians[name]:5.2f} s   {[round(t, 2) for t in ts]}")
    a, b = medians.values()
    print(f"  gl2d / whole plotly.js: {b / a:.2f}x (the gl2d bundle {'saves' if b < a else 'costs'} {abs(a - b):.2f} s)")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", default=str(Path(__file__).resolve().parents[1] / "ui" / "vendor" / "plotly-gl2d-3.7.0.min.js"),
                    help="plotly.js's gl2d bundle (default: the app's vendored one)")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per wait")
    return asyncio.run(main_async(ap.parse_args()))


if __name__ == "__main__":
    sys.exit(main())
