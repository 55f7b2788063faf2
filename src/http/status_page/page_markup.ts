/**
 * The status page's markup and style: one document, no external resource (no CDN, no font, no
 * framework), so it works offline and inside the compiled binary. The script fills it from the
 * JSON API (page_script.ts).
 */

/** The page's CSS. Colours meet WCAG AA contrast on white; statuses also say their name. */
export const PAGE_STYLE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --head: #f6f8fa;
  --ok: #116329; --ok-bg: #dafbe1; --warn: #7d4e00; --warn-bg: #fff1c5; --rewind: #5a32a3;
  --rewind-bg: #ebe3fb; --stall: #9a3412; --stall-bg: #ffe4d4; --stop: #a40e26; --stop-bg: #ffdce0;
  --focus: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; padding: .75rem 1.25rem;
  border-bottom: 1px solid var(--line); background: var(--head); }
header h1 { font-size: 1.15rem; margin: 0; }
header p { margin: 0; color: var(--muted); }
main { padding: 0 1.25rem 2rem; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .3rem .6rem; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { background: var(--head); font-weight: 600; }
td.num, th.num { text-align: right; }
td.name { white-space: normal; word-break: break-all; max-width: 32rem; }
th button { all: inherit; cursor: pointer; padding: 0; }
th button:focus-visible, a:focus-visible, input:focus-visible, select:focus-visible,
  .pager button:focus-visible { outline: 2px solid var(--focus); outline-offset: 2px; }
th[aria-sort=ascending] button::after { content: " \\25B2"; }
th[aria-sort=descending] button::after { content: " \\25BC"; }
a { color: var(--focus); }
.status { display: inline-block; min-width: 4.2rem; text-align: center; padding: 0 .4rem;
  border-radius: .3rem; font-weight: 600; font-size: .85rem; }
.status-OK, .state-up { color: var(--ok); background: var(--ok-bg); }
.status-WARN, .state-degraded, .state-starting { color: var(--warn); background: var(--warn-bg); }
.status-REWIND { color: var(--rewind); background: var(--rewind-bg); }
.status-STALL { color: var(--stall); background: var(--stall-bg); }
.status-STOP, .state-down { color: var(--stop); background: var(--stop-bg); }
.toolbar { display: flex; gap: .75rem; align-items: center; flex-wrap: wrap; margin-bottom: .5rem; }
.toolbar input { font: inherit; padding: .25rem .5rem; min-width: 16rem; }
.toolbar select { font: inherit; padding: .2rem; }
.pager { display: flex; gap: .5rem; align-items: center; margin-top: .5rem; color: var(--muted); }
.pager button { font: inherit; padding: .15rem .6rem; }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.error { color: var(--stop); }
svg.chart { width: 100%; max-width: 48rem; height: 12rem; border: 1px solid var(--line); }
svg.chart text { font-size: 11px; fill: var(--muted); }
.muted { color: var(--muted); }
`;

/** The page's body before the script fills it. */
export const PAGE_BODY = `
<header>
  <h1>kafka-lag-deno</h1>
  <p id="refreshed" aria-live="polite">loading…</p>
</header>
<main>
  <p id="problem" class="error" role="alert" hidden></p>
  <section id="overview">
    <h2>Clusters</h2>
    <table id="clusters">
      <caption class="muted" hidden>Kafka clusters</caption>
      <thead><tr><th scope="col">Cluster</th><th scope="col">State</th>
        <th scope="col">Worst status</th><th scope="col">Last success</th>
        <th scope="col" class="num">Iteration (s)</th><th scope="col" class="num">Groups</th>
        <th scope="col">Last error</th></tr></thead>
      <tbody></tbody>
    </table>
    <h2>Groups</h2>
    <div class="toolbar">
      <label>Cluster <select id="cluster"></select></label>
      <label>Filter <input id="filter" type="search" placeholder="group id contains…"
        autocomplete="off"></label>
    </div>
    <table id="groups">
      <thead><tr>
        <th scope="col" data-sort="group" aria-sort="none"><button type="button">Group</button></th>
        <th scope="col" data-sort="status" aria-sort="none"><button type="button">Status</button></th>
        <th scope="col" class="num" data-sort="lag" aria-sort="none"><button type="button">Lag (offsets)</button></th>
        <th scope="col" class="num" data-sort="lag_seconds" aria-sort="descending"><button type="button">Lag (s)</button></th>
        <th scope="col" class="num" data-sort="consume_rate" aria-sort="none"><button type="button">Consumed/s</button></th>
        <th scope="col" class="num" data-sort="time_to_catch_up" aria-sort="none"><button type="button">Catch up in</button></th>
        <th scope="col">State</th><th scope="col" class="num">Members</th>
      </tr></thead>
      <tbody></tbody>
    </table>
    <div class="pager"><button type="button" id="previous">Previous</button>
      <span id="range"></span><button type="button" id="next">Next</button></div>
  </section>
  <section id="detail" hidden>
    <p><a href="#">← all groups</a></p>
    <h2 id="detail-title"></h2>
    <dl class="facts" id="detail-facts"></dl>
    <h3>Lag over the status window</h3>
    <svg class="chart" id="chart" role="img" aria-labelledby="chart-title" viewBox="0 0 640 180"
      preserveAspectRatio="none"><title id="chart-title">lag</title></svg>
    <h3>Partitions</h3>
    <table id="partitions">
      <thead><tr><th scope="col">Topic</th><th scope="col" class="num">Partition</th>
        <th scope="col" class="num">Committed</th><th scope="col" class="num">End offset</th>
        <th scope="col" class="num">Lag (offsets)</th><th scope="col" class="num">Lag (s)</th>
        <th scope="col">Seconds from</th><th scope="col">Status</th><th scope="col">Owner</th>
        <th scope="col">Host</th></tr></thead>
      <tbody></tbody>
    </table>
    <h3>Members</h3>
    <table id="members">
      <thead><tr><th scope="col">Member</th><th scope="col">Client</th><th scope="col">Host</th>
        <th scope="col" class="num">Partitions</th></tr></thead>
      <tbody></tbody>
    </table>
  </section>
</main>
`;
