"""Load benchmark: many browser sessions on ONE app process (issue 6, item 1).

Run by hand:  ``python bench/bench_load.py --sessions 1,10,30``
        and:  ``python bench/bench_load.py --stall`` (one session's UMAP / training vs another's page)
        and:  ``python bench/bench_load.py --stall --uploads`` (adversarial uploads vs a trivial request:
              the rows are measured in one process by ``bench/upload_stall.py``, no browser)

Starts ``streamlit run app.py`` (headless, 127.0.0.1, a free port, its own temporary cache and
workspace folders, a new process group), then for each wave size N opens N browser sessions at
once (one Debian Chromium, N fresh contexts = N Streamlit sessions). Every session

  1. opens the Map page of the default set (``/Map``, default view: PCA of the 5,000 most frequent
     words, k-means colours, trustworthiness) and waits for the full render: the script finished,
     the figure drawn, the trustworthiness caption shown;
  2. does a neighbour search: types a word in the Map's "Search a word" box, presses Enter and waits
     for the "Neighbours of “word”" table (a different word per session);
  3. checks that no exception box is shown.

The wave's sessions stay open while the server's memory is read (RSS summed over the server's
process group, from psutil if installed, else /proc/PID/status VmRSS); it is also sampled every
0.2 s during the wave for the peak. Then the wave's contexts are closed and the next wave starts
on the same (now warm) process. The first wave meets a cold process: it pays for loading the set.

Printed: one row per wave: server RSS with the sessions open and its peak, time to first full render
per session (median, max), time of the search round trip (median, max), sessions with an error;
beside the reference: the idle server's RSS before any session.

Bounded: requests go to 127.0.0.1 only; fixed counts; every wait has a timeout (--timeout per
wave); the server's process group is killed at the end, whatever happens. The browser takes most of
the CPU and memory (about 0.5 GB per page), not the server: 30 pages need a quiet machine.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
WORDS = ("king", "queen", "paris", "music", "doctor", "river", "computer", "happy", "red", "dog",
         "house", "school", "money", "water", "teacher", "city", "love", "science", "game", "bread")
EXCEPTION = '[data-testid="stException"]'
# The script run is over (same test as tests/browser/conftest.py's wait_for_app) and the map is drawn.
FINISHED_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const main = document.querySelector('[data-testid="stMainBlockContainer"]');
  return !!main && main.innerText.trim().length > 0;
}"""
PLOT_DRAWN_JS = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  return !!plot && !!plot._fullLayout && !!plot.querySelector('.main-svg');
}"""
MAP_DRAWN_JS = """() => {
  const plot = document.querySelector('.js-plotly-plot');
  return !!plot && !!plot._fullLayout && !!plot.querySelector('.main-svg') &&
         document.body.innerText.includes('Trustworthiness of this picture');
}"""


# -- the server ------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def app_server(workdir: Path, start_timeout: float = 90.0, extra_env: dict | None = None, script: str = "server.py",
               port: int | None = None):
    """``streamlit run server.py`` (what ``make run`` starts; ``script="app.py"`` for the bare app) in a
    new process group, on ``port`` (default: a free one); yields (base URL, Popen); kills the group."""
    port = free_port() if port is None else port
    env = dict(os.environ, EMBEDLAB_CACHE_DIR=str(workdir / "cache"),
               EMBEDLAB_WORKSPACE_DIR=str(workdir / "workspace"), PYTHONUNBUFFERED="1", **(extra_env or {}))
    cmd = [sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
           "--browser.gatherUsageStats", "false"]
    log = open(workdir / "server.log", "wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}; log: {workdir / 'server.log'}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not answer within {start_timeout:.0f} s; log: {workdir / 'server.log'}")
            time.sleep(0.25)
        yield url, proc
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        log.close()


def group_rss_mb(pgid: int) -> float:
    """Resident memory (MB) of every process in the process group ``pgid``."""
    try:
        import psutil
    except ImportError:
        psutil = None
    total = 0
    if psutil is not None:
        for p in psutil.process_iter(["pid"]):
            with contextlib.suppress(psutil.Error, OSError):
                if os.getpgid(p.pid) == pgid:
                    total += p.memory_info().rss
        return total / 2**20
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            if os.getpgid(int(entry)) != pgid:
                continue
            with open(f"/proc/{entry}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
                        break
    return total / 2**20


_TICK = os.sysconf("SC_CLK_TCK")


def group_cpu_s(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of process group ``pgid``."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid:           # field 5 of stat: the process group
                total += int(fields[11]) + int(fields[12])   # utime, stime
    return total / _TICK


def machine_cpu_s() -> float:
    """CPU seconds the whole machine spent busy (all cores) so far, from /proc/stat."""
    with open("/proc/stat") as f:
        vals = [int(x) for x in f.readline().split()[1:]]
    idle = vals[3] + (vals[4] if len(vals) > 4 else 0)
    return (sum(vals[:8]) - idle) / _TICK


class BackgroundLoop:
    """A daemon thread that calls ``tick()`` every ``every`` seconds between ``with`` enter and exit."""

    every = 0.2
    join_timeout = 5.0

    def __init__(self):
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def tick(self) -> None:
        raise NotImplementedError

    def _run(self):
        while not self._stop.is_set():
            self.tick()
            self._stop.wait(self.every)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=self.join_timeout)


class PeakSampler(BackgroundLoop):
    """Samples :func:`group_rss_mb` every ``every`` seconds in a thread; ``.peak`` is the maximum."""

    def __init__(self, pgid: int, every: float = 0.2):
        super().__init__()
        self.pgid, self.every, self.peak = pgid, every, 0.0

    def tick(self):
        self.peak = max(self.peak, group_rss_mb(self.pgid))


# -- one browser session -------------------------------------------------------------------------------
@dataclass
class SessionResult:
    word: str
    render_s: float | None = None
    search_s: float | None = None
    error: str = ""
    notes: list = field(default_factory=list)


async def one_session(browser, base_url: str, word: str, timeout_ms: float) -> tuple[SessionResult, object]:
    """Open the Map, wait for its full render, search ``word``; returns the result and the open context."""
    res = SessionResult(word)
    context = await browser.new_context(viewport={"width": 1400, "height": 1600})
    page = await context.new_page()
    page.set_default_timeout(timeout_ms)
    page.on("pageerror", lambda err: res.notes.append(f"JS error: {err}"))
    try:
        t0 = time.perf_counter()
        await page.goto(f"{base_url}/Map", wait_until="domcontentloaded")
        await page.wait_for_function(FINISHED_JS, polling=100)
        await page.wait_for_function(MAP_DRAWN_JS, polling=100)
        await page.wait_for_function(FINISHED_JS, polling=100)
        res.render_s = time.perf_counter() - t0
        box = page.get_by_role("textbox", name="Search a word")
        t1 = time.perf_counter()
        await box.fill(word)
        await box.press("Enter")
        await page.get_by_text(f"Neighbours of “{word}”").wait_for()
        await page.wait_for_function(FINISHED_JS, polling=100)
        res.search_s = time.perf_counter() - t1
        boxes = page.locator(EXCEPTION)
        if await boxes.count():
            res.error = "exception box: " + (await boxes.first.inner_text())[:200]
    except Exception as exc:  # a bench reports every failure in its table instead of stopping
        res.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    return res, context


async def wave(browser, base_url: str, n: int, timeout_s: float, pgid: int) -> dict:
    cpu0, all0 = group_cpu_s(pgid), machine_cpu_s()
    with PeakSampler(pgid) as sampler:
        tasks = [one_session(browser, base_url, WORDS[i % len(WORDS)], timeout_s * 1000) for i in range(n)]
        try:
            done = await asyncio.wait_for(asyncio.gather(*tasks), timeout=timeout_s + 30)
        except asyncio.TimeoutError:
            done = []
        await asyncio.sleep(1.0)                  # let the server settle with every session open
        rss = group_rss_mb(pgid)
    server_cpu = group_cpu_s(pgid) - cpu0
    other_cpu = machine_cpu_s() - all0 - server_cpu
    results = [r for r, _ in done]
    for _, ctx in done:
        with contextlib.suppress(Exception):
            await ctx.close()
    await asyncio.sleep(5.0)                      # sessions closed: what the server keeps
    after = group_rss_mb(pgid)
    return dict(n=n, rss=rss, after=after, peak=max(sampler.peak, rss), results=results,
                timed_out=not done, server_cpu=server_cpu, other_cpu=other_cpu)


def stats(values):
    vals = [v for v in values if v is not None]
    if not vals:
        return "—", "—"
    return f"{statistics.median(vals):.1f}", f"{max(vals):.1f}"


# -- does one session's long work stall the others? ------------------------------------------------------
async def render_map(browser, url: str, timeout_ms: float) -> float:
    """Seconds from opening ``url`` (a Map page) in a new session until it is fully drawn
    (``inf`` if that took longer than ``timeout_ms``)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1600})
    try:
        page = await context.new_page()
        page.set_default_timeout(timeout_ms)
        t0 = time.perf_counter()
        await page.goto(url, wait_until="domcontentloaded")
        await page.wait_for_function(FINISHED_JS, polling=100)
        await page.wait_for_function(MAP_DRAWN_JS, polling=100)
        await page.wait_for_function(FINISHED_JS, polling=100)
        if await page.locator(EXCEPTION).count():
            raise RuntimeError("exception box on the map page")
        return time.perf_counter() - t0
    except Exception as exc:  # noqa: BLE001 - a stalled page is a result here, not a failure
        if "Timeout" not in type(exc).__name__:
            raise
        return float("inf")
    finally:
        await context.close()


