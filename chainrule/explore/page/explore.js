// chainrule explore: a client of the explorer's JSON API (the CLI's --json documents), or of the
// same documents inlined in a static export. No dependencies, no build step.
"use strict";

(function () {
  const $ = (selector) => document.querySelector(selector);
  const SVG = "http://www.w3.org/2000/svg";
  const SCALE = 70; // pixels per layout unit
  const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
                   "#17becf", "#bcbd22", "#7f7f7f"];
  const MAX_DRAWN_CHAINS = 80;
  const WEIGHT_LABELS = 24; // the compact layout's labels shown at once, at most
  const dataElement = document.getElementById("chainrule-data");
  const STATIC = dataElement ? JSON.parse(dataElement.textContent) : null;
  // A static export packs its documents with gzip; the browser unpacks them, offline too.
  const staticReady = STATIC && STATIC.encoding === "gzip+base64" ? (async () => {
    const bytes = Uint8Array.from(atob(STATIC.responses), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    STATIC.responses = JSON.parse(await new Response(stream).text());
  })() : Promise.resolve();
  const initialElement = document.getElementById("chainrule-initial");
  const INITIAL = initialElement ? JSON.parse(initialElement.textContent) : null;

  // What the page offers and each option's default come from /api/options (start()).
  let CHOICES = null, DEFAULTS = null, VIEWS = [];
  const state = {arch: "2-2-2", bias: false, activation: null, cost: null, graph: null,
                 param: null, view: null, step: null, seed: 0, case: null, sorted: false,
                 level: "scalar", sweep: null, lecture: false, chain: null, compact: false,
                 tour: null};
  let layout = null, chainsDoc = null, mathDoc = null, valuesDoc = null, generation = 0;
  // the matrix form: /api/layers (the layer-level graph placed, its Jacobians' MathML) and the
  // chains record of one tensor (/api/chains?view=matrix)
  let layersDoc = null, matrixDoc = null;
  let valuesGeneration = 0;

  // --- talking to the server (or to the inlined documents) ---------------------------------

  function networkQuery(extra) {
    const query = [];
    if (!state.graph) query.push(["arch", state.arch]);
    if (state.bias) query.push(["bias", "true"]);
    if (state.activation !== DEFAULTS.activation) query.push(["activation", state.activation]);
    if (state.cost !== DEFAULTS.cost) query.push(["cost", state.cost]);
    for (const [key, value] of extra || []) query.push([key, String(value)]);
    return query;
  }

  function urlOf(endpoint, query) {
    return "/api/" + endpoint + "?" + new URLSearchParams(query).toString();
  }

  async function fetchDocument(url, options) {
    if (STATIC) {
      await staticReady;
      if (url in STATIC.responses) return STATIC.responses[url];
      throw new Error("this static page does not hold " + url + "; run " + STATIC.command +
                      " to explore further");
    }
    const response = await fetch(url, options || {});
    const document_ = await response.json().catch(() => ({error: response.statusText}));
    if (!response.ok) throw new Error(document_.error || response.statusText);
    return document_;
  }

  function requestOptions(fields) {
    // A graph file and a pasted case go as form fields of a POST: too long for a URL.
    const form = new URLSearchParams();
    if (state.graph) form.append("graph", state.graph);
    for (const [key, value] of fields || []) form.append(key, value);
    return form.toString() ? {method: "POST", body: form} : {};
  }

  function api(endpoint, extra, fields) {
    return fetchDocument(urlOf(endpoint, networkQuery(extra)), requestOptions(fields));
  }

  function layered() {
    // layer sizes (as opposed to a graph file, rnn: or resnet:, whose case holds its data)
    return !state.graph && !/^(rnn|resnet):/i.test(state.arch);
  }

  function showError(error) {
    const box = $("#error");
    if (!error) { box.hidden = true; box.textContent = ""; return; }
    box.hidden = false;
    box.textContent = "chainrule: error: " + (error.message || String(error));
  }

  // --- deep links -----------------------------------------------------------------------------

  function readLocation() {
    const query = new URLSearchParams(window.location.search);
    if (query.get("arch")) state.arch = query.get("arch");
    else if (INITIAL && INITIAL.graph) {
      state.graph = INITIAL.graph;
      $("#graph-text").value = INITIAL.graph;
      $("#graph-file").open = true;
    }
    state.bias = ["1", "true", "yes", "on"].includes((query.get("bias") || "").toLowerCase());
    state.activation = query.get("activation") || DEFAULTS.activation;
    state.cost = query.get("cost") || DEFAULTS.cost;
    state.param = paramOption(query.get("param"));
    state.view = VIEWS.includes(query.get("view")) ? query.get("view") : DEFAULTS.view;
    // view=matrix, as the API spells it, is the matrix form of the whole page
    state.level = query.get("view") === "matrix" ? "matrix" : "scalar";
    state.step = query.has("step") ? parseInt(query.get("step"), 10) : null;
    state.seed = parseInt(query.get("seed") || "0", 10) || 0;
    state.lecture = ["1", "true", "yes", "on"].includes((query.get("lecture") || "").toLowerCase());
    state.compact = query.get("layout") === "compact";
    state.tour = query.has("tour") ? Math.max(0, (parseInt(query.get("tour"), 10) || 1) - 1) :
                 null;
  }

  function writeLocation() {
    const query = networkQuery([]);
    if (state.param) query.push(["param", paramArgument(state.param)]);
    if (state.level === "matrix") query.push(["view", "matrix"]);
    else if (state.view !== DEFAULTS.view) query.push(["view", state.view]);
    if (state.step !== null && state.level === "scalar") query.push(["step", String(state.step)]);
    if (state.seed) query.push(["seed", String(state.seed)]);
    if (state.lecture) query.push(["lecture", "1"]);
    if (state.compact) query.push(["layout", "compact"]);
    if (state.tour !== null) query.push(["tour", String(state.tour + 1)]);
    const search = "?" + new URLSearchParams(query).toString();
    if (search !== window.location.search) {
      try {
        window.history.replaceState(null, "", search);
      } catch (error) {
        // a page without a URL of its own (a notebook's srcdoc frame) keeps none
      }
    }
  }

  function syncControls() {
    $("#arch").value = state.arch;
    $("#bias").checked = state.bias;
    $("#activation").value = state.activation;
    $("#cost").value = state.cost;
    $("#seed").value = String(state.seed);
    for (const view of VIEWS) {
      $("#view-" + view).setAttribute("aria-pressed", String(state.view === view));
    }
    for (const level of ["scalar", "matrix"]) {
      $("#level-" + level).setAttribute("aria-pressed", String(state.level === level));
    }
    document.body.dataset.view = state.level;
    // the compact layout is of neurons: layer sizes only (a static page holds its own layout)
    $("#compact").disabled = Boolean(STATIC) || !layered();
  }

  // --- small helpers --------------------------------------------------------------------------

  function element(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    for (const child of children || []) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function svgElement(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function math(markup) {
    // MathML from the server, parsed as markup (it is the notation layer's own output).
    const holder = document.createElement("span");
    holder.className = "math";
    holder.innerHTML = markup;
    return holder;
  }

  const SUPER = {"0": "⁰", "1": "¹", "2": "²", "3": "³", "4": "⁴", "5": "⁵", "6": "⁶", "7": "⁷",
                 "8": "⁸", "9": "⁹", "(": "⁽", ")": "⁾", ",": "˒"};
  const SUB = {"0": "₀", "1": "₁", "2": "₂", "3": "₃", "4": "₄", "5": "₅", "6": "₆", "7": "₇",
               "8": "₈", "9": "₉", ",": ","};

  function unicodeName(name) {
    // delta^(2)_1 -> δ⁽²⁾₁, as the CLI's --format unicode writes names.
    const match = /^(delta|theta|z|a|x)(?:\^(\([0-9]+\)))?_([0-9,]+)$/.exec(name);
    if (!match) return name;
    const base = {delta: "δ", theta: "θ"}[match[1]] || match[1];
    const up = (match[2] || "").split("").map((c) => SUPER[c] || c).join("");
    return base + up + match[3].split("").map((c) => SUB[c] || c).join("");
  }

  function trimZeros(text) {
    // 0.5000 -> 0.5 and 12.0 -> 12, but 1230 stays 1230 (zeros before the point are digits)
    return text.includes(".") && !/e/i.test(text) ? text.replace(/\.?0+$/, "") : text;
  }

  function number(value) {
    if (value === null || value === undefined) return "–";
    if (typeof value !== "number") return String(value);
    if (value !== 0 && (Math.abs(value) < 1e-3 || Math.abs(value) >= 1e5)) {
      return value.toExponential(3);
    }
    return trimZeros(value.toPrecision(4));
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) { // file:// pages and old browsers: the textarea way
      const area = element("textarea", {"aria-hidden": "true"}, [text]);
      document.body.append(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    button.textContent = "copied";
    setTimeout(() => { button.textContent = "LaTeX"; }, 1200);
  }

  async function copyLink() {
    // The view's deep link: the page's own URL (a file:// one for a static export) with the
    // state written into its query, as writeLocation() keeps it. data-link: what was copied.
    writeLocation();
    const link = window.location.href;
    const button = $("#copy-link");
    let copied = true;
    try {
      await navigator.clipboard.writeText(link);
    } catch (error) { // file:// pages and old browsers: the textarea way
      const area = element("textarea", {"aria-hidden": "true"}, [link]);
      document.body.append(area);
      area.select();
      copied = document.execCommand("copy");
      area.remove();
    }
    button.dataset.link = link;
    button.textContent = copied ? "Link copied" : "Copy link";
    $("#copy-link-state").textContent = copied ? "link copied: " + link :
                                                 "could not copy; the link is " + link;
    setTimeout(() => { button.textContent = "Copy link"; }, 1500);
  }

  function copyButton(latex, what) {
    const button = element("button", {type: "button", class: "copy",
                                      "aria-label": "Copy the LaTeX of " + what,
                                      "data-latex": latex}, ["LaTeX"]);
    button.addEventListener("click", () => copy(latex, button));
    return button;
  }

  // --- counts ---------------------------------------------------------------------------------

  function countParts(value) {
    // 2,057,835,520 with a line break allowed after each comma: a figure wider than the panel
    // wraps there rather than being clipped or widening the page
    const parts = [];
    value.toLocaleString("en").split(",").forEach((group, index, groups) => {
      parts.push(index < groups.length - 1 ? group + "," : group);
      if (index < groups.length - 1) parts.push(document.createElement("wbr"));
    });
    return parts;
  }

  const COMPACT_FROM = 1e6; // a count this large is written 2.06 × 10⁹, its exact figure on hover

  function showCount(holder, value, whole) {
    // A count of a real network (2,057,835,520 chains) is written compactly, to three
    // significant figures, so that it fits a phone's column; the exact figure is its title
    // (shown on hover) and its data-exact, and a small count is written whole.
    const exact = value.toLocaleString("en");
    if (typeof value !== "number" || Math.abs(value) < COMPACT_FROM) {
      // a figure may break after a comma (countParts); a table's cell stays on one line
      holder.replaceChildren(...(whole ? [exact] : countParts(value)));
    } else {
      const [mantissa, power] = value.toExponential(2).split("e");
      const up = String(Number(power)).split("").map((c) => SUPER[c] || (c === "-" ? "⁻" : c));
      holder.replaceChildren(`${mantissa}\u202f×\u202f10${up.join("")}`);
    }
    holder.title = exact;
    holder.dataset.exact = exact;
    return holder;
  }

  function countCell(value) {
    return showCount(element("td"), value, true);
  }

  let countsRow = null;

  function chainsOf(name) {
    // A layered network's weight has the chains of its layer's every weight (the server's
    // counts); a graph's are not counted weight by weight: null.
    const match = /^theta\^\((\d+)\)_/.exec(name || "");
    const layers = (countsRow && countsRow.layers) || [];
    const layer = match && !state.graph && layers.find((l) => l.layer === Number(match[1]));
    return layer ? layer.chains / layer.parameters : null;
  }

  function fits(name) {
    if (state.level === "matrix") return true; // a weight matrix's chains are few
    if (layout && layout.refused) return false; // the graph is too large to build at all
    const chains = chainsOf(name);
    return chains === null || chains <= CHOICES.selection_limit;
  }

  function tooManyNote(name) {
    if (layout && layout.refused) return "no weight can be selected: " + layout.refused;
    const label = unicodeName(name);
    return `${label} has ${chainsOf(name).toLocaleString("en")} chains, more than the ` +
           `${CHOICES.selection_limit.toLocaleString("en")} a selection shows: pick a weight ` +
           `nearer the output, or list them with chainrule chains ${state.arch} --param ` +
           `${paramArgument(name)}`;
  }

  function showCounts(document_) {
    const row = document_[0];
    countsRow = row;
    for (const what of ["parameters", "chains", "terms"]) {
      const figure = $(`[data-count="${what}"]`);
      showCount(figure, row[what]);
      figure.dataset.value = String(row[what]);
    }
    const layers = row.layers || [];
    const body = $("#by-layer tbody");
    body.replaceChildren(...layers.map((layer) => element("tr", {}, [
      element("th", {scope: "row"}, [`θ(${layer.layer})`]),
      countCell(layer.parameters), countCell(layer.chains), countCell(layer.terms),
      element("td", {}, [String(layer.chain_length)])])));
    $("#by-layer").hidden = layers.length === 0;
    const ops = row.ops || {};
    $("#ops tbody").replaceChildren(...["expanded", "reverse", "forward"].filter((m) => ops[m])
      .map((mode) => element("tr", {}, [
        element("th", {scope: "row"}, [{expanded: "expanded path sum", reverse: "reverse (δ)",
                                        forward: "forward mode"}[mode]]),
        countCell(ops[mode].multiplications), countCell(ops[mode].additions)])));
    plotTerms(layers);
  }

  function plotTerms(layers) {
    const holder = $("#terms-plot");
    holder.replaceChildren();
    if (layers.length === 0) return;
    const width = 260, height = 120, left = 36, bottom = 22, top = 8, right = 10;
    const points = layers.map((l) => [l.chain_length, Math.log10(Math.max(l.terms, 1))]);
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
    const y1 = Math.max(1, Math.ceil(Math.max(...ys)));
    const px = (x) => left + (x1 === x0 ? 0.5 : (x - x0) / (x1 - x0)) * (width - left - right);
    const py = (y) => top + (1 - y / y1) * (height - top - bottom);
    const svg = svgElement("svg", {viewBox: `0 0 ${width} ${height}`, role: "img",
                                   class: "plot", "aria-label":
                                   "terms of each weight layer against chain length, log scale"});
    for (let decade = 0; decade <= y1; decade += Math.max(1, Math.ceil(y1 / 4))) {
      svg.append(svgElement("line", {x1: left, x2: width - right, y1: py(decade), y2: py(decade),
                                     class: "grid"}));
      const label = svgElement("text", {x: left - 4, y: py(decade) + 3, class: "tick",
                                        "text-anchor": "end"});
      label.textContent = decade === 0 ? "1" : `1e${decade}`;
      svg.append(label);
    }
    svg.append(svgElement("polyline", {points: points.map(([x, y]) => `${px(x)},${py(y)}`)
                                           .join(" "), class: "series"}));
    for (const [x, y] of points) {
      svg.append(svgElement("circle", {cx: px(x), cy: py(y), r: 3, class: "dot"}));
      const tick = svgElement("text", {x: px(x), y: height - 6, class: "tick",
                                       "text-anchor": "middle"});
      tick.textContent = String(x);
      svg.append(tick);
    }
    const caption = element("p", {class: "plot-caption"},
                            ["terms per weight layer (log) against chain length"]);
    holder.append(svg, caption);
  }

  // --- the graph ------------------------------------------------------------------------------

  function kindName(kind) {
    return {input: "input", param: "parameter", pre: "weighted input", act: "activation",
            cost: "cost"}[kind] || kind;
  }

  function drawGraph() {
    const holder = $("#graph");
    holder.replaceChildren();
    const xs = layout.nodes.map((n) => n.x), ys = layout.nodes.map((n) => n.y);
    const margin = 0.9;
    const [minX, minY] = [Math.min(...xs) - margin, Math.min(...ys) - margin];
    const width = (Math.max(...xs) - Math.min(...xs) + 2 * margin) * SCALE;
    const height = (Math.max(...ys) - Math.min(...ys) + 2 * margin) * SCALE;
    const svg = svgElement("svg", {viewBox: `0 0 ${width} ${height}`, class: "network",
                                   role: "group", "aria-label": "computation graph of " +
                                   layout.architecture});
    svg.style.maxWidth = Math.max(width * 1.5, 560) + "px";
    const at = {};
    for (const node of layout.nodes) {
      at[node.name] = [(node.x - minX) * SCALE, (node.y - minY) * SCALE];
    }
    const layers = ["regions", "edges", "chains", "nodes"].map((name) => {
      const group = svgElement("g", {class: name});
      svg.append(group);
      return group;
    });
    const place = ([x, y]) => [(x - minX) * SCALE, (y - minY) * SCALE];
    let routes = {};
    if (layout.compact) {
      // neurons, each weight's edge keyed by its θ → z edge; a chain runs neuron to neuron
      // through where each node of the computation graph sits
      const places = layout.places;
      routes = new Proxy({}, {get: (_, key) => {
        const [from, to] = String(key).split("->");
        return places[from] && places[to] ? [place(places[from]), place(places[to])] :
          undefined;
      }});
      for (const edge of layout.edges) {
        const line = svgElement("polyline", {
          points: pointList([at[edge.from], at[edge.to]]), class: "edge",
          "data-edge": edge.key || `${edge.from}->${edge.to}`});
        if (edge.through) line.dataset.through = edge.through;
        layers[1].append(line);
      }
    } else {
      for (const edge of layout.edges) {
        const key = `${edge.from}->${edge.to}`;
        routes[key] = edge.points ? edge.points.map(place) : [at[edge.from], at[edge.to]];
        layers[1].append(svgElement("polyline", {points: pointList(routes[key]), class: "edge",
                                                 "data-edge": key}));
      }
    }
    const radius = layout.radius * SCALE;
    for (const node of layout.nodes) {
      const [x, y] = at[node.name];
      const group = svgElement("g", {class: `node kind-${node.kind}`, "data-node": node.name,
                                     transform: `translate(${x},${y})`,
                                     "aria-label": `${node.label}, ${kindName(node.kind)}`});
      if (node.kind === "param") {
        selectable(group, node.name);
      } else {
        group.setAttribute("role", "img");
      }
      const title = svgElement("title");
      title.textContent = `${node.label} (${kindName(node.kind)})`;
      group.append(title, svgElement("circle", {r: radius}));
      const label = svgElement("text", {"text-anchor": "middle", dy: "0.35em", class: "label"});
      setLabel(label, node);
      const value = svgElement("text", {"text-anchor": "middle", y: radius + 12, class: "value"});
      const extra = svgElement("text", {"text-anchor": "middle", y: radius + 24,
                                        class: "value extra"});
      group.append(label, value, extra);
      layers[3].append(group);
    }
    if (layout.compact) layers[3].append(...weightLabels(at, radius));
    holder.append(svg);
    svg.__at = at;
    svg.__routes = routes;
    const select = $("#param-select");
    select.replaceChildren(...layout.parameters.map((name) => {
      const node = layout.nodes.find((n) => n.name === name);
      const option = element("option", {value: name}, [node ? node.label : unicodeName(name)]);
      option.disabled = !fits(name);
      return option;
    }));
    $("#summary").hidden = !layout.summary;
    $("#summary").textContent = layout.summary ? "summary: " + layout.summary : "";
    paintSweep(); // the case's numbers, on a graph drawn again
    svg.__box = [0, 0, width, height];
    zoomGraph(null);
    panWithPointer(svg);
  }

  function setLabel(text, node) {
    // a name Unicode cannot write on one line comes in parts (E_total: E, subscript total):
    // its indices set smaller, the upper one raised and the lower one dropped
    if (!node.parts) {
      text.textContent = node.label;
      if (node.label.length > 5) text.setAttribute("font-size", "10");
      return;
    }
    const [base, upper, lower] = node.parts;
    text.append(base);
    for (const [index, shift] of [[upper, "super"], [lower, "sub"]]) {
      if (!index) continue;
      const span = svgElement("tspan", {"baseline-shift": shift, "font-size": "70%"});
      span.textContent = index;
      text.append(span);
    }
    if (base.length + 0.7 * (upper.length + lower.length) > 5) {
      text.setAttribute("font-size", "10");
    }
  }

  function asButton(group, act) {
    // an SVG group that a click, Enter or the space bar acts on, and Tab reaches
    group.setAttribute("tabindex", "0");
    group.setAttribute("role", "button");
    group.addEventListener("click", act);
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        act();
      }
    });
  }

  function selectable(group, name) {
    // a weight: a button that selects it; past the limit still focusable, a click saying why
    // it shows nothing
    asButton(group, () => selectParameter(name));
    if (!fits(name)) {
      group.classList.add("too-many");
      group.setAttribute("aria-disabled", "true");
    }
  }

  function weightLabels(at, radius) {
    // The compact layout's weights: a label on each edge, away from the neurons (edges from
    // one neuron labelled at different distances, so that their labels part), with a halo,
    // the weight's number under it as a node's is.
    const byTarget = {};
    for (const edge of layout.edges) {
      if (edge.weight) (byTarget[edge.to] = byTarget[edge.to] || []).push(edge);
    }
    const groups = [];
    for (const edges of Object.values(byTarget)) {
      edges.forEach((edge, index) => {
        const [x1, y1] = at[edge.from], [x2, y2] = at[edge.to];
        const t = edges.length === 1 ? 0.5 : 0.28 + 0.44 * index / (edges.length - 1);
        const [x, y] = [x1 + t * (x2 - x1), y1 + t * (y2 - y1)];
        const label = unicodeName(edge.weight);
        const group = svgElement("g", {class: "node kind-param weight", "data-node": edge.weight,
                                       transform: `translate(${x},${y})`,
                                       "aria-label": `${label}, weight`});
        selectable(group, edge.weight);
        const title = svgElement("title");
        title.textContent = `${label} (weight, from ${edge.from} to ${edge.to})`;
        const width = 9 * label.length + 6;
        group.append(title, svgElement("rect", {x: -width / 2, y: -10, width, height: 18,
                                                rx: 4}));
        const text = svgElement("text", {"text-anchor": "middle", dy: "0.35em", class: "label"});
        text.textContent = label;
        group.append(text,
                     svgElement("text", {"text-anchor": "middle", y: 20, class: "value"}),
                     svgElement("text", {"text-anchor": "middle", y: 31, class: "value extra"}));
        groups.push(group);
      });
    }
    return groups;
  }

  // --- zoom and pan ---------------------------------------------------------------------------

  const ZOOM_STEP = 1.5, MOST_ZOOM = 12;

  function zoomGraph(by) {
    // by: a factor (>1 closer), or null to show the whole graph; the view box does the work, so
    // labels stay sharp at any zoom
    const svg = $("#graph svg");
    if (!svg || !svg.__box) return;
    const [, , width, height] = svg.__box;
    const view = svg.__view || {zoom: 1, cx: width / 2, cy: height / 2};
    if (by === null) Object.assign(view, {zoom: 1, cx: width / 2, cy: height / 2});
    else view.zoom = Math.min(Math.max(view.zoom * by, 1), MOST_ZOOM);
    svg.__view = view;
    showView(svg);
  }

  function showView(svg) {
    const [, , width, height] = svg.__box;
    const view = svg.__view;
    const [w, h] = [width / view.zoom, height / view.zoom];
    // the view stays on the graph: its centre at least half a view from each edge
    view.cx = Math.min(Math.max(view.cx, w / 2), width - w / 2);
    view.cy = Math.min(Math.max(view.cy, h / 2), height - h / 2);
    svg.setAttribute("viewBox", `${view.cx - w / 2} ${view.cy - h / 2} ${w} ${h}`);
    svg.dataset.zoom = view.zoom.toFixed(2);
    $("#zoom-out").disabled = view.zoom <= 1;
    $("#zoom-fit").disabled = view.zoom <= 1;
    $("#zoom-in").disabled = view.zoom >= MOST_ZOOM;
  }

  function panWithPointer(svg) {
    // drag the background to move a zoomed graph (a node keeps its click); ctrl + wheel zooms
    let from = null;
    svg.addEventListener("pointerdown", (event) => {
      if (event.target.closest("g.node") || !svg.__view || svg.__view.zoom <= 1) return;
      from = {x: event.clientX, y: event.clientY, cx: svg.__view.cx, cy: svg.__view.cy};
      svg.setPointerCapture(event.pointerId);
      svg.classList.add("panning");
    });
    svg.addEventListener("pointermove", (event) => {
      if (!from) return;
      const unitsPerPixel = svg.__box[2] / svg.__view.zoom / svg.getBoundingClientRect().width;
      svg.__view.cx = from.cx - (event.clientX - from.x) * unitsPerPixel;
      svg.__view.cy = from.cy - (event.clientY - from.y) * unitsPerPixel;
      showView(svg);
    });
    const stop = () => { from = null; svg.classList.remove("panning"); };
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointercancel", stop);
    svg.addEventListener("wheel", (event) => {
      if (!event.ctrlKey) return; // a plain wheel scrolls the page
      event.preventDefault();
      zoomGraph(event.deltaY < 0 ? ZOOM_STEP : 1 / ZOOM_STEP);
    }, {passive: false});
  }

  // --- one chain at a time, and the lecture's type -----------------------------------------

  function chainCount() {
    const shownDoc = state.level === "matrix" ? matrixDoc : chainsDoc;
    return shownDoc ? shownDoc.chains.length : 0;
  }

  function showChainAlone(index) {
    // index: a chain to light alone (its line drawn, its row marked), or null for all of them
    const count = chainCount();
    state.chain = index === null || count === 0 ? null : ((index % count) + count) % count;
    for (const item of document.querySelectorAll("#chains [data-chain].current")) {
      item.classList.remove("current");
    }
    const item = state.chain === null ? null :
      document.querySelector(`#chains [data-chain="${state.chain}"]`);
    if (item) item.classList.add("current"); // (not scrolled to: the graph stays in view)
    $("#chain-count").textContent = state.chain === null ?
      (count ? `all ${count} chain${count === 1 ? "" : "s"}` : "") :
      `chain ${state.chain + 1} of ${count}`;
    $("#chain-prev").disabled = $("#chain-next").disabled = count < 2;
    $("#chain-all").disabled = state.chain === null;
    lightChains();
  }

  // --- the guided tour: explain's sections, each showing its part of the page ----------------

  let tourDoc = null;
  const TOUR_PANELS = {counts: "#counts-panel", chains: "#chains-panel",
                       factoring: "#delta-panel", matrix: "#graph-panel", operations: "#ops",
                       check: "#numbers-panel"};

  let tourGeneration = 0;

  async function openTour(on) {
    const mine = ++tourGeneration; // a reply for a closed tour or another network is dropped
    $("#tour").setAttribute("aria-pressed", String(on));
    $("#tour-panel").hidden = !on;
    if (!on) {
      state.tour = null;
      spotlight(null);
      writeLocation();
      return;
    }
    const note = $("#tour-note");
    tourDoc = null; // nothing of another network's tour stays to be stepped through
    $("#tour-heading").textContent = "";
    $("#tour-text").textContent = "";
    $("#tour-count").textContent = "";
    $("#tour-prev").disabled = $("#tour-next").disabled = true;
    delete $("#tour-panel").dataset.topic;
    if (!layered()) {
      note.textContent = "The tour is of layer sizes (chainrule explain): show a network such " +
                         "as 2-2-2 to take it.";
      return;
    }
    note.textContent = "telling…";
    let told;
    try {
      // the check it ends with is of the page's case (its seed)
      told = await api("tour", state.seed ? [["seed", state.seed]] : []);
    } catch (error) {
      if (mine !== tourGeneration) return;
      note.replaceChildren(element("span", {class: "failed"}, ["chainrule: error: " +
                                                               error.message]), " ",
                           retryButton("the tour", () => openTour(true)));
      return;
    }
    if (mine !== tourGeneration || $("#tour-panel").hidden) return;
    tourDoc = told;
    note.textContent = "";
    showTour(state.tour === null ? 0 : state.tour);
  }

  function showTour(index) {
    if (!tourDoc) return;
    const sections = tourDoc.sections;
    state.tour = Math.min(Math.max(index, 0), sections.length - 1);
    const section = sections[state.tour];
    $("#tour-panel").dataset.topic = section.topic;
    $("#tour-heading").textContent = `${section.number} · ${section.title}`;
    $("#tour-text").textContent = section.body;
    $("#tour-count").textContent = `step ${state.tour + 1} of ${sections.length}`;
    $("#tour-prev").disabled = state.tour === 0;
    $("#tour-next").disabled = state.tour === sections.length - 1;
    writeLocation();
    driveFigure(section.topic);
  }

  async function driveFigure(topic) {
    // each step shows its part of the page: its panel marked at once, the figure set to it
    // as its documents come
    spotlight(TOUR_PANELS[topic]);
    if (topic !== "matrix" && state.level === "matrix") setLevel("scalar");
    if (topic === "matrix" && state.level !== "matrix") setLevel("matrix");
    const parameter = tourDoc.parameter;
    if (["chains", "factoring"].includes(topic) && state.level === "scalar" &&
        state.param !== parameter) {
      await selectParameter(parameter);
    }
    if (topic === "chains") showChainAlone(null);
    if (topic === "factoring" && mathDoc && state.level === "scalar") {
      state.step = mathDoc.steps.length - 1; // the δ form the section arrives at
      showStep();
    }
    writeLocation();
  }

  function spotlight(selector) {
    for (const marked of document.querySelectorAll(".spotlight")) {
      marked.classList.remove("spotlight");
    }
    const target = selector && $(selector);
    document.body.classList.toggle("touring", Boolean(target));
    if (!target) return;
    target.classList.add("spotlight");
    // the part of the page the step is about, below the tour (which stays in view)
    target.scrollIntoView({block: "start", behavior: "smooth"});
  }

  function layoutQuery() {
    // the compact layout, for layer sizes: a node per neuron, each weight a label on its edge
    return state.compact && layered() ? [["layout", "compact"]] : [];
  }

  function setCompact(on) {
    state.compact = on;
    $("#compact").setAttribute("aria-pressed", String(on));
    writeLocation();
    if (layout && layered()) load();
  }

  function setLecture(on) {
    state.lecture = on;
    document.body.classList.toggle("lecture", on);
    $("#lecture").setAttribute("aria-pressed", String(on));
    writeLocation();
    if (mathDoc && state.level === "scalar") showStep(); // its sum wrapped, or whole again
  }

  // --- the matrix form: the layer-level graph, its chains and the batch form ------------------

  function drawTensors() {
    // /api/layers placed the tensors; each is drawn with its name inside and its shape under it
    const holder = $("#graph");
    holder.replaceChildren();
    $("#summary").hidden = true;
    $("#select-note").hidden = true;
    const select = $("#param-select");
    if (!layersDoc) { select.replaceChildren(); return; }
    // the box holds every node and every arc (an RNN's weights arc over the time steps)
    const points = [...layersDoc.nodes.map((n) => [n.x, n.y]),
                    ...layersDoc.edges.flatMap((e) => e.points || [])];
    const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
    const margin = 0.9;
    const [minX, minY] = [Math.min(...xs) - margin, Math.min(...ys) - margin];
    const width = (Math.max(...xs) - Math.min(...xs) + 2 * margin) * SCALE;
    const height = (Math.max(...ys) - Math.min(...ys) + 2 * margin + 0.3) * SCALE;
    const svg = svgElement("svg", {viewBox: `0 0 ${width} ${height}`, class: "network tensors",
                                   role: "group", "aria-label": "layer-level graph of " +
                                   layersDoc.architecture});
    svg.style.maxWidth = Math.max(width * 1.3, 560) + "px";
    const place = ([x, y]) => [(x - minX) * SCALE, (y - minY) * SCALE];
    const at = {};
    for (const node of layersDoc.nodes) at[node.name] = place([node.x, node.y]);
    const layers = ["regions", "edges", "chains", "nodes"].map((name) => {
      const group = svgElement("g", {class: name});
      svg.append(group);
      return group;
    });
    const routes = {}, labels = {};
    for (const node of layersDoc.nodes) labels[node.name] = node.label;
    for (const edge of layersDoc.edges) {
      const key = `${edge.from}->${edge.to}`;
      routes[key] = edge.points ? edge.points.map(place) : [at[edge.from], at[edge.to]];
      const line = svgElement("polyline", {points: pointList(routes[key]), class: "edge",
                                           "data-edge": key, "data-shape": edge.size});
      const title = svgElement("title");
      title.textContent = `∂${labels[edge.to]}/∂${labels[edge.from]}: a ${edge.form} ` +
                          `Jacobian, ${edge.size}`;
      line.append(title);
      layers[1].append(line);
    }
    const radius = layersDoc.radius * SCALE;
    for (const node of layersDoc.nodes) {
      const [x, y] = at[node.name];
      const group = svgElement("g", {class: `node tensor kind-${node.kind}`,
                                     "data-node": node.name, "data-shape": node.size,
                                     transform: `translate(${x},${y})`,
                                     "aria-label": `${node.label}, ${kindName(node.kind)}, ` +
                                                   node.size});
      if (node.kind === "param") {
        asButton(group, () => loadMatrix(node.name));
      } else {
        group.setAttribute("role", "img");
      }
      const title = svgElement("title");
      title.textContent = `${node.label} (${kindName(node.kind)}), ${node.size}`;
      group.append(title, svgElement("circle", {r: radius}));
      const label = svgElement("text", {"text-anchor": "middle", dy: "0.35em", class: "label"});
      label.textContent = node.label;
      if (node.label.length > 5) label.setAttribute("font-size", "10");
      const shape = svgElement("text", {"text-anchor": "middle", y: radius + 14,
                                        class: "shape"});
      shape.textContent = node.size;
      group.append(label, shape);
      layers[3].append(group);
    }
    if (layout.compact) layers[3].append(...weightLabels(at, radius));
    holder.append(svg);
    svg.__at = at;
    svg.__routes = routes;
    select.replaceChildren(...layersDoc.parameters.map((name) => {
      const node = layersDoc.nodes.find((n) => n.name === name);
      return element("option", {value: name}, [node ? `${node.label} (${node.size})` : name]);
    }));
    select.value = layersDoc.parameter;
  }

  function shapeText(shape) {
    // [512, 401408] -> 512×401408, as the record's shapes are written
    return shape.join("×");
  }

  function showMatrixChains() {
    // The chains record of one tensor (/api/chains?view=matrix), each factor with its shape.
    const holder = $("#chains");
    if (!matrixDoc || !layersDoc) return;
    const count = matrixDoc.chains.length;
    const group = element("div", {"data-parameter": matrixDoc.parameter,
                                  "data-shape": shapeText(matrixDoc.shape),
                                  class: "chain-group matrix-chains"});
    const heading = element("p", {class: "lhs"}, [
      math(layersDoc.gradient_mathml),
      ` (${shapeText(matrixDoc.shape)}) = the sum of ${count} layer-level ` +
      `chain${count === 1 ? "" : "s"}, standing for ` +
      `${matrixDoc.scalar_chains.toLocaleString("en")} scalar ` +
      `chain${matrixDoc.scalar_chains === 1 ? "" : "s"}:`]);
    const edges = {};
    for (const edge of layersDoc.edges) edges[`${edge.from}->${edge.to}`] = edge;
    const list = element("ol", {class: "chain-list"});
    matrixDoc.chains.forEach((chain, index) => {
      const item = element("li", {"data-chain": String(index), tabindex: "0",
                                  class: "matrix-chain"});
      item.style.setProperty("--chain", COLOURS[index % COLOURS.length]);
      const product = element("span", {class: "product"});
      chain.forEach((factor, position) => {
        const key = `${factor.wrt}->${factor.of}`;
        const edge = edges[key];
        if (position > 0) product.append(element("span", {class: "dot"}, [" "]));
        const span = element("span", {class: "factor", "data-edge": key,
                                      "data-of": factor.of, "data-wrt": factor.wrt,
                                      "data-shape": shapeText(factor.shape)});
        span.append(edge ? math(edge.mathml) : `∂${factor.of}/∂${factor.wrt}`);
        span.addEventListener("mouseenter", () => showTensorFactor(key, edge));
        span.addEventListener("mouseleave", () => showTensorFactor(null));
        product.append(span);
      });
      item.append(product, copyButton(chain.map((f) => f.latex).join(" "),
                                      `chain ${index + 1}`));
      item.addEventListener("mouseenter", () => lightChains(index));
      item.addEventListener("mouseleave", () => lightChains());
      item.addEventListener("focus", () => lightChains(index));
      item.addEventListener("blur", () => lightChains());
      list.append(item);
    });
    group.append(heading, list);
    holder.append(group);
  }

  function showTensorFactor(key, edge) {
    const info = $("#factor-info");
    for (const line of document.querySelectorAll("#graph .edge.hot")) {
      line.classList.remove("hot");
    }
    if (!key || !edge) { info.replaceChildren(); return; }
    const line = edgeLine(key);
    if (line) line.classList.add("hot");
    info.replaceChildren(math(edge.mathml),
                         element("span", {}, [`: a ${edge.form} Jacobian, ${edge.size}`]));
  }

  function showBatch() {
    // The δ recursion of the selected tensor in batch form, each operand over its shape.
    const holder = $("#steps");
    $("#step-count").textContent = "";
    if (!layersDoc || !matrixDoc) return;
    if (!layersDoc.batch) {
      holder.append(element("p", {class: "note"}, ["no batch form: a Jacobian on the way is " +
                                                   "neither a weight matrix nor diagonal"]));
      return;
    }
    const view = element("div", {class: "step batch", "data-step": "batch"});
    layersDoc.batch.forEach((equation, index) => {
      const latex = matrixDoc.batch ? matrixDoc.batch[index].latex : "";
      view.append(element("div", {class: "line batch-line", "data-kind": equation.kind}, [
        math(equation.lhs_mathml), element("span", {class: "eq"}, ["="]),
        math(equation.rhs_mathml), copyButton(latex, "this equation")]));
    });
    holder.append(view);
  }

  async function loadMatrix(name) {
    // The matrix form of the tensor `name` (a tensor's name or a weight's; the first weight
    // matrix when null): its layer-level graph, then its chains record.
    const mine = ++generation;
    const started = performance.now();
    try {
      const placed = await api("layers", name ? [["param", paramArgument(name)]] : []);
      if (mine !== generation) return;
      const chains = await api("chains", [["view", "matrix"], ["param", placed.parameter]]);
      if (mine !== generation) return;
      layersDoc = placed;
      matrixDoc = chains[0];
      state.param = placed.parameter;
      showError(null);
    } catch (error) {
      if (mine !== generation) return;
      layersDoc = matrixDoc = null;
      showError(error);
    }
    // a weight matrix selected by keyboard keeps the focus across the redraw
    const focused = document.activeElement && document.activeElement.closest &&
                    document.activeElement.closest("#graph g.node");
    drawTensors();
    const node = focused && $(`#graph g.node[data-node="${CSS.escape(state.param)}"]`);
    if (node) node.focus();
    lightChains();
    showChains();
    showStep();
    writeLocation();
    document.body.dataset.ready = "true";
    document.body.dataset.selectMs = (performance.now() - started).toFixed(1);
  }

  function offerScalar() {
    // The scalar form is offered unless its graph is too large to build (784-512-512-10's
    // has 2,009,913 nodes and edges): then the page opens in the matrix form and says why.
    const refused = layout && layout.refused;
    const button = $("#level-scalar");
    button.disabled = Boolean(refused);
    button.title = refused ? "the scalar graph is too large: " + refused : "";
    const note = $("#level-note");
    note.hidden = !refused;
    note.textContent = refused ? "The scalar graph is too large to show (" + refused +
      "), so the page shows the matrix form: the same derivation a layer at a time." : "";
    if (refused) state.level = "matrix";
  }

  function setLevel(level) {
    if (level === state.level || (level === "scalar" && layout && layout.refused)) return;
    state.level = level;
    syncControls();
    showFactor(null);
    // nothing of the other form stays on the page while this one's documents are fetched
    chainsDoc = mathDoc = layersDoc = matrixDoc = null;
    showChains();
    showStep();
    if (level === "matrix") {
      // a static page holds the matrix form by tensor, not by each weight
      loadMatrix(STATIC ? null : state.param);
      return;
    }
    state.step = null;
    drawGraph();
    selectFirst();
  }

  function edgeLine(key) {
    // in the compact layout a chain's a → z edge is drawn by its weight's line (data-through)
    const escaped = CSS.escape(key);
    return document.querySelector(`#graph .edge[data-edge="${escaped}"]`) ||
           document.querySelector(`#graph .edge[data-through="${escaped}"]`);
  }

  function pointList(points, shift) {
    return points.map(([x, y]) => `${x},${y + (shift || 0)}`).join(" ");
  }

  function chainEdges(chain) {
    return chain.map((factor) => `${factor.wrt}->${factor.of}`);
  }

  function lightChains(only) {
    const svg = $("#graph svg");
    if (!svg) return;
    // one chain at a time (◂ chain ▸): leaving a hovered chain returns to it, not to all
    if (only === undefined && state.chain !== null) only = state.chain;
    for (const line of svg.querySelectorAll(".edge.lit")) line.classList.remove("lit");
    for (const node of svg.querySelectorAll("g.node.on-chain")) {
      node.classList.remove("on-chain");
    }
    const overlay = svg.querySelector("g.chains");
    overlay.replaceChildren();
    // a scalar chain and a layer-level one are both lists of {of, wrt}: lit the same way
    const shownDoc = state.level === "matrix" ? matrixDoc : chainsDoc;
    if (!shownDoc) return;
    const chains = shownDoc.chains;
    const shown = chains.length <= MAX_DRAWN_CHAINS;
    // each edge and node looked up once, not once a chain (1,000 chains share 252 edges)
    const litKeys = new Set(), onChain = new Set();
    chains.forEach((chain, index) => {
      if (only !== undefined && only !== index) return;
      for (const key of chainEdges(chain)) litKeys.add(key);
      for (const factor of chain) onChain.add(factor.of).add(factor.wrt);
      if (!shown && only === undefined) return;
      const points = chain.slice().reverse().flatMap((f) => svg.__routes[`${f.wrt}->${f.of}`]
                                                           || []);
      const shift = only === undefined ? 3 * (index - (chains.length - 1) / 2) : 0;
      overlay.append(svgElement("polyline", {
        points: pointList(points, shift),
        stroke: COLOURS[index % COLOURS.length], class: "chain",
        "data-chain-line": String(index)}));
    });
    for (const key of litKeys) {
      const line = edgeLine(key);
      if (line) line.classList.add("lit");
    }
    for (const name of onChain) {
      const node = svg.querySelector(`g.node[data-node="${CSS.escape(name)}"]`);
      if (node) node.classList.add("on-chain");
    }
    for (const node of svg.querySelectorAll("g.node.selected")) node.classList.remove("selected");
    const selected = svg.querySelector(`g.node[data-node="${CSS.escape(state.param)}"]`);
    if (selected) selected.classList.add("selected");
    // the compact layout labels the weights the lit chains pass, when they are few enough to
    // read (the rest, and all of them past that, on hover or focus)
    const passed = [...svg.querySelectorAll("g.weight")].filter((weight) => {
      const line = svg.querySelector(`.edge[data-edge^="${CSS.escape(weight.dataset.node)}->"]`);
      return line && line.classList.contains("lit");
    });
    for (const weight of svg.querySelectorAll("g.weight.shown")) weight.classList.remove("shown");
    if (passed.length <= WEIGHT_LABELS) for (const weight of passed) weight.classList.add("shown");
  }

  function shadeRegion(step) {
    const svg = $("#graph svg");
    if (!svg) return;
    const regions = svg.querySelector("g.regions");
    regions.replaceChildren();
    for (const line of svg.querySelectorAll(".edge.delta-region")) {
      line.classList.remove("delta-region");
    }
    for (const node of svg.querySelectorAll("g.node.delta-node")) {
      node.classList.remove("delta-node");
    }
    if (!step) return;
    for (const [from, to] of step.region) {
      const route = svg.__routes[`${from}->${to}`];
      if (!route) continue;
      regions.append(svgElement("polyline", {points: pointList(route), class: "region"}));
      const line = edgeLine(`${from}->${to}`);
      if (line) line.classList.add("delta-region");
    }
    for (const name of step.deltas) {
      const z = name.replace(/^delta/, "z");
      const node = svg.querySelector(`g.node[data-node="${CSS.escape(z)}"]`);
      if (node) node.classList.add("delta-node");
    }
  }

  // --- chains ---------------------------------------------------------------------------------

  function showChains() {
    const holder = $("#chains");
    holder.replaceChildren();
    if (state.level === "matrix") { showMatrixChains(); return; }
    if (!chainsDoc || !mathDoc) return;
    const local = state.view === "local";
    const group = element("div", {"data-parameter": chainsDoc.parameter, class: "chain-group"});
    const count = chainsDoc.chains.length;
    const heading = element("p", {class: "lhs"}, [math(mathDoc.mathml),
      ` = the sum of ${count.toLocaleString("en")} chain${count === 1 ? "" : "s"}:`]);
    const list = element("ol", {class: "chain-list", "data-count": String(count)});
    group.append(heading, list);
    holder.append(group);
    // a row is made when it comes into view (a weight of 10-10-10-10-10 has 1,000 chains)
    virtualRows(list, count, (index) => chainRow(chainsDoc.chains[index], index, local));
    showChainValues();
    showChainAlone(null);
  }

  function chainRow(chain, index, local) {
    // One chain of the list: its product of factors, its value at the case, its LaTeX button.
    const colour = COLOURS[index % COLOURS.length];
    const item = element("li", {"data-chain": String(index), tabindex: "0"});
    item.style.setProperty("--chain", colour);
    item.append(element("span", {class: "swatch", "aria-hidden": "true"}));
    const product = element("span", {class: "product"});
    const latex = [];
    chain.forEach((factor, position) => {
      const key = `${factor.wrt}->${factor.of}`;
      const edge = mathDoc.edges[key];
      if (position > 0) product.append(element("span", {class: "dot"}, [local ? "·" : " "]));
      const span = element("span", {class: "factor", "data-edge": key});
      // as a product's factor: a sum or a negative keeps its parentheses
      span.append(math(local ? edge.local_mathml : edge.mathml));
      span.addEventListener("mouseenter", () => showFactor(key, edge));
      span.addEventListener("mouseleave", () => showFactor(null));
      product.append(span);
      latex.push(local ? edge.local_latex : edge.latex);
    });
    item.append(product, element("span", {class: "chain-value"}),
                copyButton(latex.join(local ? " \\cdot " : " "), `chain ${index + 1}`));
    item.addEventListener("mouseenter", () => lightChains(index));
    item.addEventListener("mouseleave", () => lightChains());
    item.addEventListener("focus", () => lightChains(index));
    item.addEventListener("blur", () => lightChains());
    return item;
  }

  // --- a long list, its rows made as they come into view ------------------------------------

  const VIRTUAL_FROM = 60; // a list of more rows than this makes only those in view
  const ROW_MARGIN = 6; // rows made beyond the view, above and below

  function virtualRows(list, count, make) {
    // The list holds count rows in an order (list.__rows.order, by position; null: as listed).
    // A long one makes only the rows in view and ROW_MARGIN either side, all one height, two
    // spacers standing for the rest; scrolling makes the rest. The arrow keys, Home and End
    // move the focus from row to row, made or not.
    const rows = {count, make, order: null, made: new Map(), height: 0, fill: null,
                  virtual: count > VIRTUAL_FROM, pending: false, above: null, below: null};
    list.__rows = rows;
    list.addEventListener("keydown", (event) => moveRowFocus(list, event));
    if (rows.virtual) {
      list.classList.add("virtual");
      // two spacers stand for the rows not made (a padding would not scroll: it grows the box)
      rows.above = element("li", {class: "spacer", "aria-hidden": "true"});
      rows.below = element("li", {class: "spacer", "aria-hidden": "true"});
      list.append(rows.above, rows.below);
      const resized = () => { // a new width may wrap a row: its height is measured again
        if (!list.isConnected) { window.removeEventListener("resize", resized); return; }
        rows.height = 0;
        list.style.removeProperty("--row");
        renderRows(list);
      };
      window.addEventListener("resize", resized);
      list.addEventListener("scroll", () => {
        if (rows.pending) return;
        rows.pending = true;
        requestAnimationFrame(() => { rows.pending = false; renderRows(list); });
      });
    }
    renderRows(list);
  }

  function rowAt(rows, position) {
    return rows.order ? rows.order[position] : position;
  }

  function renderRows(list) {
    const rows = list.__rows;
    if (!rows || !list.isConnected) return;
    let from = 0, to = rows.count;
    if (rows.virtual) {
      const height = rows.height || 40; // the first rows are measured, then all are that tall
      const view = list.clientHeight || 400;
      from = Math.max(0, Math.floor(list.scrollTop / height) - ROW_MARGIN);
      to = Math.min(rows.count, Math.ceil((list.scrollTop + view) / height) + ROW_MARGIN);
    }
    const wanted = [];
    for (let position = from; position < to; position++) wanted.push(rowAt(rows, position));
    const keep = new Set(wanted);
    for (const [index, item] of rows.made) {
      if (!keep.has(index)) { item.remove(); rows.made.delete(index); }
    }
    // rows already made stay where they are (a focused row keeps its focus); the new ones go
    // before and after them
    const before = [], after = [];
    let seen = false;
    wanted.forEach((index, offset) => {
      let item = rows.made.get(index);
      if (item) { seen = true; return; }
      item = rows.make(index);
      item.setAttribute("aria-posinset", String(from + offset + 1));
      item.setAttribute("aria-setsize", String(rows.count));
      item.dataset.position = String(from + offset);
      if (rows.fill) rows.fill(item, index);
      rows.made.set(index, item);
      (seen ? after : before).push(item);
    });
    if (!rows.virtual) {
      list.prepend(...before);
      list.append(...after);
      return;
    }
    rows.above.after(...before);
    rows.below.before(...after);
    rows.above.style.height = `${from * (rows.height || 40)}px`;
    rows.below.style.height = `${(rows.count - to) * (rows.height || 40)}px`;
    list.dataset.from = String(from);
    list.dataset.to = String(to);
    // every row as tall as the tallest made (a value written under its product on a phone)
    let tallest = rows.height;
    for (const item of rows.made.values()) {
      tallest = Math.max(tallest, item.scrollHeight + 3); // 3: the gap under a row
    }
    if (tallest > rows.height) {
      rows.height = Math.ceil(tallest);
      list.style.setProperty("--row", `${rows.height}px`);
      renderRows(list); // the window in rows of the measured height
    }
  }

  function setRowOrder(list, order) {
    // A new order (the chains by |value|, or as listed) makes the rows again, from the top.
    const rows = list.__rows;
    const same = (order || null) === rows.order ||
                 (order && rows.order && order.length === rows.order.length &&
                  order.every((index, position) => rows.order[position] === index));
    if (same) return;
    rows.order = order || null;
    for (const item of rows.made.values()) item.remove();
    rows.made.clear();
    list.scrollTop = 0;
    renderRows(list);
  }

  function moveRowFocus(list, event) {
    const rows = list.__rows;
    const item = event.target.closest && event.target.closest("li[data-position]");
    if (!rows || !item || event.target !== item) return;
    const position = Number(item.dataset.position);
    const page = Math.max(1, Math.floor(list.clientHeight / (rows.height || 40)) - 1);
    const target = {ArrowDown: position + 1, ArrowUp: position - 1, Home: 0,
                    End: rows.count - 1, PageDown: position + page,
                    PageUp: position - page}[event.key];
    if (target === undefined) return;
    event.preventDefault();
    focusRow(list, Math.min(Math.max(target, 0), rows.count - 1));
  }

  function focusRow(list, position) {
    // Scroll the row at `position` into the list's view, make it, and focus it.
    const rows = list.__rows;
    if (rows.virtual) {
      const height = rows.height || 40;
      const top = position * height;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (top + height > list.scrollTop + list.clientHeight) {
        list.scrollTop = top + height - list.clientHeight;
      }
      renderRows(list);
    }
    const item = rows.made.get(rowAt(rows, position));
    if (item) item.focus();
  }

  function share(value) {
    if (value === null || value === undefined) return "";
    // chains that cancel have shares past 100%: written whole (1890%, not 1.89e+3%)
    const percent = 100 * value;
    if (Math.abs(percent) >= 100) return percent.toFixed(0) + "%";
    return trimZeros(percent.toPrecision(3)) + "%";
  }

  function showChainValues() {
    // Each chain's value at the case and its share of the gradient: the server's numbers.
    if (state.level === "matrix") return; // a layer-level chain is a matrix, not a number
    const list = document.querySelector("#chains .chain-list");
    if (!list || !list.__rows) return;
    const chains = valuesDoc && valuesDoc.chains;
    const mine = chains && chainsDoc && chains.parameter === chainsDoc.parameter &&
                 chains.values.length === chainsDoc.chains.length;
    // each row made, now and as it comes into view, by its chain's index, whatever its place
    list.__rows.fill = (item, index) => fillChainValue(item, index, mine ? chains : null);
    for (const [index, item] of list.__rows.made) list.__rows.fill(item, index);
    // the server's order by |value| on request, else the listed order
    const sorted = state.sorted && mine;
    setRowOrder(list, sorted ? chains.order : null);
    renderRows(list); // a value written under its product may make the rows taller
    list.dataset.order = sorted ? "value" : "listed";
  }

  function fillChainValue(item, index, chains) {
    const shown = item.querySelector(".chain-value");
    item.classList.toggle("dominant", Boolean(chains) && index === chains.dominant);
    if (!chains) {
      delete item.dataset.value;
      delete item.dataset.share;
      delete item.dataset.dominant;
      shown.textContent = "";
      return;
    }
    if (index === chains.dominant) item.dataset.dominant = "true";
    else delete item.dataset.dominant;
    const value = chains.values[index], part = chains.shares[index];
    item.dataset.value = String(value);
    item.dataset.share = part === null ? "" : String(part);
    // the share in brackets: a "·" beside a product would read as one more factor
    shown.textContent = "= " + number(value) + (part === null ? "" : ` (${share(part)})`);
    if (index === chains.dominant) {
      shown.append(" ", element("span", {class: "dominant-tag"}, ["largest"]));
    }
    shown.title = "this chain's value at the case, and its share of ∂J/∂" +
                  unicodeName(chains.parameter) + " = " + number(chains.gradient) +
                  (index === chains.dominant ? "; the largest" : "");
  }

  function showFactor(key, edge) {
    const info = $("#factor-info");
    for (const line of document.querySelectorAll("#graph .edge.hot")) {
      line.classList.remove("hot");
    }
    if (!key) { info.replaceChildren(); return; }
    const line = edgeLine(key);
    if (line) line.classList.add("hot");
    info.replaceChildren(math(edge.mathml), element("span", {}, [" = "]),
                         math(edge.formula_mathml), copyButton(edge.formula_latex, "the formula"));
    // the same formula with the case's numbers in place of its symbols (the first example)
    const value = valuesDoc && valuesDoc.factors ? valuesDoc.factors[key] : undefined;
    const plugged = value === undefined ? null : withNumbers(edge.formula_mathml);
    if (plugged) {
      const line = element("div", {class: "plugged", "data-value": String(value)}, [
        element("span", {}, [" = "]), plugged, element("span", {}, [" = " + number(value)]),
        element("span", {class: "note"}, [exampleNote()])]);
      info.append(line);
    }
  }

  const MATHML = "http://www.w3.org/1998/Math/MathML";

  function numberOf(name) {
    // a node's value, a target's or m, in the first example of the case
    if (!valuesDoc) return undefined;
    const node = valuesDoc.nodes[name];
    if (node) return node.value;
    return valuesDoc.givens ? valuesDoc.givens[name] : undefined;
  }

  function mathNumber(value) {
    // a number as MathML; a negative one in brackets, as a factor of a product needs it
    const mn = document.createElementNS(MATHML, "mn");
    mn.textContent = number(Math.abs(value));
    if (value >= 0) return mn;
    const row = document.createElementNS(MATHML, "mrow");
    for (const part of ["(", "−", mn, ")"]) {
      if (typeof part !== "string") { row.append(part); continue; }
      const mo = document.createElementNS(MATHML, "mo");
      mo.textContent = part;
      row.append(mo);
    }
    return row;
  }

  function withNumbers(markup) {
    // The server marks each symbol of a local formula (data-symbol): each is replaced by its
    // number; null when one has none (then no substitution is shown).
    const shown = math(markup);
    for (const row of shown.querySelectorAll("[data-symbol]")) {
      const value = numberOf(row.getAttribute("data-symbol"));
      if (value === undefined) return null;
      row.replaceWith(mathNumber(value));
    }
    // side by side, numbers would read as one number: an explicit times sign between them
    for (const mo of shown.querySelectorAll("mo")) {
      if (mo.textContent === "\u2062") mo.textContent = "·";
    }
    return shown;
  }

  function exampleNote() {
    const m = valuesDoc ? valuesDoc.examples : 1;
    return m === 1 ? "" : ` (example 1 of ${m})`;
  }

  // --- δ steps --------------------------------------------------------------------------------

  function showStep() {
    const holder = $("#steps");
    holder.replaceChildren();
    if (state.level === "matrix") { showBatch(); return; }
    if (!mathDoc) return;
    const steps = mathDoc.steps;
    const last = steps.length - 1;
    if (state.step === null || state.step > last || state.step < 0) {
      state.step = Math.min(Math.max(state.step === null ? 0 : state.step, 0), last);
    }
    const step = steps[state.step];
    const view = element("div", {"data-step": String(state.step), class: "step",
                                 "data-latex": step.latex});
    const lhs = math(mathDoc.mathml);
    if (step.grouped_mathml) {
      view.append(element("div", {class: "line grouped-line"}, [
        lhs.cloneNode(true), element("span", {class: "eq"}, ["="]), sum(step.grouped_mathml),
        copyButton(step.grouped_latex, "the grouped form")]));
    }
    view.append(element("div", {class: "line"}, [
      step.grouped_mathml ? element("span", {class: "lhs-space"}) : lhs,
      element("span", {class: "eq"}, ["="]), sum(step.mathml),
      copyButton(step.latex, "this step")]));
    const caption = state.step === 0 ? "every chain written out" :
      state.step === last ? "each δ times the local derivative: the gradient backprop computes" :
      `the terms in brackets become ${step.deltas.map(unicodeName).join(", ")}`;
    view.append(element("p", {class: "note"}, [caption]));
    const numbers = stepNumbers(state.step);
    if (numbers) view.append(numbers);
    holder.append(view);
    $("#step-count").textContent = `step ${state.step + 1} of ${steps.length}`;
    $("#step-prev").disabled = state.step === 0;
    $("#step-next").disabled = state.step === last;
    shadeRegion(state.step > 0 ? step : null);
  }

  function sum(markup) {
    // A step's sum as one formula; in the lecture, a formula a term, so that a long sum wraps
    // between its terms at a projector's size (MathML itself never breaks a line).
    if (!state.lecture) return math(markup);
    const whole = math(markup).querySelector("math");
    const terms = element("span", {class: "math wrapped-sum"});
    let current = null;
    for (const child of [...whole.childNodes]) {
      const plus = child.nodeName.toLowerCase() === "mo" && child.textContent.trim() === "+";
      if (current === null || plus) {
        current = document.createElementNS(MATHML, "math");
        terms.append(current);
      }
      current.append(child);
    }
    return terms;
  }

  function stepNumbers(index) {
    // The step with the case's numbers plugged in: each term's factors in the first example,
    // then every term summed over the examples (each step's total is the gradient).
    const steps = valuesDoc && valuesDoc.steps;
    const mine = steps && valuesDoc.chains && mathDoc &&
                 valuesDoc.chains.parameter === mathDoc.parameter &&
                 steps.length === mathDoc.steps.length;
    if (!mine) return null;
    const step = steps[index], shown = mathDoc.steps[index];
    const more = shown.term_count - step.terms.length;
    const factor = (value) => (value < 0 ? `(${number(value)})` : number(value));
    const example = step.terms.map((term) => term.numbers.map(factor).join(" · "));
    const holder = element("div", {class: "step-numbers", "data-value": String(step.value)});
    const m = valuesDoc.examples;
    if (m === 1) {
      holder.append(element("p", {class: "plugged"}, [
        "= " + example.join(" + ") + (more > 0 ? ` + ⋯ (${more} more)` : "") +
        " = " + number(step.value)]));
      return holder;
    }
    const exampleSum = step.terms.reduce((total, term) => total + term.example, 0);
    holder.append(
      element("p", {class: "plugged"}, [`example 1 of ${m}: ` + example.join(" + ") +
        (more > 0 ? ` + ⋯ (${more} more)` : "") + (more > 0 ? "" : " = " + number(exampleSum))]),
      element("p", {class: "plugged"}, [`summed over the ${m} examples: ` +
        step.terms.map((term) => factor(term.value)).join(" + ") +
        (more > 0 ? ` + ⋯ (${more} more)` : "") + " = " + number(step.value)]));
    return holder;
  }

  function moveStep(by) {
    if (!mathDoc || state.level === "matrix") return;
    const next = state.step + by;
    if (next < 0 || next >= mathDoc.steps.length) return;
    state.step = next;
    showStep();
    writeLocation();
  }

  // --- numbers --------------------------------------------------------------------------------

  function retryButton(what, again) {
    // A panel whose request failed (a timeout, a worker stopped) can be asked again.
    const button = element("button", {type: "button", class: "retry",
                                      "aria-label": "Retry " + what}, ["Retry"]);
    button.addEventListener("click", again);
    return button;
  }

  async function showAgreement() {
    const note = $("#agreement-note");
    const mine = generation;
    note.replaceChildren("checking…");
    try {
      const verify = await api("verify", [["seed", state.seed]]);
      if (mine !== generation && !layout) return; // the network it checked is gone
      $("#agreement tbody").replaceChildren(...Object.entries(verify.methods).map(
        ([name, result]) => element("tr", {"data-method": name}, [
          element("th", {scope: "row"}, [name.replace("_", " ")]),
          element("td", {}, [result.skipped ? "skipped" : number(result.max_abs_error)]),
          element("td", {}, [result.ok === null ? (result.note || "–") :
                             (result.ok ? "✓" : "✗")]),
          element("td", {}, [number(result.seconds)])])));
      // the caption counts the methods the record compared ("five ways" went stale at six)
      $("#agreement-caption").textContent =
        `Every gradient, ${Object.keys(verify.methods).length} ways`;
      note.replaceChildren(`the case of seed ${state.seed}: every method ` +
                           `${verify.ok ? "agrees" : "does NOT agree"}`);
    } catch (error) {
      if (mine !== generation && !layout) return;
      $("#agreement tbody").replaceChildren();
      note.replaceChildren(element("span", {class: "failed"}, ["chainrule: error: " +
                                                               error.message]), " ",
                           retryButton("the agreement", showAgreement));
    }
  }

  function clearValues() {
    valuesDoc = null;
    stopSweep();
    $("#values tbody").replaceChildren();
    paintSweep();
    showChainValues();
    if (state.level === "scalar" && mathDoc) showStep(); // without the steps' numbers
  }

  // --- the two passes, played on the graph ----------------------------------------------------

  const SWEEP_MS = 900; // a frame of the animation: long enough to read the number it adds
  let sweepTimer = null;

  function sweepFrames() {
    const sweep = valuesDoc && valuesDoc.sweep;
    return sweep ? sweep.forward.length + sweep.backward.length : 0;
  }

  function paintSweep() {
    // Each node's number as far as the passes have got: all of them when nothing plays
    // (state.sweep null); at frame f, the forward pass's first f nodes, then the δs.
    const started = performance.now();
    const sweep = valuesDoc && valuesDoc.sweep;
    const frame = state.sweep;
    const forward = sweep ? sweep.forward : [], backward = sweep ? sweep.backward : [];
    const computed = new Set(forward), current = frame === null || !sweep ? null :
      frame === 0 ? null : frame <= forward.length ? forward[frame - 1] :
      backward[frame - forward.length - 1];
    const valueShown = (name) => frame === null || !computed.has(name) ||
                                 forward.indexOf(name) < frame;
    const backShown = (name) => frame === null || backward.indexOf(name) <
                                frame - forward.length;
    for (const group of document.querySelectorAll("#graph g.node")) {
      const name = group.dataset.node;
      // the graph of the matrix form has tensors (J is one), which carry no scalar's number
      const entry = state.level === "scalar" && valuesDoc ? valuesDoc.nodes[name] : undefined;
      const value = entry && valueShown(name), back = entry && backShown(name);
      if (value) group.dataset.value = String(entry.value);
      else delete group.dataset.value;
      group.classList.toggle("sweep-current", name === current);
      const [valueText, extraText] = group.querySelectorAll("text.value");
      if (!valueText) continue;
      valueText.textContent = value ? number(entry.value) : "";
      extraText.textContent = !back ? "" :
        entry.gradient !== undefined ? "∂J/∂θ " + number(entry.gradient) :
        entry.delta !== undefined ? "δ " + number(entry.delta) : "";
    }
    showSweepState(current, forward, backward);
    // how long a frame took to paint (benchmarks/explore.py reads it)
    document.body.dataset.frameMs = (performance.now() - started).toFixed(1);
  }

  function showSweepState(current, forward, backward) {
    const frames = sweepFrames(), frame = state.sweep;
    const caption = $("#sweep-caption");
    $("#sweep-play").disabled = frames === 0 || state.level !== "scalar";
    const scalar = state.level === "scalar"; // the passes are of the scalar graph's nodes
    $("#sweep-back").disabled = !scalar || frames === 0 || frame === null || frame === 0;
    $("#sweep-next").disabled = !scalar || frames === 0 || frame === frames;
    $("#sweep-play").textContent = sweepTimer ? "⏸ pause" : "▶ play";
    $("#sweep-play").setAttribute("aria-pressed", String(Boolean(sweepTimer)));
    if (sweepTimer) document.body.dataset.playing = "true";
    else delete document.body.dataset.playing;
    if (frame === null) {
      caption.hidden = true;
      delete document.body.dataset.sweepFrame;
      return;
    }
    document.body.dataset.sweepFrame = String(frame);
    caption.hidden = false;
    const label = (name) => {
      const node = layout && layout.nodes.find((n) => n.name === name);
      return node ? node.label : name;
    };
    const entry = current && valuesDoc.nodes[current];
    if (frame === 0) {
      caption.textContent = "the inputs and the parameters are given; ▶ computes the rest, " +
                            "node by node";
    } else if (frame <= forward.length) {
      caption.textContent = `forward pass, ${frame} of ${forward.length}: ` +
                            `${label(current)} = ${number(entry.value)}`;
    } else {
      const step = frame - forward.length;
      const what = entry.gradient !== undefined ?
        `∂J/∂${label(current)} = ${number(entry.gradient)} (summed over the examples)` :
        `δ = ∂J/∂${label(current)} = ${number(entry.delta)}${exampleNote()}`;
      caption.textContent = `backward pass, ${step} of ${backward.length}: ${what}`;
    }
    syncStep(current, frame > forward.length);
  }

  function syncStep(current, backward) {
    // the δ panel follows the backward pass: to the step that introduces the δ just computed
    if (!backward || !mathDoc || state.level !== "scalar") return;
    const index = mathDoc.steps.findIndex((step, i) => i > 0 &&
                                          (step.delta_nodes || []).includes(current));
    if (index > 0 && index !== state.step) {
      state.step = index;
      showStep();
    }
  }

  function moveSweep(by) {
    const frames = sweepFrames();
    if (frames === 0) return;
    const from = state.sweep === null ? (by > 0 ? -1 : frames + 1) : state.sweep;
    state.sweep = Math.min(Math.max(from + by, 0), frames);
    $("#show-numbers").checked = true; // the animation is of the numbers
    $("#graph").classList.add("with-numbers");
    paintSweep();
  }

  function stopSweep() {
    if (sweepTimer) clearInterval(sweepTimer);
    sweepTimer = null;
  }

  function playSweep() {
    if (sweepTimer) { stopSweep(); paintSweep(); return; }
    const frames = sweepFrames();
    if (frames === 0) return;
    if (state.sweep === null || state.sweep >= frames) state.sweep = -1;
    sweepTimer = setInterval(() => {
      if (state.sweep >= sweepFrames() - 1) stopSweep();
      moveSweep(1);
    }, SWEEP_MS);
    moveSweep(1);
  }

  function pauseAndMove(by) {
    stopSweep();
    moveSweep(by);
  }

  async function showValues() {
    // The numbers of the case (drawn by the seed, or pasted): the server's values record.
    const mine = ++valuesGeneration;
    if (!layout) return;
    const note = $("#numbers-note");
    const extra = state.case ? [] : [["seed", state.seed]];
    // a layer-level chain has no one value at the case: the matrix form asks for none
    if (state.param && state.level === "scalar") {
      extra.push(["param", paramArgument(state.param)]);
    }
    note.replaceChildren("computing…");
    let values;
    try {
      if (state.case && layered()) {
        // a layered network's case sets its biases, activation and cost itself
        values = await fetchDocument(urlOf("values", [["arch", state.arch], ...extra]),
                                     requestOptions([["case", state.case]]));
      } else {
        values = await api("values", extra, state.case ? [["case", state.case]] : []);
      }
    } catch (error) {
      if (mine !== valuesGeneration) return;
      clearValues();
      note.replaceChildren(element("span", {class: "failed"}, ["chainrule: error: " +
                                                               error.message]), " ",
                           retryButton("the numbers", showValues));
      return;
    }
    if (mine !== valuesGeneration) return;
    valuesDoc = values;
    const where = state.case ? "the case pasted" : `the case of seed ${state.seed}`;
    note.replaceChildren(`${where}: ${values.examples} example` +
                         `${values.examples === 1 ? "" : "s"}, cost ${values.cost_name} = ` +
                         number(values.cost) + "; each chain's value and its share of the " +
                         "gradient stand beside it");
    note.dataset.cost = String(values.cost);
    const rows = [];
    const shown = new Set();
    for (const node of layout.nodes) {
      const entry = values.nodes[node.name];
      if (!entry || shown.has(node.name)) continue;
      shown.add(node.name);
      rows.push(element("tr", {"data-node": node.name, "data-value": String(entry.value)}, [
        element("th", {scope: "row"}, [node.label]),
        element("td", {}, [number(entry.value)]),
        element("td", {}, [entry.delta === undefined ? "" : number(entry.delta)]),
        element("td", {}, [entry.gradient === undefined ? "" : number(entry.gradient)])]));
    }
    $("#values tbody").replaceChildren(...rows);
    showChainValues();
    if (state.level === "scalar" && mathDoc) showStep(); // the steps' numbers too
    paintSweep();
  }

  function showNumbers() {
    showAgreement();
    showValues();
  }

  function useCase() {
    const text = $("#case-text").value.trim();
    state.case = text || null;
    $("#case-state").textContent = state.case ? "using the case pasted" : "";
    // A layered case file sets its network: the page shows that network (its chains and
    // formulas then match the numbers); the server checks the case itself.
    const network = layered() && !STATIC && caseNetwork(text);
    const changes = network && Object.keys(network).some((key) => network[key] !== state[key]);
    if (changes) {
      Object.assign(state, network, {param: null, step: null});
      syncControls();
      load();
      return;
    }
    showValues();
  }

  function caseNetwork(text) {
    // the network a layered case file names (sizes, biases, activation, cost), or null
    let parsed;
    try { parsed = JSON.parse(text); } catch (error) { return null; }
    if (!parsed || !Array.isArray(parsed.sizes) || typeof parsed.cost !== "string") return null;
    const activation = Array.isArray(parsed.activation) ? parsed.activation.join(",") :
      String(parsed.activation || DEFAULTS.activation);
    return {arch: parsed.sizes.join("-"), bias: Boolean(parsed.bias), activation,
            cost: parsed.cost};
  }

  // --- training -------------------------------------------------------------------------------

  function plotCosts(costs, total) {
    const holder = $("#train-plot");
    const width = 420, height = 160, left = 44, bottom = 22, top = 8, right = 10;
    const finite = costs.filter((c) => Number.isFinite(c.cost));
    // the x axis spans every epoch asked for, so the curve grows to the right as they arrive
    const last = Math.max(total || 1, finite.length ? finite[finite.length - 1].epoch : 1);
    const max = Math.max(...finite.map((c) => c.cost), 1e-12);
    const px = (e) => left + e / Math.max(last, 1) * (width - left - right);
    const py = (c) => top + (1 - c / max) * (height - top - bottom);
    const svg = svgElement("svg", {viewBox: `0 0 ${width} ${height}`, class: "plot",
                                   role: "img", "aria-label": "cost against epoch"});
    svg.append(svgElement("line", {x1: left, x2: left, y1: top, y2: height - bottom,
                                   class: "axis"}));
    svg.append(svgElement("line", {x1: left, x2: width - right, y1: height - bottom,
                                   y2: height - bottom, class: "axis"}));
    for (const [value, y] of [[max, top + 4], [0, height - bottom]]) {
      const tick = svgElement("text", {x: left - 4, y: y, class: "tick", "text-anchor": "end"});
      tick.textContent = number(value);
      svg.append(tick);
    }
    const tick = svgElement("text", {x: width - right, y: height - 6, class: "tick",
                                     "text-anchor": "end"});
    tick.textContent = `epoch ${last}`;
    svg.append(tick);
    svg.append(svgElement("polyline", {id: "cost-curve", class: "series",
                                       "data-points": String(finite.length),
                                       "data-first": String(finite.length ? finite[0].cost : ""),
                                       "data-last": String(finite.length ?
                                                           finite[finite.length - 1].cost : ""),
                                       points: finite.map((c) => `${px(c.epoch)},${py(c.cost)}`)
                                         .join(" ")}));
    holder.replaceChildren(svg);
  }

  function paintWeights(parameters, epoch) {
    // The graph as it learns: each weight's edge drawn by its size (thickness, against the
    // largest) and its sign (colour), its node showing its value and gradient now.
    const svg = $("#graph svg");
    if (!svg || state.level !== "scalar") return;
    const sizes = Object.values(parameters).map((p) => Math.abs(p.value));
    const largest = Math.max(1e-12, ...sizes);
    for (const line of svg.querySelectorAll(".edge")) {
      const weight = parameters[line.dataset.edge.split("->")[0]];
      if (!weight) continue;
      line.classList.add("weighted", weight.value >= 0 ? "positive" : "negative");
      line.classList.remove(weight.value >= 0 ? "negative" : "positive");
      line.style.strokeWidth = (0.8 + 5 * Math.abs(weight.value) / largest).toFixed(2);
      line.dataset.weight = String(weight.value);
    }
    for (const group of svg.querySelectorAll("g.node")) {
      // the other nodes' numbers are the case's before training: not shown beside these
      const weight = parameters[group.dataset.node];
      const [valueText, extraText] = group.querySelectorAll("text.value");
      if (weight) group.dataset.value = String(weight.value);
      else delete group.dataset.value;
      valueText.textContent = weight ? number(weight.value) : "";
      extraText.textContent = !weight || weight.gradient === undefined ? "" :
        "∂J/∂θ " + number(weight.gradient);
    }
    $("#show-numbers").checked = true;
    $("#graph").classList.add("with-numbers");
    svg.dataset.epoch = String(epoch);
  }

  async function train(event) {
    event.preventDefault();
    if (STATIC) return;
    const note = $("#train-note");
    const sizes = state.arch.split("-");
    const xor = layered() && sizes[0] === "2" && sizes[sizes.length - 1] === "1";
    const epochs = parseInt($("#epochs").value, 10) || 1;
    // layer sizes train on XOR or random data; a graph on its own case, which holds its data
    const extra = [["epochs", $("#epochs").value], ["lr", $("#lr").value]];
    if (layered()) extra.push(["data", xor ? "xor" : "random"]);
    extra.push(["seed", state.seed]);
    const button = $("#train");
    button.disabled = true;
    stopSweep();
    state.sweep = null;
    delete note.dataset.done;
    note.textContent = `training on ${!layered() ? "the case of seed " + state.seed :
                                     xor ? "XOR" : "random data"}…`;
    const costs = [];
    try {
      const response = await fetch(urlOf("train", networkQuery(extra)), requestOptions());
      if (!response.ok) {
        const body = await response.json().catch(() => ({error: response.statusText}));
        throw new Error(body.error);
      }
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "", drawn = 0;
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, {stream: true});
        const lines = buffer.split("\n");
        buffer = lines.pop();
        for (const line of lines.filter(Boolean)) {
          const item = JSON.parse(line);
          if (item.done) {
            note.dataset.done = "true";
            note.textContent = `${item.epochs} epochs: cost ${number(costs[0].cost)} → ` +
              `${number(costs[costs.length - 1].cost)}` + (item.stopped ? ` (${item.stopped})` :
              "");
          } else {
            costs.push(item);
            if (item.parameters) paintWeights(item.parameters, item.epoch);
          }
        }
        if (costs.length - drawn >= 10 || costs.length < 30) {
          plotCosts(costs, epochs);
          drawn = costs.length;
        }
      }
      plotCosts(costs, costs.length ? costs[costs.length - 1].epoch : epochs);
    } catch (error) {
      note.textContent = "chainrule: error: " + error.message;
    } finally {
      button.disabled = false;
    }
  }

  // --- putting it together --------------------------------------------------------------------

  function paramArgument(name) {
    // The CLI names a layered network's weight l,j,k; a graph file's parameter by its name.
    if (state.graph) return name;
    const match = /^theta\^\((\d+)\)_(?:(\d+),(\d+)|(\d)(\d))$/.exec(name || "");
    if (!match) return name;
    return [match[1], match[2] || match[4], match[3] || match[5]].join(",");
  }

  async function selectParameter(name) {
    if (state.level === "matrix") { loadMatrix(name); return; }
    const note = $("#select-note");
    if (!fits(name)) { // refused here, before asking the server for what it would refuse
      note.hidden = false;
      note.textContent = tooManyNote(name);
      $("#param-select").value = state.param;
      return;
    }
    note.hidden = true;
    const started = performance.now();
    const mine = ++generation;
    delete document.body.dataset.listMs;
    if (name !== state.param) state.step = null;
    state.param = name;
    $("#param-select").value = name;
    try {
      if (layout.summary && layout.parameter !== name) {
        // a summarised layout is redrawn around the weight: the focus and the dropdown,
        // on elements the redraw replaces, follow the weight to its new node
        const focused = document.activeElement && document.activeElement.closest &&
                        document.activeElement.closest("#graph g.node");
        layout = await api("layout", [["param", paramArgument(name)], ...layoutQuery()]);
        if (mine !== generation) return;
        drawGraph();
        $("#param-select").value = name;
        const node = $(`#graph g.node[data-node="${CSS.escape(name)}"]`);
        if (focused && node) node.focus();
      }
      const [chains, mathematics] = await Promise.all([
        api("chains", [["param", paramArgument(name)]]),
        api("math", [["param", paramArgument(name)]])]);
      if (mine !== generation) return;
      chainsDoc = chains[0];
      mathDoc = mathematics;
      showError(null);
    } catch (error) {
      if (mine !== generation) return;
      chainsDoc = mathDoc = null;
      showError(error);
    }
    lightChains();
    showChains();
    showStep();
    writeLocation();
    showValues(); // this parameter's chains at the case
    document.body.dataset.ready = "true";
    // how long the selection took, fetching included (benchmarks/explore.py reads it)
    document.body.dataset.selectMs = (performance.now() - started).toFixed(1);
    markListShown(started, mine);
  }

  function markListShown(started, mine) {
    // data-list-ms: from the selection to the frame after its chain list was first painted
    // (layout and paint included, which data-select-ms is not); benchmarks/explore.py reads it
    requestAnimationFrame(() => setTimeout(() => {
      if (mine === generation) {
        document.body.dataset.listMs = (performance.now() - started).toFixed(1);
      }
    }, 0));
  }

  function paramOption(name) {
    // A parameter named in a deep link as l,j,k is turned into its node name.
    const match = /^(\d+),(\d+),(\d+)$/.exec(name || "");
    if (!match) return name;
    const [l, j, k] = match.slice(1).map(Number);
    const indices = Math.max(j, k) >= 10 ? `${j},${k}` : `${j}${k}`;
    return `theta^(${l})_${indices}`;
  }

  async function load() {
    const mine = ++generation;
    document.body.dataset.ready = "false";
    // another network: the numbers of the last one are not painted on it
    valuesDoc = null;
    stopSweep();
    state.sweep = null;
    try {
      // A static page holds a parameter's own layout only where it differs (a summarised
      // network's): it starts from the first, and selectParameter() asks for the other.
      const [counts, drawing] = await Promise.all([
        api("count", [["ops", "true"]]),
        // a tensor of the matrix form (Theta^(1)) is no weight the scalar layout centres on
        api("layout", [
          ...(state.param && state.level === "scalar" && !state.graph && !STATIC ?
              [["param", paramArgument(paramOption(state.param))]] : []),
          ...layoutQuery()])]);
      if (mine !== generation) return;
      showError(null);
      showCounts(counts);
      layout = drawing;
      offerScalar();
      syncControls();
      if (state.level === "scalar") drawGraph();
    } catch (error) {
      if (mine !== generation) return;
      clearNetwork();
      showError(error);
      document.body.dataset.ready = "error";
      return;
    }
    if (state.level === "matrix") {
      await loadMatrix(state.param);
      showNumbers();
      return;
    }
    if (await selectFirst()) showAgreement();
    // the tour of this network (asked for by the link, or open before the network changed)
    if (state.tour !== null || !$("#tour-panel").hidden) openTour(true);
  }

  async function selectFirst() {
    // the weight asked for, else the layout's first, else the first (output layer first) whose
    // chains a selection shows
    const wanted = paramOption(state.param);
    const candidates = [wanted, layout.parameter, ...layout.parameters.slice().reverse()];
    const name = candidates.find((n) => layout.parameters.includes(n) && fits(n));
    if (name === undefined) { // no weight shown has chains few enough: say so, select none
      state.param = null;
      chainsDoc = mathDoc = null;
      showChains();
      showStep();
      $("#select-note").hidden = false;
      $("#select-note").textContent = tooManyNote(layout.parameter);
      document.body.dataset.ready = "true";
      showNumbers(); // the case's numbers need no selection
      return false;
    }
    await selectParameter(name);
    return true;
  }

  function clearNetwork() {
    // A network the form could not show leaves nothing of the one before it on the page.
    stopSweep();
    state.sweep = null;
    layout = chainsDoc = mathDoc = countsRow = layersDoc = matrixDoc = null;
    $("#level-note").hidden = true;
    $("#level-scalar").disabled = false;
    ++valuesGeneration; // a request still under way for the old network is not shown
    $("#graph").replaceChildren();
    $("#param-select").replaceChildren();
    $("#summary").hidden = true;
    $("#select-note").hidden = true;
    for (const figure of document.querySelectorAll("[data-count]")) {
      figure.textContent = "–";
      figure.removeAttribute("title");
      delete figure.dataset.value;
      delete figure.dataset.exact;
    }
    for (const body of document.querySelectorAll("#by-layer tbody, #ops tbody, #agreement tbody")) {
      body.replaceChildren();
    }
    $("#by-layer").hidden = true;
    $("#terms-plot").replaceChildren();
    $("#numbers-note").replaceChildren();
    $("#agreement-note").replaceChildren();
    $("#step-count").textContent = "";
    showChains();
    showStep();
    clearValues();
  }

  function apply(event) {
    event.preventDefault();
    if (STATIC) return;
    state.arch = $("#arch").value.trim();
    state.bias = $("#bias").checked;
    state.activation = $("#activation").value.trim() || DEFAULTS.activation;
    state.cost = $("#cost").value;
    const text = $("#graph-text").value.trim();
    state.graph = $("#graph-file").open && text ? text : null;
    state.case = $("#case-text").value.trim() || null;
    $("#case-state").textContent = state.case ? "using the case pasted" : "";
    state.param = null;
    state.step = null;
    load();
  }

  function setView(view) {
    state.view = view;
    syncControls();
    showChains();
    writeLocation();
  }

  function offerChoices(choices) {
    // The activations, costs and defaults are the server's (its rules table), never the page's.
    CHOICES = choices;
    DEFAULTS = choices.defaults;
    // the views the page draws: those of the API that have a button here
    VIEWS = choices.views.filter((view) => document.getElementById("view-" + view));
    $("#activations").replaceChildren(...choices.activations.map(
      (name) => element("option", {value: name})));
    $("#cost").replaceChildren(...choices.costs.map((name) => element("option", {}, [name])));
    $("#activation").placeholder = DEFAULTS.activation;
    $("#epochs").value = String(DEFAULTS.epochs);
    $("#lr").value = String(DEFAULTS.lr);
    if (choices.caps.epochs) $("#epochs").max = String(choices.caps.epochs);
    Object.assign(state, {bias: DEFAULTS.bias, activation: DEFAULTS.activation,
                          cost: DEFAULTS.cost, view: DEFAULTS.view, seed: DEFAULTS.seed});
  }

  async function start() {
    try {
      offerChoices(await fetchDocument("/api/options"));
    } catch (error) {
      showError(error);
      document.body.dataset.ready = "error";
      return;
    }
    if (STATIC) {
      Object.assign(state, STATIC.state);
      const note = $("#static-note");
      note.hidden = false;
      note.textContent = "A static page: every view of this network works offline; to change " +
                         "the network or train it, run " + STATIC.command + ".";
      for (const control of document.querySelectorAll("#controls input, #controls select, " +
                                                      "#controls button, #controls textarea, " +
                                                      "#train-form input, #train-form button, " +
                                                      "#seed, #case-file textarea, " +
                                                      "#case-file button")) {
        control.disabled = true;
      }
    }
    readLocation();
    if (STATIC) Object.assign(state, {arch: STATIC.state.arch, bias: STATIC.state.bias,
                                      activation: STATIC.state.activation,
                                      cost: STATIC.state.cost, graph: STATIC.state.graph,
                                      seed: STATIC.state.seed});
    syncControls();
    $("#controls").addEventListener("submit", apply);
    $("#copy-link").addEventListener("click", copyLink);
    $("#graph-clear").addEventListener("click", () => {
      $("#graph-text").value = "";
      $("#graph-file").open = false;
    });
    $("#param-select").addEventListener("change", (e) => selectParameter(e.target.value));
    for (const view of VIEWS) {
      $("#view-" + view).addEventListener("click", () => setView(view));
    }
    for (const level of ["scalar", "matrix"]) {
      $("#level-" + level).addEventListener("click", () => setLevel(level));
    }
    $("#sort-chains").addEventListener("click", () => {
      state.sorted = !state.sorted;
      $("#sort-chains").setAttribute("aria-pressed", String(state.sorted));
      showChainValues();
    });
    $("#lecture").addEventListener("click", () => setLecture(!state.lecture));
    // a static page holds the documents of its own layout only
    if (STATIC) state.compact = false;
    $("#compact").addEventListener("click", () => setCompact(!state.compact));
    $("#tour").addEventListener("click", () => openTour($("#tour-panel").hidden));
    $("#tour-prev").addEventListener("click", () => showTour(state.tour - 1));
    $("#tour-next").addEventListener("click", () => showTour(state.tour + 1));
    $("#compact").setAttribute("aria-pressed", String(state.compact));
    setLecture(state.lecture);
    $("#zoom-in").addEventListener("click", () => zoomGraph(ZOOM_STEP));
    $("#zoom-out").addEventListener("click", () => zoomGraph(1 / ZOOM_STEP));
    $("#zoom-fit").addEventListener("click", () => zoomGraph(null));
    $("#chain-prev").addEventListener("click", () =>
      showChainAlone(state.chain === null ? -1 : state.chain - 1));
    $("#chain-next").addEventListener("click", () =>
      showChainAlone(state.chain === null ? 0 : state.chain + 1));
    $("#chain-all").addEventListener("click", () => showChainAlone(null));
    $("#sweep-play").addEventListener("click", playSweep);
    $("#sweep-back").addEventListener("click", () => pauseAndMove(-1));
    $("#sweep-next").addEventListener("click", () => pauseAndMove(1));
    $("#step-prev").addEventListener("click", () => moveStep(-1));
    $("#step-next").addEventListener("click", () => moveStep(1));
    $("#show-numbers").addEventListener("change", (e) => {
      $("#graph").classList.toggle("with-numbers", e.target.checked);
    });
    $("#seed").addEventListener("change", (e) => {
      state.seed = Math.max(0, parseInt(e.target.value, 10) || 0);
      writeLocation();
      showNumbers();
    });
    $("#train-form").addEventListener("submit", train);
    $("#case-apply").addEventListener("click", useCase);
    $("#case-clear").addEventListener("click", () => {
      $("#case-text").value = "";
      useCase();
    });
    document.addEventListener("keydown", (event) => {
      const tag = (event.target.tagName || "").toLowerCase();
      if (["input", "select", "textarea"].includes(tag)) return;
      if (event.key === "ArrowRight") moveStep(1);
      if (event.key === "ArrowLeft") moveStep(-1);
    });
    load();
  }

  function tellFrameHeight() {
    // In a notebook's frame (a static page inside an iframe) the page says how tall it is,
    // so that the output grows to it (jupyter.py listens) instead of scrolling inside it.
    if (!STATIC || window.parent === window) return;
    let last = 0;
    const tell = () => {
      const height = document.documentElement.scrollHeight;
      if (Math.abs(height - last) < 2) return;
      last = height;
      window.parent.postMessage({chainrule: "height", height: height}, "*");
    };
    new ResizeObserver(tell).observe(document.body);
    tell();
  }

  tellFrameHeight();
  start();
})();
