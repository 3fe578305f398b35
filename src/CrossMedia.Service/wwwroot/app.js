// CrossMedia search page: a query (words, a file, or an item of the index) → POST /search → result
// cards grouped per medium; a click on a card searches with that item. An index the model can only
// take vectors for (no text, no files) is searched by its items: the page lists them to pick from.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("search-form"), text = $("query-text"), drop = $("drop"), chip = $("file-chip");
  const fileInput = $("file"), status = $("status"), results = $("results"), kInput = $("k");
  const queryView = $("query"), labelFilter = $("label-filter"), more = $("more-button");
  let file = null, metric = "cosine", itemMode = false, browsed = 0, queryUrl = null, placeholder = text.placeholder;

  function el(tag, className, content) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (content !== undefined) e.append(content);
    return e;
  }

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", !!isError);
  }

  // A chosen file and typed words never both count: choosing a file clears the words, typing drops the file.
  function setFile(f) {
    file = f;
    chip.hidden = !f;
    chip.textContent = "";
    drop.classList.toggle("has-file", !!f);
    text.placeholder = f ? "or type words instead" : placeholder;
    if (f) {
      text.value = "";
      chip.append(el("span", "chip-name", f.name));
      chip.title = `Searching with the file ${f.name}`;
      const clear = el("button", "chip-clear", "✕");
      clear.type = "button";
      clear.title = "Remove the file";
      clear.setAttribute("aria-label", "Remove the file");
      clear.onclick = () => { setFile(null); text.focus(); };
      chip.append(clear);
    }
    fileInput.value = "";
  }

  function readBase64(f) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(f);
    });
  }

  function kindOfFile(f) {
    const type = f.type || "";
    for (const kind of ["image", "audio", "video"]) if (type.startsWith(kind + "/")) return kind;
    return /\.(txt|text)$/i.test(f.name) ? "text" : null;
  }

  function filters(body) {
    const media = [...document.querySelectorAll("#media-filter input:checked")].map((c) => c.value);
    if (media.length) body.medium = media;
    if (labelFilter.value !== "") body.label = [Number(labelFilter.value)];
    return body;
  }

  // The media part of a card (or of the query view): a picture, a player, a spectrogram, the text's start.
  function preview(kind, src, item) {
    const box = el("div", "media");
    if (kind === "image" && src) {
      const img = el("img");
      img.src = src; img.alt = item ? item.key : "query picture"; img.loading = "lazy";
      box.append(img);
    } else if (kind === "audio" && src) {
      box.classList.add("audio");
      if (item && item.spectrogram) {
        const img = el("img", "spectrogram");
        img.src = item.spectrogram; img.alt = "spectrogram of " + item.key; img.loading = "lazy";
        box.append(img);
      }
      const audio = el("audio");
      audio.controls = true; audio.preload = "none"; audio.src = src;
      box.append(audio);
    } else if (kind === "video" && src) {
      const video = el("video");
      video.controls = true; video.preload = "metadata"; video.muted = true; video.loop = true; video.src = src;
      box.append(video);
    } else if (item && item.snippet) {
      box.append(el("div", "snippet", item.snippet));
    } else if (item) {
      box.classList.add("vector");
      box.append(el("span", "vector-medium", item.medium), el("span", "vector-note", "feature vector"));
    } else {
      box.classList.add("vector");
      box.append(el("span", "vector-note", "no preview"));
    }
    return box;
  }

  function describe(item) {
    return (item.class ? item.class + " · " : "") + item.medium + " · #" + item.id;
  }

  function card(item) {
    const c = el("article", "card");
    c.dataset.medium = item.medium;
    c.dataset.id = item.id;
    c.title = "Search with this item";
    const meta = el("div", "meta");
    const key = el("button", "key", item.key || `#${item.id}`);
    key.type = "button";
    key.title = `${item.key} — search with this item`;
    const row = el("div", "row");
    const tag = el("span", "tag", item.class || "no class");
    if (!item.class) tag.classList.add("none");
    row.append(tag);
    if (item.score !== null && item.score !== undefined) {
      row.append(el("span", "score", (metric === "l2" ? "dist " : "score ") + Number(item.score).toFixed(3)));
    } else {
      row.append(el("span", "score", "#" + item.id));
    }
    meta.append(key, row);
    c.append(preview(item.kind, item.media, item), meta);
    // Players keep their own clicks; anywhere else on the card searches with the item.
    c.addEventListener("click", (e) => {
      if (e.target.closest("audio, video")) return;
      searchWith({ item: item.id }, { item });
    });
    return c;
  }

  // What was searched, shown back above the results.
  function showQuery(shown) {
    if (queryUrl) URL.revokeObjectURL(queryUrl);
    queryUrl = null;
    queryView.replaceChildren();
    queryView.hidden = false;
    const label = el("div", "query-label", "Query");
    let body;
    if (shown.text !== undefined) {
      body = el("blockquote", "query-text", shown.text);
    } else if (shown.file) {
      const kind = kindOfFile(shown.file);
      queryUrl = kind && kind !== "text" ? URL.createObjectURL(shown.file) : null;
      body = el("div", "query-item");
      const view = preview(kind, queryUrl, null);
      if (kind === "text") {
        view.replaceChildren(el("div", "snippet", "…"));
        shown.file.slice(0, 600).text().then((t) => view.firstChild.textContent = t);
      }
      body.append(view, el("div", "query-meta", el("strong", "", shown.file.name)));
      body.lastChild.append(el("span", "", `file · ${kind || "unknown kind"}`));
    } else if (shown.item) {
      const item = shown.item;
      body = el("div", "query-item");
      body.append(preview(item.kind, item.media, item), el("div", "query-meta", el("strong", "", item.key || `#${item.id}`)));
      body.lastChild.append(el("span", "", "item · " + describe(item)));
    }
    queryView.append(label, body);
  }

  function render(data) {
    metric = data.metric;
    const groups = new Map();  // in the order each medium first appears in the ranking
    for (const item of data.results) {
      if (!groups.has(item.medium)) groups.set(item.medium, []);
      groups.get(item.medium).push(item);
    }
    results.replaceChildren(...[...groups].map(([medium, items]) => {
      const section = el("section", "group");
      section.dataset.medium = medium;
      const head = el("h2", "group-head", medium);
      head.append(el("span", "count", String(items.length)));
      const grid = el("div", "grid");
      grid.append(...items.map(card));
      section.append(head, grid);
      return section;
    }));
    const closer = metric === "l2" ? "lower is closer" : "higher is closer";
    const counts = [...groups].map(([m, items]) => `${items.length} ${m}`).join(", ");
    setStatus(`${data.results.length} results (${counts || "none"}) in ${data.milliseconds.toFixed(1)} ms · ${metric}, ${closer}`);
  }

  async function post(body) {
    const response = await fetch("/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await response.json();
    if (!response.ok) throw new Error(data.detail || data.title || `error ${response.status}`);
    return data;
  }

  // Searches with one query (text, file or item) and the current filters; shows the query back.
  async function searchWith(query, shown) {
    more.hidden = true;
    const body = filters({ k: Number(kInput.value) || 12 });
    try {
      if (query.file) {
        body.file = await readBase64(query.file);
        body.filename = query.file.name;
      } else Object.assign(body, query);
      if (query.item !== undefined && !shown.item) {
        const r = await fetch(`/items/${query.item}`);
        if (!r.ok) throw new Error(`no item with id ${query.item}`);
        shown = { item: await r.json() };
      }
      showQuery(shown);
      setStatus("Searching…");
      render(await post(body));
      if (query.item !== undefined) window.scrollTo({ top: 0, behavior: "smooth" });
    } catch (e) {
      results.replaceChildren();
      setStatus(String(e.message || e), true);
    }
  }

  function submit(event) {
    event.preventDefault();
    const value = text.value.trim();
    if (file) return searchWith({ file }, { file });
    if (itemMode) {
      if (!/^\d+$/.test(value)) return setStatus("Type an item id, or click an item below.", true);
      return searchWith({ item: Number(value) }, {});
    }
    if (!value) return setStatus("Type something or choose a file.", true);
    return searchWith({ text: value }, { text: value });
  }

  // Lists the index's items (filtered), a page at a time, to pick one to search with.
  async function browse(append) {
    if (!append) browsed = 0;
    const limit = Math.min(Number(kInput.value) || 12, Number(kInput.max) || 100);
    const params = new URLSearchParams({ offset: String(browsed), limit: String(limit) });
    const chosen = filters({});
    for (const m of chosen.medium || []) params.append("medium", m);
    for (const l of chosen.label || []) params.append("label", String(l));
    try {
      const r = await fetch("/items?" + params);
      const data = await r.json();
      if (!r.ok) throw new Error(data.detail || data.title);
      if (!append) {
        queryView.hidden = true;
        const grid = el("div", "grid");
        results.replaceChildren(grid);
      }
      results.querySelector(".grid").append(...data.items.map(card));
      browsed = data.offset + data.items.length;
      more.hidden = browsed >= data.total;
      setStatus(`Items 1–${browsed} of ${data.total}: click one to search with it.`);
    } catch (e) {
      setStatus(String(e.message || e), true);
    }
  }

  async function init() {
    try {
      const health = await (await fetch("/health")).json();
      const media = $("media-filter");
      for (const [name, count] of Object.entries(health.media)) {
        const label = el("label", "medium-choice");
        const box = el("input");
        box.type = "checkbox"; box.value = name;
        label.append(box, ` ${name} `, el("span", "count", String(count)));
        media.append(label);
      }
      for (const c of health.classes || []) {
        const option = el("option", "", `${c.name ?? "label " + c.label} (${c.items})`);
        option.value = String(c.label);
        labelFilter.append(option);
      }
      $("label-box").hidden = !(health.classes || []).length;
      kInput.max = health.max_k;
      const queries = health.queries || [];
      itemMode = !queries.includes("text") && !queries.includes("file");
      $("file-pick").hidden = !queries.includes("file");
      if (itemMode) {
        text.type = "text"; text.inputMode = "numeric";
        text.placeholder = placeholder = "Item id — or click an item below";
        text.setAttribute("aria-label", "Item id");
        $("sub").textContent = "This index holds feature vectors: search with one of its items.";
        browse(false);
      } else if (!queries.includes("text")) {
        text.placeholder = placeholder = "Drop a file here…";
      }
      $("footer").textContent = `${health.items} items · ${health.method || "vectors"} · ${health.dimension}-d ${health.metric} · accepts: ${health.accepts}`;
    } catch (e) {
      setStatus("Service unavailable: " + e, true);
    }
  }

  form.addEventListener("submit", submit);
  text.addEventListener("input", () => { if (file && text.value) setFile(null); });
  fileInput.addEventListener("change", () => {
    const f = fileInput.files[0];
    if (f) { setFile(f); searchWith({ file: f }, { file: f }); }
  });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (e) => {
    const f = e.dataTransfer.files[0];
    if (f) { setFile(f); searchWith({ file: f }, { file: f }); }
  });
  $("file-pick").addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); fileInput.click(); } });
  $("browse-button").addEventListener("click", () => browse(false));
  more.addEventListener("click", () => browse(true));
  init();
})();
