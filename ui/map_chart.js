// The Map's 2-D figure drawn by plotly.js's gl2d bundle (ui/map_chart.py; issue 12: the first Map
// within 3 s). data: {figure: the figure's JSON text, template: the Streamlit-themed template,
// src: the bundle's URL, rev: the figure's digest, click: a click selects one dot}.
// State sent back: "selection" = {rev, points: [{customdata, curve_number, point_index, x, y}]},
// the shape of st.plotly_chart's selection event (embedlab.viz.selected_rows reads customdata).
function loadPlotly(src) {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!window.__embedlabPlotly) {
    window.__embedlabPlotly = new Promise((ok, fail) => {
      const s = document.createElement("script");
      s.src = src;
      s.async = true;
      s.onload = () => ok(window.Plotly);
      s.onerror = () => { window.__embedlabPlotly = null; fail(new Error("plotly.js did not load: " + src)); };
      document.head.appendChild(s);
    });
  }
  return window.__embedlabPlotly;
}

function pointsOf(ev) {
  return ((ev && ev.points) || []).map((p) => ({
    customdata: p.customdata, curve_number: p.curveNumber, point_index: p.pointIndex, x: p.x, y: p.y,
  }));
}

export default function (component) {
  const { parentElement, data, setStateValue } = component;
  let div = parentElement.querySelector(".embedlab-map");
  if (!div) {
    div = document.createElement("div");
    div.className = "embedlab-map";
    div.style.width = "100%";
    parentElement.appendChild(div);
  }
  // What outlives a remount (Streamlit mounts the element again on a rerun): the figure drawn and
  // its selection, per element; the plot's own state (listeners, observer) lives on its div.
  const kept = window.__embedlabMaps || (window.__embedlabMaps = new Map());
  const id = String(data.id || "map");
  if (!kept.has(id)) kept.set(id, { rev: null, kept: null });
  const st = kept.get(id);
  const own = div.__embedlab || (div.__embedlab = { bound: false });
  st.setStateValue = setStateValue;
  st.click = !!data.click;
  const fig = JSON.parse(data.figure);
  const layout = fig.layout || {};
  layout.template = data.template;
  if (layout.uirevision === undefined) layout.uirevision = "embedlab-map";
  if (layout.hovermode === undefined) layout.hovermode = "closest";
  layout.clickmode = data.click ? "event+select" : "event";
  if (layout.dragmode === undefined) layout.dragmode = "select";
  div.style.height = (layout.height || 450) + "px";
  // The same figure drawn again after a rerun (Streamlit can mount the element anew): its selected
  // points stay selected. The lasso's outline is not drawn again: given back as layout.selections it
  // came back active, with edit handles, and a double click inside it no longer cleared the selection.
  if (st.rev === data.rev && st.kept) {
    (fig.data || []).forEach((t, i) => { if (st.kept.points[i] !== undefined) t.selectedpoints = st.kept.points[i]; });
  } else {
    st.kept = null;
  }
  st.rev = data.rev;
  // plotly.js draws WebGL at twice the screen's pixels unless told (plotGlPixelRatio 2, st.plotly_chart's
  // too): at the screen's own ratio (1 on a projector, 2 on a high-density screen) the first Map was
  // drawn 0.3-0.5 s sooner in Chromium's software GL, and its dots look the same.
  const ratio = Math.min(2, Math.max(1, Math.round(window.devicePixelRatio || 1)));
  const config = Object.assign({ displaylogo: false, responsive: true, modeBarButtonsToRemove: ["sendChartToCloud"],
                                 plotGlPixelRatio: ratio }, data.config || {});
  const send = (ev, keep) => {
    st.kept = null;
    if (keep) {                      // what the next draw of this figure shows as selected: per trace, its points
      const points = (div.data || []).map(() => []);
      for (const p of (ev && ev.points) || []) if (points[p.curveNumber]) points[p.curveNumber].push(p.pointIndex);
      st.kept = { points };
    }
    st.setStateValue("selection", { rev: st.rev, points: pointsOf(ev) });
  };
  loadPlotly(data.src).then((Plotly) => Plotly.react(div, fig.data || [], layout, config)).then(() => {
    if (own.bound) return;
    own.bound = true;
    div.on("plotly_selected", (ev) => { if (ev !== undefined) send(ev, true); });
    div.on("plotly_deselect", () => send(null, false));
    div.on("plotly_click", (ev) => { if (st.click) send(ev, false); });
    own.observer = new ResizeObserver(() => { if (div.isConnected && div._fullLayout) window.Plotly.Plots.resize(div); });
    own.observer.observe(parentElement);
  }).catch((err) => {
    div.textContent = String(err && err.message ? err.message : err);
    div.setAttribute("role", "alert");
  });
  return () => {
    requestAnimationFrame(() => {
      if (!div.isConnected && window.Plotly) {
        if (own.observer) own.observer.disconnect();
        window.Plotly.purge(div);
      }
    });
  };
}
