"""Browser: a Parquet file with a category column, uploaded in the sidebar at a projector's 1280x720 in
presenter mode, colours the Map by that column (issue 13 items 3-4). Screenshots go to
test-output/screenshots/ for a person to look at."""
from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from .conftest import assert_no_exception, goto_page, pick_option, screenshot, vector_file_input, wait_for_app

GENRES = ("science fiction", "romantic comedy", "documentary", "horror", "animation")


def _films(path):
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(len(GENRES), 16)) * 3
    rows = 600
    genre = [GENRES[i % len(GENRES)] for i in range(rows)]
    vecs = np.stack([centres[i % len(GENRES)] + rng.normal(size=16) for i in range(rows)]).astype(np.float32)
    pq.write_table(pa.table({
        "title": [f"film {i}" for i in range(rows)],
        "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vecs.ravel()), 16),
        "genre": genre,
        "year": [1950 + i % 70 for i in range(rows)],
    }), path)
    return path



def test_parquet_upload_colours_the_map_by_its_category_column(app_server, page, tmp_path):
    page.set_viewport_size({"width": 1280, "height": 720})
    goto_page(page, app_server, "Map?present=1")
    sidebar = page.get_by_test_id("stSidebar")
    vector_file_input(page).set_input_files(str(_films(tmp_path / "films.parquet")))
    load = sidebar.get_by_role("button", name="Load this table")   # title/genre: a label choice to confirm
    load.wait_for(timeout=60_000)
    wait_for_app(page)
    screenshot(page, "parquet-upload-pickers-1280x720")
    load.click()
    sidebar.get_by_text("600 tokens × 16 dimensions", exact=False).first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert "films · 600 tokens × 16 dimensions" in sidebar.inner_text()
    pick_option(page, "Colour by", "column: genre")
    assert_no_exception(page)
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(timeout=60_000)
    page.get_by_text("science fiction (120)", exact=True).first.wait_for(timeout=60_000)
    legend = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot .legendtext')]"
                           ".map(t => t.textContent)")
    assert sorted(legend) == sorted(f"{g} (120)" for g in GENRES)
    # the legend sits below the plot area, not over it, and every entry is inside the figure
    box = page.evaluate("""() => {
        const gd = document.querySelector('.js-plotly-plot');
        const area = gd.querySelector('.nsewdrag').getBoundingClientRect();
        const leg = gd.querySelector('.legend').getBoundingClientRect();
        const fig = gd.getBoundingClientRect();
        return {areaBottom: area.bottom, legTop: leg.top, legRight: leg.right, figRight: fig.right,
                legBottom: leg.bottom, figBottom: fig.bottom};
    }""")
    assert box["legTop"] >= box["areaBottom"] - 1, box
    assert box["legRight"] <= box["figRight"] + 1 and box["legBottom"] <= box["figBottom"] + 1, box
    plot.evaluate("""el => { el.scrollIntoView({block: 'start'});
        const main = document.querySelector('[data-testid="stMain"]') || document.scrollingElement;
        main.scrollTop += el.getBoundingClientRect().top - 70; }""")
    page.wait_for_timeout(600)
    screenshot(page, "parquet-map-genre-1280x720")
    plot.evaluate("el => el.scrollIntoView({block: 'end'})")
    page.wait_for_timeout(600)
    screenshot(page, "parquet-map-genre-legend-1280x720")
