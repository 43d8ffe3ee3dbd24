// The tuneloop dashboard: plain JS against the gateway's own REST and OpenAI endpoints.
const $ = (id) => document.getElementById(id);
const keyInput = $("apiKey");
keyInput.value = localStorage.getItem("tuneloop.apiKey") || "";
keyInput.addEventListener("change", () => { localStorage.setItem("tuneloop.apiKey", keyInput.value); refresh(); });
const datasets = new Set(JSON.parse(localStorage.getItem("tuneloop.datasets") || "[]"));
const history = [];

function headers() {
  const h = { "Content-Type": "application/json" };
  if (keyInput.value) h.Authorization = "Bearer " + keyInput.value;
  return h;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: headers() });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ? body.error.message : response.status + " " + response.statusText);
  return body;
}

function status(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

function row(table, cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    if (cell instanceof Node) td.appendChild(cell); else td.textContent = cell ?? "";
    tr.appendChild(td);
  }
  $(table).querySelector("tbody").appendChild(tr);
}

function clear(table) { $(table).querySelector("tbody").replaceChildren(); }

async function loadDatasets() {
  clear("datasets");
  for (const name of datasets) {
    try {
      const s = await api(`/v1/datasets/${encodeURIComponent(name)}/stats`);
      row("datasets", [name, s.curated || 0, s.rejected || 0, s.curated_since_last_training || 0, s.last_snapshot || ""]);
    } catch (e) {
      row("datasets", [name, "", "", "", e.message]);
    }
  }
}

async function loadJobs() {
  clear("jobs");
  const { jobs = [] } = await api("/v1/jobs");
  for (const job of jobs) {
    // Datasets that were trained on show up without being typed in: datasets/{tenant}/{dataset}/snapshots/...
    const snapshot = (job.spec.dataset_snapshot || "").split("/");
    if (snapshot[0] === "datasets" && snapshot[2] && !datasets.has(snapshot[2])) datasets.add(snapshot[2]);
    const e = job.latest || {};
    const bar = document.createElement("progress");
    bar.max = Number(e.total_steps || 1);
    bar.value = Number(e.step || 0);
    const cancel = document.createElement("button");
    cancel.textContent = "Cancel";
    cancel.disabled = !["QUEUED", "RUNNING"].includes(e.state);
    cancel.onclick = () => api(`/v1/jobs/${encodeURIComponent(e.job_id)}`, { method: "DELETE" }).then(refresh, (x) => status(x.message, true));
    const loss = [e.loss, e.eval_loss].map((v) => (v === undefined ? "–" : Number(v).toFixed(3))).join(" / ");
    row("jobs", [e.job_id || job.spec.job_id, job.spec.adapter_name, e.state || "", bar, loss, cancel]);
  }
}

async function loadAdapters() {
  clear("adapters");
  const { adapters = [] } = await api("/v1/adapters");
  const select = $("model");
  const chosen = select.value;
  select.replaceChildren(new Option("base", "base"));
  const models = new Set();
  for (const { adapter, loaded, aliases = {}, serving_version } of adapters) {
    // the aliases pointing at this version ("production", "candidate")
    const here = Object.keys(aliases).filter((a) => aliases[a] === adapter.version).sort();
    row("adapters", [adapter.name, adapter.version, here.join(", ") || "–", adapter.base_model_id, adapter.chat_template || "(model default)", loaded ? "yes" : "no"]);
    if (serving_version) models.add(adapter.name); // a plain name is the production version
    Object.keys(aliases).filter((a) => a !== "production").forEach((a) => models.add(`${adapter.name}@${a}`));
    models.add(`${adapter.name}@${adapter.version}`);
  }
  for (const model of models) select.appendChild(new Option(model, model));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : "base";
}

