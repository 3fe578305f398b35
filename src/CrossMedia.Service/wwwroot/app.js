// CrossMedia search page: type text or drop a file, POST /search, render result cards.
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const form = $("search-form"), text = $("query-text"), drop = $("drop"), chip = $("file-chip");
  const fileInput = $("file"), status = $("status"), results = $("results"), kInput = $("k");
  let file = null, metric = "cosine";

  function setStatus(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", !!isError);
  }

  function setFile(f) {
    file = f;
    chip.hidden = !f;
    chip.textContent = "";
    if (f) {
      chip.append(f.name);
      const clear = document.createElement("button");
      clear.type = "button";
      clear.textContent = "✕";
      clear.onclick = () => setFile(null);
      chip.append(clear);
    }
  }

  function readBase64(f) {
    return new Promise((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(String(reader.result).split(",")[1] || "");
      reader.onerror = () => reject(reader.error);
      reader.readAsDataURL(f);
    });
  }

  function selectedMedia() {
    return [...document.querySelectorAll("#media-filter input:checked")].map((c) => c.value);
  }

  function card(item) {
    const el = document.createElement("article");
    el.className = "card";
    el.dataset.medium = item.medium;
    const media = document.createElement("div");
    media.className = "media";
    if (item.media && item.medium === "image") {
      const img = document.createElement("img");
      img.src = item.media; img.alt = item.key; img.loading = "lazy";
      media.append(img);
    } else if (item.media && item.medium === "audio") {
      const audio = document.createElement("audio");
      audio.controls = true; audio.preload = "none"; audio.src = item.media;
      media.append(audio);
    } else if (item.media && item.medium === "video") {
      const video = document.createElement("video");
      video.controls = true; video.preload = "metadata"; video.muted = true; video.src = item.media;
      media.append(video);
    } else if (item.snippet) {
      const s = document.createElement("div");
      s.className = "snippet"; s.textContent = item.snippet;
      media.append(s);
    } else {
      const s = document.createElement("span");
      s.className = "none"; s.textContent = "no preview";
      media.append(s);
    }
    const meta = document.createElement("div");
    meta.className = "meta";
    const key = document.createElement("div");
    key.className = "key"; key.textContent = item.key || `#${item.id}`; key.title = item.key;
    const row = document.createElement("div");
    row.className = "row";
    const badge = document.createElement("span");
    badge.className = "badge " + (["image", "text", "audio", "video"].includes(item.medium) ? item.medium : "other");
    badge.textContent = item.medium + (item.class ? " · " + item.class : "");
    const score = document.createElement("span");
    score.className = "score";
    score.textContent = (metric === "l2" ? "dist " : "score ") + Number(item.score).toFixed(3);
    row.append(badge, score);
    meta.append(key, row);
    el.append(media, meta);
    return el;
  }

  async function search(event) {
    event.preventDefault();
    const body = { k: Number(kInput.value) || 10 };
    const media = selectedMedia();
    if (media.length) body.medium = media;
    if (file) {
      body.file = await readBase64(file);
      body.filename = file.name;
    } else if (text.value.trim()) {
      body.text = text.value.trim();
    } else {
      setStatus("Type something or drop a file.", true);
      return;
    }
    setStatus("Searching…");
    try {
      const response = await fetch("/search", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const data = await response.json();
      if (!response.ok) {
        setStatus(data.detail || data.title || `error ${response.status}`, true);
        return;
      }
      metric = data.metric;
      results.replaceChildren(...data.results.map(card));
      setStatus(`${data.results.length} results in ${data.milliseconds.toFixed(1)} ms`);
    } catch (e) {
      setStatus("Search failed: " + e, true);
    }
  }

  async function init() {
    try {
      const health = await (await fetch("/health")).json();
      const filter = $("media-filter");
      for (const [name, count] of Object.entries(health.media)) {
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox"; box.value = name;
        label.append(box, ` ${name} (${count})`);
        filter.append(label, " ");
      }
      kInput.max = health.max_k;
      $("footer").textContent = `${health.items} items · ${health.method || "vectors"} · ${health.dimension}-d ${health.metric} · accepts: ${health.accepts}`;
    } catch (e) {
      setStatus("Service unavailable: " + e, true);
    }
  }

  form.addEventListener("submit", search);
  fileInput.addEventListener("change", () => setFile(fileInput.files[0] || null));
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => { e.preventDefault(); drop.classList.remove("over"); }));
  drop.addEventListener("drop", (e) => { if (e.dataTransfer.files.length) setFile(e.dataTransfer.files[0]); });
  init();
})();
