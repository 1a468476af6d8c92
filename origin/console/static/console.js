// mediacdn console: progressive enhancement of the server-rendered pages.
// Every page works without it; with it, an invalidation's status and the
// edges table update live, and destructive forms ask first.

const poll = 400; // milliseconds between status checks

async function getJSON(url) {
  const r = await fetch(url, { credentials: "same-origin", cache: "no-store" });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return r.json();
}

// followInvalidation updates an invalidation's status until every live
// edge has applied it.
async function followInvalidation(el) {
  const out = el.querySelector(".inv-status");
  const id = el.dataset.invalidation;
  for (;;) {
    try {
      const st = await getJSON(`/console/invalidation.json?id=${encodeURIComponent(id)}`);
      out.textContent = `${st.status} (${st.edges_applied} of ${st.edges_live} edges)`;
      el.dataset.status = st.status;
      if (st.status === "applied") return;
    } catch (e) {
      out.textContent = `unknown (${e.message})`;
      return;
    }
    await new Promise((r) => setTimeout(r, poll));
  }
}

// refreshEdges redraws the live edges table every second.
async function refreshEdges(table) {
  const body = table.tBodies[0];
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    let data;
    try {
      data = await getJSON("/console/edges.json");
    } catch {
      continue;
    }
    const rows = data.edges.map((e) => {
      const tr = document.createElement("tr");
      for (const v of [e.id, e.applied, e.lag, e.caught_up ? "ready" : "catching up"]) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.append(td);
      }
      return tr;
    });
    if (rows.length === 0) {
      const tr = document.createElement("tr");
      const td = document.createElement("td");
      td.colSpan = 4;
      td.textContent = "No live edge.";
      tr.append(td);
      rows.push(tr);
    }
    body.replaceChildren(...rows);
  }
}

for (const el of document.querySelectorAll("[data-invalidation]")) followInvalidation(el);
const edges = document.getElementById("edges");
if (edges) refreshEdges(edges);
for (const form of document.querySelectorAll("form[data-confirm]")) {
  form.addEventListener("submit", (ev) => {
    if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
  });
}

// uploadFile sends one file with its progress shown in item; it resolves
// to the Upload API's answer.
function uploadFile(form, file, item) {
  const bar = item.querySelector("progress");
  const out = item.querySelector(".upload-status");
  const data = new FormData();
  data.append("file", file);
  // With a preset, its settings name the asset (the Upload API applies
  // them under the folder and tags given here); without, the file's name.
  const preset = form.elements.upload_preset?.value ?? "";
  if (preset) {
    data.append("upload_preset", preset);
  } else {
    data.append("use_filename", "true");
    data.append("unique_filename", "false");
  }
  const folder = form.elements.folder.value.trim();
  if (folder) data.append("folder", folder);
  const tags = form.elements.tags.value.trim();
  if (tags) data.append("tags", tags);
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/console/upload.json");
    xhr.setRequestHeader("X-CSRF-Token", form.dataset.csrf);
    xhr.upload.addEventListener("progress", (ev) => {
      if (ev.lengthComputable) bar.value = ev.loaded / ev.total;
    });
    xhr.addEventListener("loadend", () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status === 200) {
        bar.value = 1;
        item.dataset.state = "done";
        const a = document.createElement("a");
        a.href = `/console/asset?rt=${encodeURIComponent(body.resource_type)}&type=${encodeURIComponent(body.type)}&id=${encodeURIComponent(body.public_id)}`;
        a.textContent = body.public_id;
        out.replaceChildren("uploaded as ", a);
      } else {
        item.dataset.state = "failed";
        out.textContent = `failed: ${body.error?.message ?? xhr.status}`;
      }
      resolve(body);
    });
    xhr.send(data);
  });
}