class HealthPinger(BackgroundLoop):
    """Pings the server's ``/_stcore/health`` every 0.1 s in a thread while active; the reply
    time is how long the server's event loop (which needs the GIL) took to answer."""

    every, join_timeout = 0.1, 65.0

    def __init__(self, url: str):
        super().__init__()
        self.url, self.times = f"{url}/_stcore/health", []

    def tick(self):
        t0 = time.perf_counter()
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(self.url, timeout=60) as r:
                r.read()
        self.times.append(time.perf_counter() - t0)

    def summary(self) -> tuple[float, float]:
        """(median, max) reply time in ms."""
        if not self.times:
            return float("nan"), float("nan")
        return statistics.median(self.times) * 1000, max(self.times) * 1000


async def still_running(page) -> bool:
    return not await page.evaluate(FINISHED_JS)


async def stall_run(browser, url: str, timeout_s: float, repeats: int, render_timeout_s: float) -> dict:
    """Session B's Map render time: alone, while session A runs a UMAP of 20,000 points, and while
    session T trains word2vec (skip-gram) on the Lee corpus."""
    ms, args_render_ms = timeout_s * 1000, render_timeout_s * 1000
    out: dict = {}
    await render_map(browser, f"{url}/Map", ms)                       # warm: the set and its PCA loaded
    with HealthPinger(url) as ping:
        out["idle"] = [await render_map(browser, f"{url}/Map", ms) for _ in range(repeats)]
    out["idle_ping"] = ping.summary()
    print(f"  B alone: {out['idle']}", flush=True)

    ctx_a = await browser.new_context(viewport={"width": 1400, "height": 1600})
    a = await ctx_a.new_page()
    a.set_default_timeout(ms)
    await a.goto(f"{url}/Map?method=umap&n=1000", wait_until="domcontentloaded")   # UMAP compiled
    await a.wait_for_function(FINISHED_JS, polling=200)
    await a.wait_for_function(MAP_DRAWN_JS, polling=200)
    t0 = time.perf_counter()
    await a.goto(f"{url}/Map?method=umap&n=20000", wait_until="domcontentloaded")
    await a.get_by_text("UMAP of 20,000 points").first.wait_for()
    print("  A's UMAP of 20,000 points started", flush=True)
    with HealthPinger(url) as ping:
        out["umap"] = [await render_map(browser, f"{url}/Map", args_render_ms) for _ in range(repeats)]
        out["umap_overlap"] = await still_running(a)                # A was still busy after B's last render
        while await still_running(a):                               # the server's replies for the whole UMAP
            await asyncio.sleep(0.5)
    out["umap_ping"] = ping.summary()
    print(f"  B during A's UMAP: {out['umap']}; A still busy: {out['umap_overlap']}", flush=True)
    await a.wait_for_function(FINISHED_JS, polling=500)     # (20,000 points: no trustworthiness caption)
    await a.wait_for_function(PLOT_DRAWN_JS, polling=500)
    out["umap_s"] = time.perf_counter() - t0
    print(f"  A's UMAP done after {out['umap_s']:.1f} s", flush=True)
    await ctx_a.close()

    ctx_t = await browser.new_context(viewport={"width": 1400, "height": 1600})
    t = await ctx_t.new_page()
    t.set_default_timeout(ms)
    await t.goto(f"{url}/Train?corpus=lee&arch=sg&epochs=100&dim=300&window=15", wait_until="domcontentloaded")
    await t.wait_for_function(FINISHED_JS, polling=200)
    await t.get_by_role("button", name="Train").click()
    await t.get_by_text(re.compile(r"Epoch \d+ of 100")).first.wait_for()
    print("  T's training started", flush=True)
    with HealthPinger(url) as ping:
        out["train"] = [await render_map(browser, f"{url}/Map", args_render_ms) for _ in range(repeats)]
    out["train_ping"] = ping.summary()
    body = await t.inner_text("body")
    out["train_overlap"] = "Stop after this epoch" in body and "It is selected in the sidebar" not in body
    with contextlib.suppress(Exception):
        await t.get_by_role("button", name="Stop after this epoch").click()
    await ctx_t.close()
    return out