async function refresh() {
  const results = await Promise.allSettled([loadJobs(), loadAdapters()]);
  results.push(...(await Promise.allSettled([loadDatasets()]))); // after jobs, which reveal dataset names
  const failed = results.filter((r) => r.status === "rejected").map((r) => r.reason.message);
  status(failed.length ? failed.join("; ") : "updated " + new Date().toLocaleTimeString(), failed.length > 0);
}

function say(role, text) {
  const p = document.createElement("div");
  p.className = role;
  p.textContent = (role === "user" ? "you: " : "") + text;
  $("transcript").appendChild(p);
  return p;
}

// Streams the answer over SSE (fetch + reader, since EventSource cannot POST).
async function chat(prompt) {
  history.push({ role: "user", content: prompt });
  say("user", prompt);
  const out = say("assistant", "");
  const response = await fetch("/v1/chat/completions", {
    method: "POST", headers: headers(),
    body: JSON.stringify({ model: $("model").value, messages: history, stream: true, max_tokens: 200 }),
  });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    out.className = "error";
    out.textContent = body.error ? body.error.message : response.statusText;
    history.pop();
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = event.split("\n").filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).join("");
      if (!data || data === "[DONE]") continue;
      const chunk = JSON.parse(data);
      if (chunk.error) { out.className = "error"; out.textContent += chunk.error.message; continue; }
      out.textContent += chunk.choices[0].delta.content || "";
    }
  }
  history.push({ role: "assistant", content: out.textContent });
}

// The quality report: every excerpt and detail is user data, so it goes in as text nodes only.
const percent = (share) => (100 * Number(share || 0)).toFixed(1) + "%";

function sample(s) {
  const div = document.createElement("div");
  div.className = "sample";
  const line = (label, text) => {
    const p = document.createElement("div");
    const b = document.createElement("b");
    b.textContent = label + " ";
    p.append(b, document.createTextNode(text || "–"));
    div.appendChild(p);
  };
  line("id", s.example_id);
  line("prompt", s.prompt_excerpt);
  line("response", s.response_excerpt);
  if (s.detail !== undefined) line("why", s.detail);
  return div;
}

function samples(list) {
  const all = document.createElement("div");
  list.forEach((s) => all.appendChild(sample(s)));
  return all;
}

async function loadQuality(name) {
  clear("qualityReasons");
  clear("qualityClusters");
  const q = await api(`/v1/datasets/${encodeURIComponent(name)}/quality`);
  const curated = Number(q.curated || 0);
  const rejected = Number(q.rejected || 0);
  $("qualitySummary").textContent =
    `${name}: ${curated + rejected} decided, ${rejected} rejected (${percent(q.rejected_share)})`;
  for (const r of q.reasons || []) {
    row("qualityReasons", [r.reason, Number(r.count || 0), percent(r.share), samples(r.examples || [])]);
  }
  for (const c of q.clusters || []) {
    const range = `${percent(c.min_similarity)} – ${percent(c.max_similarity)}`;
    const newest = c.latest ? sample({ ...c.latest, detail: undefined }) : "";
    row("qualityClusters", [c.curated_example_id, Number(c.size || 0), `${Number(c.exact || 0)} / ${Number(c.near || 0)}`, range, newest]);
  }
}

$("qualityForm").onsubmit = (e) => {
  e.preventDefault();
  loadQuality($("qualityDataset").value.trim()).then(
    () => status("updated " + new Date().toLocaleTimeString(), false),
    (x) => status(x.message, true));
};
$("refresh").onclick = refresh;
$("datasetForm").onsubmit = (e) => {
  e.preventDefault();
  datasets.add($("datasetName").value.trim());
  localStorage.setItem("tuneloop.datasets", JSON.stringify([...datasets]));
  loadDatasets();
};
$("chatForm").onsubmit = (e) => {
  e.preventDefault();
  const prompt = $("prompt").value;
  $("prompt").value = "";
  chat(prompt).catch((x) => say("error", x.message));
};
refresh();
setInterval(loadJobs, 5000);
