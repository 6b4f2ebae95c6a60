// @ts-check
// 绩效: the team's figures for a period (a supervisor or the main account) or one's own (an
// agent; the core decides which, whatever the window asks). Summary cards, a table per
// agent that sorts by any column, the trend per day, the conversion funnel and receptions
// per hour of the week, drawn as SVG and HTML by this module (no library, no network), and
// the export to .xlsx or CSV. Each figure's definition is on hover. Agent names are set as
// text.

import { $, el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { appNow, yuan } from "../lib/format.js";
import { state } from "../state.js";

/** @typedef {import("../lib/ipc.js").KpiView} KpiView */
/** @typedef {import("../lib/ipc.js").KpiFigures} Figures */

/** Each column: header, definition (the README's), value for sorting, text shown. */
/** @type {[string, string, (f: Figures) => number | null, (f: Figures) => string][]} */
const COLUMNS = [
  ["接待人数", "期间接待的买家数（团队按买家去重）", (f) => f.received, (f) => String(f.received)],
  ["询单人数", "接待时此前结算期内没有下过单的买家（其余为售后）", (f) => f.inquired, (f) => String(f.inquired)],
  ["询单→下单", "询单买家在结算期内下单的比例（最终）", (f) => f.rates.order_conversion[2], (f) => pct(f.rates.order_conversion[2])],
  ["询单→付款", "询单买家在结算期内付款的比例（最终）；当日、次日见悬停", (f) => f.rates.pay_conversion[2], (f) => pct(f.rates.pay_conversion[2])],
  ["客服销售额", "期间付款、按业绩判定归到该客服的订单金额", (f) => f.sales, (f) => `¥${yuan(f.sales)}`],
  ["客单价", "客服销售额 ÷ 付款买家数", (f) => f.rates.per_buyer, (f) => money(f.rates.per_buyer)],
  ["落实客单价", "未退款订单金额 ÷ 其买家数", (f) => f.rates.kept_per_buyer, (f) => money(f.rates.kept_per_buyer)],
  ["首次响应", "接待到第一条客服消息（无消息时到打开买家）的平均秒数", (f) => f.rates.first_response_secs, (f) => secs(f.rates.first_response_secs)],
  ["平均响应", "每轮买家提问到客服回复，单轮最多计 10 分钟，只计 08:00–23:00", (f) => f.rates.response_secs, (f) => secs(f.rates.response_secs)],
  ["回复率", "有回复（消息或打开）的接待 ÷ 接待", (f) => f.rates.reply_rate, (f) => pct(f.rates.reply_rate)],
  ["答问比", "客服消息数 ÷ 买家消息数", (f) => f.rates.answer_ratio, (f) => (f.rates.answer_ratio === null ? "—" : f.rates.answer_ratio.toFixed(2))],
  ["退款率", "归属订单中付款后关闭（退款）的比例", (f) => f.rates.refund_rate, (f) => pct(f.rates.refund_rate)],
  ["催付成功率", "首次催付在期间内、24 小时内付款的订单 ÷ 被催付订单", (f) => f.rates.chase_success, (f) => pct(f.rates.chase_success)],
];

/** @param {number | null} p */
const pct = (p) => (p === null ? "—" : `${(p * 100).toFixed(1)}%`);
/** @param {number | null} fen */
const money = (fen) => (fen === null ? "—" : `¥${yuan(fen)}`);
/** @param {number | null} s */
const secs = (s) => (s === null ? "—" : `${Math.round(s)} 秒`);

const view = {
  /** @type {KpiView | null} */ data: null,
  from: "", to: "",
  sortBy: 4, desc: true,
};

/** A shop day (UTC+8) as YYYY-MM-DD, `days` from today on the app clock. @param {number} days */
function shopDay(days) {
  return new Date(appNow() + 8 * 3600000 + days * 86400000).toISOString().slice(0, 10);
}

/** The periods a supervisor asks for most. */
function presets() {
  const today = shopDay(0);
  const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
  return [
    ["今天", today, today], ["昨天", shopDay(-1), shopDay(-1)],
    ["本周", shopDay(-weekday), today], ["上周", shopDay(-weekday - 7), shopDay(-weekday - 1)],
    ["近 30 天", shopDay(-29), today],
  ];
}

/** The read under way, and whether another was asked for meanwhile. */
let reading = /** @type {Promise<void> | null} */ (null);
let again = false;

/**
 * Reads the figures again. At shop scale a read takes seconds and every reported message
 * asks for one: while a read is under way, further asks make one more read after it.
 */
export async function refreshKpi() {
  if (state.group !== "kpi") return;
  if (reading) {
    again = true;
    return reading;
  }
  reading = readKpi();
  try {
    await reading;
  } finally {
    reading = null;
  }
  if (again) {
    again = false;
    await refreshKpi();
  }
}

async function readKpi() {
  if (!view.from) [, view.from, view.to] = presets()[1];
  try {
    view.data = await ipc.kpi(view.from, view.to);
  } catch (e) {
    view.data = null;
    $("kpi").replaceChildren(toolbar(), el("p", "error-text", ipc.problem(e)));
    return;
  }
  render();
}

function toolbar() {
  const bar = el("div", "sch-bar");
  bar.append(el("h2", "sch-title", "绩效"));
  for (const [label, from, to] of presets()) {
    const b = el("button", view.from === from && view.to === to ? "primary" : "ghost", label);
    b.addEventListener("click", () => { view.from = from; view.to = to; refreshKpi(); });
    bar.append(b);
  }
  const from = Object.assign(el("input"), { type: "date", value: view.from, id: "kpi-from", title: "开始日期" });
  const to = Object.assign(el("input"), { type: "date", value: view.to, id: "kpi-to", title: "结束日期" });
  const go = () => { if (from.value && to.value) { view.from = from.value; view.to = to.value; refreshKpi(); } };
  from.addEventListener("change", go);
  to.addEventListener("change", go);
  bar.append(from, el("span", "muted", "至"), to, el("span", "sch-gap"));
  const exp = el("button", "ghost", "导出…");
  exp.addEventListener("click", async () => {
    try {
      const file = await ipc.exportKpi(view.from, view.to);
      if (file) say(`已导出到 ${file}`);
    } catch (e) { say(ipc.problem(e), true); }
  });
  bar.append(exp);
  return bar;
}

function render() {
  const d = view.data;
  if (!d) return;
  const parts = [toolbar()];
  const rule = { order: "下单判定", payment: "付款判定", order_first: "下单优先" }[d.attribution];
  parts.push(el("p", "sch-demand", `${d.period.from} 至 ${d.period.to} · 业绩判定：${rule}` +
    (d.provisional ? ` · 暂定：结算期到 ${d.settles_at.slice(0, 10)} 结束前，转化率还可能上升` : " · 已结算")));
  const team = d.team;
  const mine = !team;
  const lead = team || Object.values(d.agents)[0];
  if (lead) parts.push(cards(lead, d, mine));
  const charts = el("div", "kpi-charts");
  charts.append(trend(d), funnel(lead), heatmap(d));
  parts.push(charts);
  parts.push(table(d));
  $("kpi").replaceChildren(...parts);
}

/** @param {Figures} f @param {KpiView} d @param {boolean} mine */
function cards(f, d, mine) {
  const box = el("div", "kpi-cards");
  /** @param {string} label @param {string} value @param {string} def */
  const card = (label, value, def) => {
    const c = el("div", "kpi-card");
    c.title = def;
    c.append(el("div", "kpi-label", label), el("div", "kpi-value", value));
    return c;
  };
  box.append(
    card(mine ? "我的接待" : "团队接待", String(f.received), COLUMNS[0][1]),
    card("询单人数", String(f.inquired), COLUMNS[1][1]),
    card("询单→付款", pct(f.rates.pay_conversion[2]), `当日 ${pct(f.rates.pay_conversion[0])} · 次日 ${pct(f.rates.pay_conversion[1])} · 最终 ${pct(f.rates.pay_conversion[2])}`),
    card("客服销售额", `¥${yuan(f.sales)}`, COLUMNS[4][1]),
  );
  if (d.silent_sales !== null && d.shop_sales !== null) {
    box.append(card("静默销售额", `¥${yuan(d.silent_sales)}`, `没有咨询过客服的买家的付款；全店 ¥${yuan(d.shop_sales)} = 客服 + 静默`));
  }
  box.append(
    card("首次响应", secs(f.rates.first_response_secs), COLUMNS[7][1]),
    card("回复率", pct(f.rates.reply_rate), COLUMNS[9][1]),
    card("催付成功率", pct(f.rates.chase_success), COLUMNS[12][1]),
  );
  return box;
}

const SVG = "http://www.w3.org/2000/svg";
/** @param {string} tag @param {Record<string, string | number>} attrs */
function svg(tag, attrs) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

/** Receptions (bars) and sales (line) per day, the team's or one's own. @param {KpiView} d */
function trend(d) {
  const box = el("figure", "kpi-chart");
  box.append(el("figcaption", null, "每日接待与销售额"));
  const days = d.days.filter((x) => x.agent === (d.team ? "" : Object.keys(d.agents)[0]));
  const w = 360, h = 150, pad = 24;
  const chart = svg("svg", { viewBox: `0 0 ${w} ${h + 20}`, role: "img", class: "kpi-svg" });
  const maxR = Math.max(1, ...days.map((x) => x.figures.received));
  const maxS = Math.max(1, ...days.map((x) => x.figures.sales));
  const step = (w - pad) / Math.max(1, days.length);
  const points = [];
  days.forEach((x, i) => {
    const bh = (x.figures.received / maxR) * (h - pad);
    // A day's bar is at most 36 units wide, so a short period does not draw slabs.
    const bw = Math.min(step * 0.6, 36);
    const bar = svg("rect", { x: pad + i * step + (step - bw) / 2, y: h - bh, width: bw, height: bh, class: "kpi-bar" });
    const tip = svg("title", {});
    tip.textContent = `${x.day}：接待 ${x.figures.received}，销售额 ¥${yuan(x.figures.sales)}`;
    bar.append(tip);
    chart.append(bar);
    points.push(`${pad + i * step + step / 2},${h - (x.figures.sales / maxS) * (h - pad)}`);
    if (days.length <= 10 || i % Math.ceil(days.length / 8) === 0) {
      const label = svg("text", { x: pad + i * step + step / 2, y: h + 14, class: "kpi-axis", "text-anchor": "middle" });
      label.textContent = x.day.slice(5);
      chart.append(label);
    }
  });
  if (points.length > 1) chart.append(svg("polyline", { points: points.join(" "), class: "kpi-line" }));
  box.append(chart);
  return box;
}

/** 接待 → 询单 → 下单 → 付款, final. @param {Figures | undefined} f */
function funnel(f) {
  const box = el("figure", "kpi-chart");
  box.append(el("figcaption", null, "询单转化漏斗（最终）"));
  if (!f) return box;
  const steps = [["接待", f.received], ["询单", f.inquired], ["下单", f.ordered[2]], ["付款", f.paid[2]]];
  const top = Math.max(1, f.received);
  for (const [label, n] of steps) {
    const row = el("div", "kpi-funnel-row");
    const bar = el("div", "kpi-funnel-bar");
    bar.style.width = `${Math.max(2, (Number(n) / top) * 100)}%`;
    row.append(el("span", "kpi-funnel-label", label), bar, el("span", "kpi-funnel-n", String(n)));
    box.append(row);
  }
  return box;
}

/** Receptions per hour of the week (shop time), Monday first. @param {KpiView} d */
function heatmap(d) {
  const box = el("figure", "kpi-chart");
  box.append(el("figcaption", null, "每周各时段接待（按小时）"));
  const counts = d.received_by_hour;
  const max = Math.max(1, ...counts);
  const grid = el("div", "kpi-heat");
  ["一", "二", "三", "四", "五", "六", "日"].forEach((day, r) => {
    grid.append(el("span", "kpi-heat-day", day));
    for (let hour = 0; hour < 24; hour++) {
      const n = counts[r * 24 + hour];
      const cell = el("span", "kpi-heat-cell");
      cell.style.opacity = String(n ? 0.15 + 0.85 * (n / max) : 0.06);
      cell.title = `周${day} ${hour}:00–${hour + 1}:00：接待 ${n}`;
      grid.append(cell);
    }
  });
  box.append(grid);
  return box;
}

/** The agents, sortable by any column (click its head). @param {KpiView} d */
function table(d) {
  const t = el("table", "sch-grid kpi-table");
  const head = el("tr");
  head.append(el("th", null, "客服"));
  COLUMNS.forEach(([label, def], i) => {
    const th = el("th", "kpi-sort", label + (view.sortBy === i ? (view.desc ? " ↓" : " ↑") : ""));
    th.title = def;
    th.tabIndex = 0;
    const sort = () => { view.desc = view.sortBy === i ? !view.desc : true; view.sortBy = i; render(); };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (e) => { if (e.key === "Enter") sort(); });
    head.append(th);
  });
  // With published shifts: scheduled hours in the period (up to now) and the share present.
  for (const [label, def] of [["排班工时", "期间已发布班次的时长（到现在为止）"], ["在岗率", "班次时间内在线或挂起的比例"]]) {
    const th = el("th", null, label);
    th.title = def;
    head.append(th);
  }
  const thead = el("thead");
  thead.append(head);
  const body = el("tbody");
  const key = COLUMNS[view.sortBy][2];
  const rows = Object.entries(d.agents).sort(([, a], [, b]) => {
    const x = key(a) ?? -Infinity, y = key(b) ?? -Infinity;
    return view.desc ? y - x : x - y;
  });
  for (const [name, f] of rows) body.append(line(name, f, d.shifts[name]));
  if (d.team) body.append(line("团队", d.team, undefined, "kpi-team"));
  t.append(thead, body);
  return t;
}

/**
 * @param {string} name @param {Figures} f
 * @param {import("../lib/ipc.js").KpiShifts | undefined} shifts @param {string} [cls]
 */
function line(name, f, shifts, cls) {
  const tr = el("tr", cls || null);
  tr.dataset.agent = name;
  tr.append(el("th", null, name));
  for (const [, , , show] of COLUMNS) tr.append(el("td", null, show(f)));
  tr.append(el("td", null, shifts ? `${(shifts.scheduled_minutes / 60).toFixed(1)} 小时` : "—"));
  tr.append(el("td", null, shifts ? pct(shifts.adherence) : "—"));
  return tr;
}