async def stall_async(args) -> int:
    from playwright.async_api import async_playwright

    rows = []
    for workers in args.stall_workers.split(","):
        with tempfile.TemporaryDirectory(prefix="embedlab-bench-stall-") as tmp, \
                app_server(Path(tmp), extra_env={"EMBEDLAB_WORKERS": workers.strip()}) as (url, proc):
            print(f"EMBEDLAB_WORKERS={workers}: server {url}; load average "
                  f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
            async with async_playwright() as pw:
                browser = await pw.chromium.launch(executable_path=args.chromium, headless=True, args=CHROMIUM_ARGS)
                try:
                    r = await stall_run(browser, url, args.timeout, args.repeats, args.render_timeout)
                finally:
                    await browser.close()
            rows.append((workers.strip(), r))
            print(f"  done: {r}", flush=True)
    print()
    head = (f"{'EMBEDLAB_WORKERS':>16} {'B alone s':>9} {'B during UMAP s':>15} {'ratio':>6} {'A busy after':>12} "
            f"{'UMAP 20k s':>10} {'B during training s':>19} {'ratio':>6} {'T busy after':>12} "
            f"{'ping ms alone':>13} {'ping ms UMAP':>12} {'ping ms training':>16}")
    print(head)
    print("-" * len(head))
    for workers, r in rows:
        idle, um, tr = (statistics.median(r[k]) for k in ("idle", "umap", "train"))   # inf = timed out
        print(f"{workers:>16} {idle:>9.2f} {um:>15.2f} {um / idle:>6.2f} {str(r['umap_overlap']):>12} "
              f"{r['umap_s']:>10.1f} {tr:>19.2f} {tr / idle:>6.2f} {str(r['train_overlap']):>12} "
              + " ".join(f"{'%.0f / %.0f' % r[k]:>{w}}" for k, w in
                         (("idle_ping", 13), ("umap_ping", 12), ("train_ping", 16))))
    print(f"\nB = a new session opening /Map (PCA of 5,000 words), median of {args.repeats}; A = another session's "
          "UMAP of 20,000 points;\nT = another session training word2vec skip-gram on the Lee corpus (100 epochs). "
          "'busy after' = A (or T) had not finished\nwhen B's last render was done, so every B render overlapped "
          "it. EMBEDLAB_WORKERS=0 runs UMAP in the session's\nthread (the old way), 1 in a worker process. "
          f"inf = B's render took longer than {args.render_timeout:.0f} s.\nping = median / max reply time of the "
          "server's /_stcore/health every 0.1 s meanwhile (its event loop needs the GIL;\nthe UMAP column covers "
          "the whole UMAP run).")
    return 0


async def main_async(args) -> int:
    from playwright.async_api import async_playwright

    sizes = [int(s) for s in args.sessions.split(",") if s.strip()]
    if not sizes or min(sizes) < 1 or max(sizes) > 50:
        raise SystemExit("--sessions: comma-separated counts between 1 and 50, e.g. 1,10,30")
    chromium = args.chromium
    if not (os.path.isfile(chromium) and os.access(chromium, os.X_OK)):
        raise SystemExit(f"no Chromium at {chromium} (apt-get install chromium; never `playwright install`)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="embedlab-bench-load-") as tmp, app_server(Path(tmp)) as (url, proc):
        idle = group_rss_mb(proc.pid)
        print(f"server {url} (pid {proc.pid}); idle RSS {idle:.0f} MB; load average "
              f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                for i, n in enumerate(sizes):
                    t = time.perf_counter()
                    w = await wave(browser, url, n, args.timeout, proc.pid)
                    w["wall"] = time.perf_counter() - t
                    w["state"] = "cold" if i == 0 else "warm"
                    rows.append(w)
                    errs = [r for r in w["results"] if r.error]
                    print(f"  wave of {n}: {w['wall']:.1f} s, {len(errs)} error(s)"
                          + (" — TIMED OUT" if w["timed_out"] else ""), flush=True)
                    for r in errs[:5]:
                        print(f"    {r.word}: {r.error}", flush=True)
                    if proc.poll() is not None:
                        print("  the server died; stopping", flush=True)
                        break
            finally:
                await browser.close()
    print()
    head = (f"{'sessions':>8} {'process':>7} {'RSS open MB':>11} {'peak MB':>8} {'Δ idle MB':>9} "
            f"{'render med s':>12} {'render max s':>12} {'search med s':>12} {'search max s':>12} {'errors':>6} "
            f"{'server CPU s':>12} {'per session':>11} {'rest CPU s':>10} {'RSS closed MB':>13}")
    print(head)
    print("-" * len(head))
    print(f"{'0':>8} {'idle':>7} {idle:>11.0f} {'':>8} {0:>9.0f}   (reference: the server before any session)")
    failed = 0
    for w in rows:
        rm, rx = stats(r.render_s for r in w["results"])
        sm, sx = stats(r.search_s for r in w["results"])
        errors = sum(bool(r.error) for r in w["results"]) + (w["n"] - len(w["results"]))
        failed += errors
        print(f"{w['n']:>8} {w['state']:>7} {w['rss']:>11.0f} {w['peak']:>8.0f} {w['rss'] - idle:>9.0f} "
              f"{rm:>12} {rx:>12} {sm:>12} {sx:>12} {errors:>6} "
              f"{w['server_cpu']:>12.1f} {w['server_cpu'] / w['n']:>11.2f} {w['other_cpu']:>10.1f} {w['after']:>13.0f}")
    print("\nrender = opening /Map until the script finished and the map and its trustworthiness caption are "
          "drawn;\nsearch = typing a word + Enter until its neighbour table is shown. All sessions of a wave "
          "start at once.\nserver CPU = CPU seconds of the app's process group (server + worker) during the "
          "wave; rest CPU = every\nother busy CPU second of the machine in that time (the Chromium pages, "
          "mostly: on a real class each student's\nbrowser runs on their own computer). RSS closed = 5 s after the "
          "wave's sessions were closed.")
    return 1 if failed else 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", default="1,10,30", help="wave sizes, comma-separated (default 1,10,30)")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds allowed per wave (default 300)")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
    ap.add_argument("--stall", action="store_true",
                    help="instead of the waves: does one session's UMAP or training stall another's Map page?")
    ap.add_argument("--stall-workers", default="0,1", help="EMBEDLAB_WORKERS values to compare (default 0,1)")
    ap.add_argument("--repeats", type=int, default=3, help="renders of session B per condition (default 3)")
    ap.add_argument("--render-timeout", type=float, default=180.0,
                    help="--stall: seconds after which one render of session B counts as stalled (default 180)")
    ap.add_argument("--uploads", action="store_true",
                    help="--stall: the upload rows instead (bench/upload_stall.py: adversarial uploads, no browser)")
    ap.add_argument("--scale", type=float, default=1.0, help="--stall --uploads: size factor of the files")
    args = ap.parse_args()
    if args.stall and args.uploads:
        sys.path.insert(0, str(ROOT))
        from upload_stall import main as upload_rows

        return upload_rows(["--scale", str(args.scale)])
    if args.stall:
        return asyncio.run(stall_async(args))
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