const uploadForm = document.getElementById("upload");
if (uploadForm) {
  // Files dropped on the form are uploaded as if chosen and sent.
  const zone = document.getElementById("drop");
  for (const type of ["dragenter", "dragover"]) {
    uploadForm.addEventListener(type, (ev) => {
      ev.preventDefault();
      zone?.classList.add("dragging");
    });
  }
  uploadForm.addEventListener("dragleave", () => zone?.classList.remove("dragging"));
  uploadForm.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone?.classList.remove("dragging");
    if (!ev.dataTransfer?.files.length) {
      return;
    }
    uploadForm.elements.file.files = ev.dataTransfer.files;
    uploadForm.requestSubmit();
  });
  uploadForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const list = document.getElementById("uploads");
    const files = [...uploadForm.elements.file.files];
    const items = files.map((f) => {
      const li = document.createElement("li");
      li.dataset.state = "uploading";
      const name = document.createElement("span");
      name.textContent = f.name;
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = 0;
      bar.setAttribute("aria-label", `Upload of ${f.name}`);
      const out = document.createElement("span");
      out.className = "upload-status";
      out.textContent = "uploading";
      li.append(name, bar, out);
      list.append(li);
      return li;
    });
    // Three at a time: the Upload API bounds uploads per client.
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        await uploadFile(uploadForm, files[i], items[i]);
      }
    };
    await Promise.all([worker(), worker(), worker()]);
  });
}

// The asset page's "Replace the file": the file uploaded under the same
// public ID (overwrite, invalidate), then the page reloaded.
const overwriteForm = document.getElementById("overwrite");
if (overwriteForm) {
  overwriteForm.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const out = overwriteForm.querySelector(".upload-status");
    const d = overwriteForm.dataset;
    const data = new FormData();
    data.append("file", overwriteForm.elements.file.files[0]);
    data.append("public_id", d.id);
    data.append("type", d.type);
    data.append("overwrite", "true");
    data.append("invalidate", "true");
    out.textContent = "uploading";
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/console/upload.json?rt=${encodeURIComponent(d.rt)}`);
    xhr.setRequestHeader("X-CSRF-Token", d.csrf);
    xhr.addEventListener("loadend", () => {
      let body = {};
      try {
        body = JSON.parse(xhr.responseText);
      } catch {}
      if (xhr.status !== 200) {
        out.textContent = `failed: ${body.error?.message ?? xhr.status}`;
        return;
      }
      const v = new URLSearchParams({ rt: d.rt, type: d.type, id: d.id, done: `Replaced: version ${body.version}` });
      window.location.assign(`/console/asset?${v}`);
    });
    xhr.send(data);
  });
}

// The library's bulk form: a chunk (one Admin API call, up to 1,000
// assets of a prefix; or by search, a Search API page of 100 and their
// Admin delete) a request to /console/bulk.json, the progress shown after
// each, then the purges page with the last chunk's invalidation.
const bulkForm = document.getElementById("bulk");
if (bulkForm) {
  bulkForm.addEventListener("submit", async (ev) => {
    if (ev.defaultPrevented) return; // not confirmed
    ev.preventDefault();
    const out = document.getElementById("bulk-progress");
    const base = new URLSearchParams(new FormData(bulkForm, ev.submitter));
    let deleted = 0;
    let calls = 0;
    let cursor = "";
    for (;;) {
      const body = new URLSearchParams(base);
      body.set("deleted", String(deleted));
      body.set("calls", String(calls));
      if (cursor) body.set("next_cursor", cursor);
      const r = await fetch("/console/bulk.json", { method: "POST", body, credentials: "same-origin" });
      let c = {};
      try {
        c = await r.json();
      } catch {}
      if (!r.ok) {
        out.textContent = `Stopped after ${calls} call(s), ${deleted} deleted: ${c.error?.message ?? r.status}`;
        out.dataset.state = "failed";
        return;
      }
      calls++;
      deleted += c.deleted;
      out.textContent = `Call ${calls}: ${c.deleted} deleted, ${deleted} in all${c.partial ? ", going on…" : ""}`;
      out.dataset.calls = String(calls);
      if (!c.partial || calls >= 100) {
        const v = new URLSearchParams({ done: c.done ?? `Deleted ${deleted} in ${calls} Admin API call(s)` });
        if (c.invalidation) v.set("inv", c.invalidation.id);
        window.location.assign(`/console/purges?${v}`);
        return;
      }
      cursor = c.next_cursor;
    }
  });
}
