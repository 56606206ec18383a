"""Upload benchmark: a 1,000,000 x 300 vector file through the running app (issue 6, item 2).

Run by hand:  ``python bench/bench_upload.py``                  (1,000,000 rows, word2vec binary)
   a quick try: ``python bench/bench_upload.py --n 200000``
   text too:    ``python bench/bench_upload.py --formats bin,txt`` (the text file of 1M rows is ~2.9 GB)
   Parquet:     ``python bench/bench_upload.py --formats bin,parquet``

Writes the test files into a temporary folder (deleted at the end) from the realistic 1M x 300
float32 array that ``bench/bench_ann.py`` leaves in ``/tmp/embedlab-bench-ann/`` (first ``--n`` rows;
tokens ``w0``, ``w1``...): word2vec binary (``bin``) and, on request, word2vec text (``txt``). A
``.npy`` file is not measured: the sidebar uploader takes one file, and a ``.npy`` needs a vocabulary
file beside it (``embedlab.io.formats`` refuses a lone uploaded ``.npy``).

For each format a fresh server is started (``streamlit run app.py`` via ``bench_load.app_server``,
with ``STREAMLIT_SERVER_MAX_UPLOAD_SIZE=4096``, above ``.streamlit/config.toml``'s 2,048 MB, so that
the ~2.9 GB text file of 1M x 300 can be measured too), one headless Chromium page opens the home page and waits until it is drawn and settled,
then the file is given to the sidebar uploader ("Load a vector file") by its path (Playwright hands
a local browser the path; the page uploads it like a user's file). The page is polled every 0.2 s
for the progress bar ("Reading <name>…"), an exception box or error alert, and the sidebar caption
``<n> tokens × 300 dimensions`` of the new set with the script finished.

Measured per format: file size; server RSS (process group: server + worker processes, such as the
approximate-index build that sets of >= 200,000 rows start in a low-priority process of their own,
and the shared worker pool) before the upload, its peak (sampled every 0.2 s) from the upload to the
set being shown; the same for the server's main process alone (peak = the kernel's VmHWM); RSS when
the page shows the set, 30 s later, and 10 s after the browser tab is closed; wall time from
``set_input_files`` to the first progress bar (the upload, roughly) and to the set shown; whether the
progress bar was seen. Printed beside the reference: the final array's size (n x 300 x 4 bytes), and
the ratios (peak - before) / array and (kept - before) / array for the main process, where
"kept" is the RSS 30 s after the set was shown. The issue's target: peak within about twice the
final array.

Bounded: requests go to 127.0.0.1 only; every wait has a timeout (--timeout per format); the
server's process group is killed at the end, whatever happens. Memory: for 1M rows expect the
server to hold the uploaded bytes (1.2 GB) and the array (1.2 GB) while reading; then the array is
written once to the cache folder and memory-mapped (``embedlab.io.mapped.store_mapped``), the
reader's copy let go, and the faiss index built by a worker process of its own. Run it with
``EMBEDLAB_CACHE_DIR`` pointing at a scratch folder: the server writes the set (and its index) there.
``parquet``: a Parquet file (``label`` string column, ``embedding`` fixed-size list of 300 float32,
row groups of 20,000 rows); the sidebar shows its detected columns and the bench clicks "Load this
table" once the script has finished (the wait before the click counts in the time to the set shown).
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import (CHROMIUM_ARGS, EXCEPTION, FINISHED_JS, PeakSampler, app_server,  # noqa: E402
                        group_rss_mb)

SOURCE = Path("/tmp/embedlab-bench-ann/ann_realistic_1000000x300_seed0.npy")
DIM = 300
MAX_UPLOAD_MB = 4096
# What the page shows, read every 0.2 s.
STATE_JS = """(rows) => {
  const sidebar = document.querySelector('[data-testid="stSidebar"]');
  const side = sidebar ? sidebar.innerText : '';
  const bars = [...document.querySelectorAll('[data-testid="stProgress"]')];
  const errs = [...document.querySelectorAll(
    '[data-testid="stAlertContentError"], %s, [data-testid="stFileUploaderFileErrorMessage"]')];
  const app = document.querySelector('[data-testid="stApp"]');
  const finished = !!app && app.getAttribute('data-test-script-state') === 'notRunning'
                   && !document.querySelector('[data-testid="stStatusWidget"]');
  return {progress: bars.length > 0 || side.includes('Reading '),
          progress_text: bars.map(b => b.innerText).join(' | '),
          error: errs.map(e => e.innerText).join(' | ').slice(0, 300),
          shown: side.includes(rows + ' tokens × 300 dimensions'),
          load_button: finished && [...(sidebar ? sidebar.querySelectorAll('button') : [])]
                       .some(b => b.innerText.trim() === 'Load this table'),
          finished: finished};
}""" % EXCEPTION


def proc_status_mb(pid: int) -> dict:
    """VmRSS and VmHWM (peak RSS) of one process, in MB, from /proc/PID/status."""
    out = {}
    with contextlib.suppress(OSError):
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out


def group_pids(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with contextlib.suppress(OSError):
                if os.getpgid(int(entry)) == pgid:
                    pids.append(int(entry))
    return pids


def snapshot(pid: int) -> dict:
    """Group RSS, main-process RSS and peak (MB), and how many processes the group has."""
    st = proc_status_mb(pid)
    return dict(group=group_rss_mb(pid), main=st.get("VmRSS", float("nan")), hwm=st.get("VmHWM", float("nan")),
                procs=len(group_pids(pid)))


def loadavg() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# -- test files -------------------------------------------------------------------------------------------
def write_files(folder: Path, n: int, formats: list[str]) -> dict[str, Path]:
    """word2vec binary / text files of the first ``n`` rows of SOURCE, tokens w0, w1, ..."""
    src = np.load(SOURCE, mmap_mode="r")
    if src.ndim != 2 or src.shape[1] != DIM or src.shape[0] < n:
        raise SystemExit(f"{SOURCE} has shape {src.shape}; need at least ({n}, {DIM})")
    paths = {}
    step = 20_000
    if "bin" in formats:
        path = folder / f"upload_{n}x{DIM}.bin"
        with open(path, "wb") as f:
            f.write(f"{n} {DIM}\n".encode())
            for lo in range(0, n, step):
                block = np.ascontiguousarray(src[lo:min(n, lo + step)], dtype="<f4")
                f.write(b"".join(b"w%d " % (lo + k) + row.tobytes() + b"\n" for k, row in enumerate(block)))
        paths["bin"] = path
    if "txt" in formats:
        import pandas as pd

        path = folder / f"upload_{n}x{DIM}.txt"
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(f"{n} {DIM}\n")
            for lo in range(0, n, step):
                hi = min(n, lo + step)
                df = pd.DataFrame(np.asarray(src[lo:hi], dtype=np.float32))
                df.insert(0, "token", [f"w{i}" for i in range(lo, hi)])
                df.to_csv(f, sep=" ", header=False, index=False, float_format="%.6g", lineterminator="\n")
        paths["txt"] = path
    if "parquet" in formats:
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = folder / f"upload_{n}x{DIM}.parquet"
        schema = pa.schema([("label", pa.string()), ("embedding", pa.list_(pa.float32(), DIM))])
        with pq.ParquetWriter(path, schema) as writer:        # row groups of 20,000 rows, written in turn
            for lo in range(0, n, step):
                hi = min(n, lo + step)
                flat = pa.array(np.ascontiguousarray(src[lo:hi], dtype=np.float32).ravel())
                writer.write_table(pa.table({"label": [f"w{i}" for i in range(lo, hi)],
                                             "embedding": pa.FixedSizeListArray.from_arrays(flat, DIM)}, schema))
        paths["parquet"] = path
    return paths


# -- one upload -------------------------------------------------------------------------------------------
async def upload_once(path: Path, n: int, timeout_s: float, chromium: str) -> dict:
    from playwright.async_api import async_playwright

    rows = f"{n:,}"
    res: dict = dict(fmt=path.suffix.lstrip("."), size_mb=path.stat().st_size / 2**20, progress=False,
                     progress_s=None, shown_s=None, error="", load_start=loadavg(), notes=[])
    with tempfile.TemporaryDirectory(prefix="embedlab-bench-upload-") as tmp, \
            app_server(Path(tmp), extra_env={"STREAMLIT_SERVER_MAX_UPLOAD_SIZE": str(MAX_UPLOAD_MB)}) as (url, proc):
        pid = proc.pid
        res["no_session"] = snapshot(pid)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
            try:
                context = await browser.new_context(viewport={"width": 1400, "height": 1200})
                page = await context.new_page()
                page.set_default_timeout(timeout_s * 1000)
                page.on("pageerror", lambda err: res["notes"].append(f"JS error: {str(err)[:200]}"))
                # Streamlit frees an uploaded file's bytes on the page's DELETE request (or at session end)
                res["deletes"] = []
                page.on("request", lambda rq: res["deletes"].append(rq.url) if rq.method == "DELETE"
                        and "/_stcore/upload_file/" in rq.url else None)
                await page.goto(url, wait_until="domcontentloaded")
                await page.wait_for_function(FINISHED_JS, polling=200)
                await asyncio.sleep(5.0)                       # let the warm-up settle
                await page.wait_for_function(FINISHED_JS, polling=200)
                sidebar = page.get_by_test_id("stSidebar")
                # the vector uploader (a second one, for a .npy's vocabulary or a metadata.tsv, is below it)
                uploader = sidebar.get_by_test_id("stFileUploader").filter(has_text="Load a vector file")
                res["limit_text"] = " ".join((await uploader.get_by_test_id(
                    "stFileUploaderDropzoneInstructions").inner_text()).split())
                res["before"] = snapshot(pid)
                deadline = time.monotonic() + timeout_s
                with PeakSampler(pid) as sampler:
                    t0 = time.perf_counter()
                    try:
                        await uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))
                    except Exception as exc:  # noqa: BLE001 - reported in the table
                        res["error"] = f"set_input_files: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
                    res["set_files_s"] = time.perf_counter() - t0
                    while not res["error"]:
                        s = await page.evaluate(STATE_JS, rows)
                        now = time.perf_counter() - t0
                        if s["progress"] and not res["progress"]:
                            res["progress"], res["progress_s"] = True, now
                            res["progress_text"] = s["progress_text"]
                            res["at_bar"] = snapshot(pid)     # the upload is over, the read starts
                        if s.get("load_button") and not res.get("clicked_s"):
                            # a table: the sidebar shows its detected columns and waits for this click
                            res["clicked_s"] = now
                            await sidebar.get_by_role("button", name="Load this table").click()
                        if s["error"]:
                            res["error"] = s["error"]
                        elif s["shown"] and s["finished"]:
                            res["shown_s"] = now
                            break
                        if time.monotonic() > deadline:
                            res["error"] = f"timed out after {timeout_s:.0f} s"
                            break
                        if proc.poll() is not None:
                            res["error"] = f"the server died (exit code {proc.returncode})"
                            break
                        await asyncio.sleep(0.2)
                    res["shown"] = snapshot(pid)
                res["peak_group"] = max(sampler.peak, res["shown"]["group"])
                await asyncio.sleep(30.0)
                res["later"] = snapshot(pid)
                if await page.locator(EXCEPTION).count():
                    res["error"] = res["error"] or "exception box after the load"
                await context.close()
                await asyncio.sleep(10.0)
                res["closed"] = snapshot(pid)
            finally:
                await browser.close()
        res["load_end"] = loadavg()
        log = Path(tmp) / "server.log"
        if log.exists():
            text = log.read_text(errors="replace")
            res["log_tail"] = [ln for ln in text.splitlines() if "Traceback" in ln or "Error" in ln][-5:]
    return res


def fmt_s(v) -> str:
    return "—" if v is None else f"{v:.1f}"


def report(results: list[dict], n: int) -> None:
    array_mb = n * DIM * 4 / 2**20
    print()
    head = (f"{'format':>6} {'file MB':>7} {'bar?':>4} {'to bar s':>8} {'to set s':>8} "
            f"{'grp before':>10} {'grp peak':>8} {'grp shown':>9} {'grp +30s':>8} {'grp closed':>10} "
            f"{'main before':>11} {'main peak':>9} {'main shown':>10} {'main +30s':>9} {'main closed':>11} "
            f"{'peak/arr':>8} {'kept/arr':>8}  error")
    print(head)
    print("-" * len(head))
    print(f"{'array':>6} {array_mb:>7.0f}   (reference: the final float32 array, {n:,} x {DIM} x 4 bytes; "
          "target: peak extra within about 2x this)")
    for r in results:
        if "before" not in r:
            print(f"{r['fmt']:>6} {r['size_mb']:>7.0f}  failed before the upload: {r['error']}")
            continue
        b, s, l, c = r["before"], r["shown"], r["later"], r["closed"]
        peak_extra = s["hwm"] - b["main"]
        print(f"{r['fmt']:>6} {r['size_mb']:>7.0f} {'yes' if r['progress'] else 'no':>4} {fmt_s(r['progress_s']):>8} "
              f"{fmt_s(r['shown_s']):>8} {b['group']:>10.0f} {r['peak_group']:>8.0f} {s['group']:>9.0f} "
              f"{l['group']:>8.0f} {c['group']:>10.0f} {b['main']:>11.0f} {s['hwm']:>9.0f} "
              f"{s['main']:>10.0f} {l['main']:>9.0f} {c['main']:>11.0f} "
              f"{peak_extra / array_mb:>8.2f} {(l['main'] - b['main']) / array_mb:>8.2f}  {r['error'] or '—'}")
    print("\nMB = MiB. grp = the server's process group (main process + workers: the shared pool and the\n"
          "approximate-index build for sets >= 200,000 rows); main = the server process alone.\n"
          "before = the home page drawn and settled; shown = the sidebar shows the new set and the script has\n"
          "finished; +30s = 30 s later; closed = 10 s after the tab was closed. grp peak = sampled every 0.2 s\n"
          "from set_input_files to shown; main peak = the kernel's VmHWM (exact peak since start) at shown.\n"
          "to bar = set_input_files until the 'Reading …' progress bar was first seen (the upload, roughly);\n"
          "to set = until the set is shown. peak/arr = (main peak - main before) / array;\n"
          "kept/arr = (main +30s - main before) / array.")
    for r in results:
        if "before" not in r:
            continue
        print(f"\n{r['fmt']}: load average {r['load_start']} at start, {r.get('load_end', '?')} at end; "
              f"uploader says: {r.get('limit_text', '?')!r}; set_input_files returned after "
              f"{r.get('set_files_s', float('nan')):.1f} s; progress text: {r.get('progress_text', '—')!r}; "
              "processes in the group: " + ", ".join(f"{k} {r[k]['procs']}" for k in
                                                       ("no_session", "before", "shown", "later", "closed") if k in r)
              + (f"; when the bar appeared: main RSS {r['at_bar']['main']:.0f} MB, main VmHWM {r['at_bar']['hwm']:.0f} MB"
                 if "at_bar" in r else "")
              + f"; DELETE requests for uploaded files (which free their bytes): {len(r.get('deletes', []))}"
              + f"; main VmHWM 30 s after: {r['later']['hwm'] if 'later' in r else float('nan'):.0f} MB"
              + f"; idle server with no session: {r['no_session']['group']:.0f} MB (group), "
              f"{r['no_session']['main']:.0f} MB (main)")
        for note in r["notes"][:5] + r.get("log_tail", []):
            print(f"  {note}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="rows of the file (default 1,000,000)")
    ap.add_argument("--formats", default="bin", help="comma-separated: bin, txt, parquet (default bin)")
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds allowed per upload (default 1800)")
    ap.add_argument("--chromium", default=os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium")
    args = ap.parse_args()
    formats = [f.strip() for f in args.formats.split(",") if f.strip()]
    if not formats or set(formats) - {"bin", "txt", "parquet"}:
        raise SystemExit("--formats: comma-separated, from bin, txt, parquet")
    if not 1 <= args.n <= 1_000_000:
        raise SystemExit("--n: between 1 and 1,000,000")
    if not SOURCE.exists():
        raise SystemExit(f"no {SOURCE}: run bench/bench_ann.py first (it writes the realistic 1M x 300 array)")
    if not (os.path.isfile(args.chromium) and os.access(args.chromium, os.X_OK)):
        raise SystemExit(f"no Chromium at {args.chromium} (apt-get install chromium; never `playwright install`)")
    print(f"load average at start: {loadavg()}", flush=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="embedlab-bench-upload-files-") as folder:
        t = time.perf_counter()
        paths = write_files(Path(folder), args.n, formats)
        print(f"wrote {', '.join(f'{p.name} ({p.stat().st_size / 2**20:.0f} MB)' for p in paths.values())} "
              f"in {time.perf_counter() - t:.1f} s", flush=True)
        for fmt in formats:
            t = time.perf_counter()
            try:
                r = asyncio.run(upload_once(paths[fmt], args.n, args.timeout, args.chromium))
            except Exception as exc:  # noqa: BLE001 - a bench reports a failure in its table
                r = dict(fmt=fmt, size_mb=paths[fmt].stat().st_size / 2**20, notes=[],
                         error=f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}", load_start="?")
            print(f"  {fmt}: {time.perf_counter() - t:.1f} s in all; {r['error'] or 'loaded'}", flush=True)
            results.append(r)
    report(results, args.n)
    print(f"\nload average at end: {loadavg()}")
    return 1 if any(r["error"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
