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
