/**
 * The status page's script, as text served inline. Plain browser JavaScript (no build step, no
 * framework): it reads the JSON API relative to the page's own path (so a reverse proxy's path
 * prefix works), renders with textContent only (group and topic names are untrusted bytes, never
 * HTML), refreshes at the iteration interval, and pauses while the tab is hidden.
 */
export const PAGE_SCRIPT = String.raw`
"use strict";
const PAGE_SIZE = 100;
const apiBase = location.pathname.replace(/\/ui\/?$/, "") + "/api/v1";
const view = { cluster: null, sort: "lag_seconds", order: "desc", filter: "", offset: 0 };
let timer = null;
let intervalSeconds = 30;
let filterTimer = null;

const $ = (id) => document.getElementById(id);

async function getJson(path) {
  const response = await fetch(apiBase + path, { credentials: "same-origin" });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error || ("HTTP " + response.status));
  return body;
}

function cell(row, text, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  if (text instanceof Node) td.append(text); else td.textContent = text;
  row.append(td);
  return td;
}

function badge(text, kind) {
  const span = document.createElement("span");
  span.className = "status " + kind + "-" + text;
  span.textContent = text;
  return span;
}

const numberFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
const count = (value) => value === null || value === undefined ? "\u2013" : numberFormat.format(value);

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "\u2013";
  if (seconds < 60) return numberFormat.format(seconds) + " s";
  if (seconds < 3600) return Math.floor(seconds / 60) + " min " + Math.round(seconds % 60) + " s";
  if (seconds < 86400) return Math.floor(seconds / 3600) + " h " + Math.round((seconds % 3600) / 60) + " min";
  return numberFormat.format(seconds / 86400) + " d";
}

function when(iso) {
  if (!iso) return "never";
  const ago = (Date.now() - Date.parse(iso)) / 1000;
  return new Date(iso).toLocaleTimeString() + " (" + duration(Math.max(0, Math.round(ago))) + " ago)";
}

function groupLink(cluster, group) {
  const link = document.createElement("a");
  link.href = "#/c/" + encodeURIComponent(cluster) + "/g/" + encodeURIComponent(group);
  link.textContent = group === "" ? "(empty id)" : group;
  return link;
}

function renderClusters(clusters) {
  const rows = clusters.map((cluster) => {
    const row = document.createElement("tr");
    cell(row, cluster.name, "name");
    cell(row, badge(cluster.state, "state"));
    cell(row, cluster.worst_status ? badge(cluster.worst_status, "status") : "\u2013");
    cell(row, when(cluster.last_success));
    cell(row, count(cluster.iteration_seconds), "num");
    cell(row, count(cluster.groups_measured), "num");
    cell(row, cluster.error || "", "name");
    return row;
  });
  $("clusters").tBodies[0].replaceChildren(...rows);
  const select = $("cluster");
  const names = clusters.map((cluster) => cluster.name);
  if (select.options.length !== names.length || names.some((name, i) => select.options[i].value !== name)) {
    select.replaceChildren(...names.map((name) => new Option(name, name)));
  }
  if (!names.includes(view.cluster)) view.cluster = names[0] ?? null;
  select.value = view.cluster ?? "";
}

async function renderGroups() {
  const tbody = $("groups").tBodies[0];
  if (view.cluster === null) { tbody.replaceChildren(); $("range").textContent = "no cluster"; return; }
  const query = new URLSearchParams({ sort: view.sort, order: view.order, offset: String(view.offset), limit: String(PAGE_SIZE) });
  if (view.filter) query.set("q", view.filter);
  const page = await getJson("/clusters/" + encodeURIComponent(view.cluster) + "/groups?" + query);
  if (page.total > 0 && view.offset >= page.total) { view.offset = Math.max(0, page.total - PAGE_SIZE); return renderGroups(); }
  tbody.replaceChildren(...page.groups.map((group) => {
    const row = document.createElement("tr");
    cell(row, groupLink(view.cluster, group.group), "name");
    cell(row, group.status ? badge(group.status, "status") : "\u2013");
    cell(row, count(group.lag.sum), "num");
    cell(row, duration(group.lag.max_seconds), "num");
    cell(row, count(group.consume_rate), "num");
    cell(row, duration(group.time_to_catch_up_seconds), "num");
    cell(row, group.state ?? "\u2013");
    cell(row, count(group.member_count), "num");
    return row;
  }));
  const last = view.offset + page.groups.length;
  $("range").textContent = page.total === 0 ? "no groups" : (view.offset + 1) + "\u2013" + last + " of " + numberFormat.format(page.total);
  $("previous").disabled = view.offset === 0;
  $("next").disabled = last >= page.total;
  for (const th of $("groups").tHead.rows[0].cells) {
    if (!th.dataset.sort) continue;
    th.setAttribute("aria-sort", th.dataset.sort !== view.sort ? "none" : view.order === "asc" ? "ascending" : "descending");
  }
}

function renderChart(history) {
  const svg = $("chart");
  const ns = "http://www.w3.org/2000/svg";
  const title = svg.querySelector("title");
  svg.replaceChildren(title);
  const width = 640, height = 180, pad = 24;
  const points = history.filter((sample) => sample.lag !== null);
  title.textContent = "lag of the group over the last " + points.length + " iterations";
  const text = (x, y, content, anchor) => {
    const node = document.createElementNS(ns, "text");
    node.setAttribute("x", x); node.setAttribute("y", y);
    if (anchor) node.setAttribute("text-anchor", anchor);
    node.textContent = content;
    svg.append(node);
  };
  if (points.length === 0) { text(width / 2, height / 2, "no samples yet", "middle"); return; }
  const times = points.map((sample) => Date.parse(sample.at));
  const first = times[0], span = Math.max(1, times[times.length - 1] - first);
  const line = (values, color, dashed) => {
    const known = values.map((value, i) => [times[i], value]).filter(([, value]) => value !== null);
    if (known.length === 0) return 0;
    const top = Math.max(1, ...known.map(([, value]) => value));
    const polyline = document.createElementNS(ns, "polyline");
    polyline.setAttribute("points", known.map(([time, value]) =>
      (pad + (time - first) / span * (width - 2 * pad)).toFixed(1) + "," +
      (height - pad - value / (top * 1.15) * (height - pad - 28)).toFixed(1)).join(" "));
    polyline.setAttribute("fill", "none");
    polyline.setAttribute("stroke", color);
    polyline.setAttribute("stroke-width", "2");
    polyline.setAttribute("vector-effect", "non-scaling-stroke");
    if (dashed) polyline.setAttribute("stroke-dasharray", "6 4");
    svg.append(polyline);
    return top;
  };
  const topOffsets = line(points.map((sample) => sample.lag), "#0969da", false);
  const topSeconds = line(points.map((sample) => sample.lag_seconds), "#9a3412", true);
  text(pad, 14, "lag (offsets, solid) max " + count(topOffsets) + (topSeconds ? "   lag (s, dashed) max " + duration(topSeconds) : ""));
  text(pad, height - 6, new Date(first).toLocaleTimeString());
  text(width - pad, height - 6, new Date(times[times.length - 1]).toLocaleTimeString(), "end");
}

async function renderDetail(cluster, groupId) {
  const group = await getJson("/clusters/" + encodeURIComponent(cluster) + "/group?id=" + encodeURIComponent(groupId));
  $("detail-title").textContent = "Group " + (groupId === "" ? "(empty id)" : groupId) + " on " + cluster;
  const facts = [["Status", group.status ? badge(group.status, "status") : "\u2013"], ["State", group.state ?? "\u2013"],
    ["Protocol", group.protocol ?? "\u2013"], ["Lag (offsets)", count(group.lag.sum)], ["Lag (s)", duration(group.lag.max_seconds)],
    ["Consumed/s", count(group.consume_rate)], ["Produced/s", count(group.produce_rate)],
    ["Catch up in", duration(group.time_to_catch_up_seconds)], ["Partitions", count(group.partition_count)]];
  $("detail-facts").replaceChildren(...facts.flatMap(([name, value]) => {
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd"); if (value instanceof Node) dd.append(value); else dd.textContent = value;
    return [dt, dd];
  }));
  renderChart(group.lag_history ?? []);
  $("partitions").tBodies[0].replaceChildren(...group.partitions.map((partition) => {
    const row = document.createElement("tr");
    cell(row, partition.topic, "name");
    cell(row, count(partition.partition), "num");
    cell(row, count(partition.committed), "num");
    cell(row, count(partition.latest), "num");
    cell(row, count(partition.lag), "num");
    cell(row, duration(partition.lag_seconds), "num");
    cell(row, partition.lag_seconds_method ?? "\u2013");
    cell(row, partition.status ? badge(partition.status, "status") : "\u2013");
    cell(row, partition.owner ? partition.owner.client_id + " (" + partition.owner.member_id + ")" : "\u2013", "name");
    cell(row, partition.owner ? partition.owner.host : "\u2013");
    return row;
  }));
  $("members").tBodies[0].replaceChildren(...(group.members ?? []).map((member) => {
    const row = document.createElement("tr");
    cell(row, member.member_id, "name");
    cell(row, member.client_id);
    cell(row, member.host);
    cell(row, count(member.assignment.length), "num");
    return row;
  }));
}

function route() {
  const match = /^#\/c\/([^/]*)\/g\/(.*)$/.exec(location.hash);
  return match ? { cluster: decodeURIComponent(match[1]), group: decodeURIComponent(match[2]) } : null;
}

async function refresh() {
  clearTimeout(timer);
  timer = null;
  try {
    const { clusters } = await getJson("/clusters");
    const intervals = clusters.map((cluster) => cluster.iteration_interval_seconds).filter((value) => value > 0);
    intervalSeconds = Math.min(300, Math.max(2, intervals.length ? Math.min(...intervals) : 30));
    renderClusters(clusters);
    const target = route();
    $("overview").hidden = target !== null;
    $("detail").hidden = target === null;
    if (target) await renderDetail(target.cluster, target.group); else await renderGroups();
    $("problem").hidden = true;
    $("refreshed").textContent = "updated " + new Date().toLocaleTimeString() + ", every " + intervalSeconds + " s";
  } catch (error) {
    $("problem").textContent = "Could not read the API: " + error.message;
    $("problem").hidden = false;
  }
  document.body.dataset.loaded = String(Number(document.body.dataset.loaded || 0) + 1);
  if (!document.hidden) timer = setTimeout(refresh, intervalSeconds * 1000);
}

$("cluster").addEventListener("change", (event) => { view.cluster = event.target.value; view.offset = 0; refresh(); });
$("filter").addEventListener("input", (event) => {
  clearTimeout(filterTimer);
  filterTimer = setTimeout(() => { view.filter = event.target.value.trim(); view.offset = 0; refresh(); }, 200);
});
$("previous").addEventListener("click", () => { view.offset = Math.max(0, view.offset - PAGE_SIZE); refresh(); });
$("next").addEventListener("click", () => { view.offset += PAGE_SIZE; refresh(); });
for (const th of $("groups").tHead.rows[0].cells) {
  if (!th.dataset.sort) continue;
  th.querySelector("button").addEventListener("click", () => {
    const key = th.dataset.sort;
    view.order = view.sort === key ? (view.order === "asc" ? "desc" : "asc") : (key === "group" ? "asc" : "desc");
    view.sort = key;
    view.offset = 0;
    refresh();
  });
}
addEventListener("hashchange", refresh);
document.addEventListener("visibilitychange", () => {
  if (document.hidden) { clearTimeout(timer); timer = null; } else refresh();
});
refresh();
`;
