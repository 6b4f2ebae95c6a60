// @ts-check
// 排班: for supervisors and the main account, the week as a grid of agents × days with
// shift chips, the coverage per hour against the shop's demand, the rule checker's
// warnings, the suggested week beside the draft, and publishing. For an agent, its own
// shifts this week and next. Every number shown comes from the core; a write names the
// week's version it was made on, and a stale one is refused with a clear message.

import { $, el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { problem } from "../lib/ipc.js";
import { fmtTime } from "../lib/format.js";
import { state } from "../state.js";
import { handoverParts } from "./handover.js";
import { peakChip, peakForm, templateForm } from "./peaks.js";

/** @typedef {import("../lib/ipc.js").WeekView} WeekView */
/** @typedef {import("../lib/ipc.js").Shift} Shift */
/** @typedef {import("../lib/ipc.js").Suggested} Suggested */

const DAY_NAMES = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
const HOUR_MS = 3600000;

/**
 * @typedef {object} View
 * @property {WeekView | null} week
 * @property {string | null} monday  the week chosen, null for this week
 * @property {Suggested | null} suggested  shown beside the draft until taken or dropped
 * @property {[number, number]} cursor  the focused cell: agent row, day column
 * @property {number | null} confirming  the version whose warnings the supervisor was asked to publish despite
 * @property {boolean} busy  a write is on its way: another waits for it, and so do refreshes
 */
/** @type {View} */
const view = { week: null, monday: null, suggested: null, cursor: [0, 0], confirming: null, busy: false };

/** YYYY-MM-DD plus `days`, in the calendar (no time zone involved). @param {string} ymd @param {number} days */
function addDays(ymd, days) {
  const d = new Date(`${ymd}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** MM/DD of a YYYY-MM-DD. @param {string} ymd */
const md = (ymd) => `${ymd.slice(5, 7)}/${ymd.slice(8, 10)}`;

/** HH:MM in shop time (UTC+8, no daylight saving). @param {string} iso */
const shopHM = (iso) => new Date(Date.parse(iso) + 8 * HOUR_MS).toISOString().slice(11, 16);
/** A shift's end: midnight reads 24:00, as the templates say. @param {string} iso */
const endHM = (iso) => (shopHM(iso) === "00:00" ? "24:00" : shopHM(iso));

const hours = (/** @type {Shift[]} */ shifts) => shifts.reduce((h, s) => h + (Date.parse(s.end) - Date.parse(s.start)) / HOUR_MS, 0);

const mayPlan = () => !!state.me && state.me.role !== "agent";

/** Reads the week again (after an event, or to show another week). */
export async function refreshSchedule() {
  if (state.group !== "schedule" || view.busy) return;
  const root = $("schedule");
  if (!state.me) {
    root.replaceChildren(el("p", "placeholder", "排班 · 登录子账号后可见"));
    return;
  }
  if (!mayPlan()) {
    // Not while the agent writes its handover note: the next refresh shows the news.
    if (document.activeElement && document.activeElement.id === "handover-note") return;
    await renderMine(root);
    return;
  }
  view.week = await ipc.scheduleWeek(view.monday);
  render();
}

/** The agent's own shifts, this week and next. @param {HTMLElement} root */
async function renderMine(root) {
  const mine = await ipc.myShifts();
  const parts = [el("h2", "sch-title", "我的班次")];
  const me = state.team.find((m) => m.name === mine.agent);
  if (me) parts.push(el("p", "sch-demand", dutyLine(me.duty)));
  mine.weeks.forEach(([monday, published], i) => {
    const box = el("section", "my-week");
    box.append(el("h3", null, `${i === 0 ? "本周" : "下周"} ${md(monday)} – ${md(addDays(monday, 6))}${published ? "" : " · 排班未发布"}`));
    const sunday = addDays(monday, 6);
    const shifts = mine.shifts.filter((s) => s.date >= monday && s.date <= sunday);
    if (!shifts.length) box.append(el("p", "fu-sub", published ? "这一周没有你的班次" : "主管发布后显示在这里"));
    for (const s of shifts) {
      const day = DAY_NAMES[(new Date(`${s.date}T00:00:00Z`).getUTCDay() + 6) % 7];
      const row = el("div", "my-shift", `${day} ${md(s.date)} · ${s.template} ${shopHM(s.start)}–${endHM(s.end)}`);
      row.dataset.date = s.date;
      box.append(row);
    }
    parts.push(box);
  });
  parts.push(...(await handoverParts(() => { refreshSchedule(); })));
  root.replaceChildren(...parts);
}

/** @param {import("../lib/ipc.js").Duty} duty */
export function dutyLine(duty) {
  if (duty === "on_shift") return "现在在班：新买家会分配给你";
  if (duty === "off_shift") return "现在不在班：不会分配新买家，老顾客会转给在班的同事";
  return "本时段没有发布排班：按在线状态分流";
}

function render() {
  const w = /** @type {WeekView} */ (view.week);
  const root = $("schedule");
  const sunday = addDays(w.monday, 6);
  const bar = el("div", "sch-bar");
  const prev = el("button", "ghost", "‹ 上周");
  prev.addEventListener("click", () => go(-7));
  const next = el("button", "ghost", "下周 ›");
  next.addEventListener("click", () => go(7));
  const title = el("h2", "sch-title", `${w.monday.replaceAll("-", "/")} – ${md(sunday)}`);
  const stateText = w.published ? `已发布 · ${w.published_by || ""} ${fmtTime(w.published_at)}`
    : w.published_version !== null ? `草稿 · 第 ${w.version} 版（发布后又改过）` : `草稿 · 第 ${w.version} 版 · 未发布`;
  const badge = el("span", `sch-state ${w.published ? "published" : "draft"}`, stateText);
  badge.id = "sch-state";
  const copy = el("button", "ghost", "复制上周");
  copy.addEventListener("click", () => write(() => ipc.copyLastWeek(w.monday, w.version), "已复制上周的排班"));
  const suggest = el("button", "ghost", "生成建议排班");
  suggest.id = "sch-suggest";
  suggest.addEventListener("click", showSuggestion);
  const publish = el("button", "primary", w.warnings.length ? `发布（${w.warnings.length} 条警告）` : "发布");
  publish.id = "sch-publish";
  publish.disabled = w.published;
  publish.addEventListener("click", () => {
    // With warnings, the first press asks and the second publishes despite them.
    if (w.warnings.length && view.confirming !== w.version) {
      view.confirming = w.version;
      publish.textContent = "仍然发布";
      $("sch-message").textContent = `有 ${w.warnings.length} 条规则警告（见下方）。确认无误请再按一次发布。`;
      return;
    }
    view.confirming = null;
    write(() => ipc.publishWeek(w.monday, w.version, w.warnings.length > 0), "已发布：分流从现在起按这份排班");
  });
  bar.append(prev, title, next, badge, el("span", "sch-gap"), copy, suggest, publish);

  const dates = [0, 1, 2, 3, 4, 5, 6].map((d) => addDays(w.monday, d));
  const forms = el("div", "sch-forms");
  forms.append(peakForm(w, dates, DAY_NAMES, write), templateForm(w, write));
  const parts = [bar, el("p", "sch-demand", demandLine(w)), forms];
  const message = el("p", "error-text");
  message.id = "sch-message";
  parts.push(message);
  const main = el("div", "sch-main");
  main.append(grid(w));
  if (view.suggested) main.append(suggestionPanel(w, view.suggested));
  parts.push(main, coverageStrip(w), warningList(w));
  parts.push(el("p", "keys", `方向键选格 · ${w.templates.map((t, i) => `${i + 1} ${t.name}`).join(" · ")} · Delete 清除该格 · x 请假 · [ ] 上周/下周`));
  root.replaceChildren(...parts);
  focusCell(false);
}

/** @param {WeekView} w */
function demandLine(w) {
  const d = w.demand;
  if (!d.source) return `需求：${d.missing || "历史不足"}（覆盖条只显示已排人数）`;
  const what = d.source === "conversations" ? "咨询" : "订单（咨询记录不足，以下单量代替）";
  const aht = (d.handling_seconds / 60).toFixed(1);
  return `需求：近 ${d.weeks} 周同一时段的${what} · 平均处理 ${aht} 分钟${d.handling_measured ? `（${d.handling_measured} 次会话）` : "（设置值）"} · 目标 80% 买家 30 秒内接待`;
}

/** @param {WeekView} w */
function grid(w) {
  const table = el("table", "sch-grid");
  table.id = "sch-grid";
  const head = el("tr");
  head.append(el("th", "sch-agent", "客服"));
  for (let d = 0; d < 7; d++) {
    const th = el("th", null, `${DAY_NAMES[d]} ${md(addDays(w.monday, d))}`);
    const chip = peakChip(w, addDays(w.monday, d), write);
    if (chip) th.append(el("br"), chip);
    head.append(th);
  }
  head.append(el("th", "sch-hours", "工时"));
  table.append(el("thead"), el("tbody"));
  /** @type {HTMLElement} */ (table.tHead).append(head);
  const suggested = view.suggested ? view.suggested.suggestion.shifts : null;
  w.agents.forEach((agent, r) => {
    const tr = el("tr");
    tr.append(el("th", "sch-agent", agent));
    for (let d = 0; d < 7; d++) {
      const date = addDays(w.monday, d);
      const td = el("td", "sch-cell");
      td.tabIndex = -1;
      td.dataset.row = String(r);
      td.dataset.col = String(d);
      td.dataset.agent = agent;
      td.dataset.date = date;
      const here = w.shifts.filter((s) => s.agent === agent && s.date === date);
      const off = w.time_off.some((t) => t.agent === agent && t.date === date);
      if (off) { td.classList.add("off"); td.append(el("span", "off-day", "请假")); }
      for (const s of here) {
        const gone = suggested && !suggested.some((x) => x.agent === agent && x.date === date && x.template === s.template);
        const chip = el("button", `chip${gone ? " gone" : ""}`, s.template);
        chip.title = `${shopHM(s.start)}–${endHM(s.end)} · 点击移除`;
        chip.dataset.template = s.template;
        chip.addEventListener("click", () => write(() => ipc.clearShift(agent, date, s.template, w.version), `已移除 ${agent} ${md(date)} ${s.template}`));
        td.append(chip);
      }
      if (suggested) {
        for (const s of suggested.filter((x) => x.agent === agent && x.date === date && !here.some((h) => h.template === x.template))) {
          td.append(el("span", "chip added", `＋${s.template}`));
        }
      }
      const add = el("span", "sch-add");
      w.templates.forEach((t) => {
        if (here.some((s) => s.template === t.name)) return;
        const b = el("button", "ghost", t.name);
        b.title = `${t.start}–${t.end}`;
        b.addEventListener("click", () => assign(agent, date, t.name));
        add.append(b);
      });
      td.append(add);
      td.addEventListener("focus", () => { view.cursor = [r, d]; });
      tr.append(td);
    }
    const h = hours(w.shifts.filter((s) => s.agent === agent));
    const over = w.warnings.some((x) => x.agent === agent && x.breach.rule === "weekly_hours");
    tr.append(el("td", `sch-hours${over ? " over" : ""}`, `${h.toFixed(0)} h`));
    /** @type {HTMLElement} */ (table.tBodies[0]).append(tr);
  });
  table.addEventListener("keydown", onGridKey);
  return table;
}

/** @param {string} agent @param {string} date @param {string} template */
function assign(agent, date, template) {
  const w = /** @type {WeekView} */ (view.week);
  return write(() => ipc.assignShift(agent, date, template, w.version), `已排 ${agent} ${md(date)} ${template}`);
}

/**
 * Runs a write on the week and shows the week it returns. A stale version (another
 * supervisor changed the week meanwhile) reloads the week and says so: nothing of theirs
 * is overwritten, and the change is one key press away.
 * @param {() => Promise<WeekView>} op
 * @param {string} done
 */
async function write(op, done) {
  // One write at a time, each on the version the last one returned: a second key press
  // while the first is on its way would otherwise be refused as stale.
  if (view.busy) return;
  view.busy = true;
  try {
    view.week = await op();
    say(done);
    render();
  } catch (e) {
    const err = /** @type {{code?: string}} */ (e);
    const stale = err && err.code === "conflict";
    if (stale) view.week = await ipc.scheduleWeek(view.week ? view.week.monday : view.monday);
    render();
    $("sch-message").textContent = stale ? "这一周刚被其他主管改过，已载入最新版本（你的这次修改没有保存），请确认后再操作一次。" : problem(e);
  } finally {
    view.busy = false;
  }
}

/** @param {number} days */
async function go(days) {
  const w = view.week;
  view.monday = w ? addDays(w.monday, days) : null;
  view.suggested = null;
  await refreshSchedule();
}

/** @param {boolean} focus @param {number} [dr] @param {number} [dc] */
function focusCell(focus, dr = 0, dc = 0) {
  const w = view.week;
  if (!w || !w.agents.length) return;
  const r = Math.min(Math.max(view.cursor[0] + dr, 0), w.agents.length - 1);
  const c = Math.min(Math.max(view.cursor[1] + dc, 0), 6);
  view.cursor = [r, c];
  for (const td of document.querySelectorAll(".sch-cell")) /** @type {HTMLElement} */ (td).tabIndex = -1;
  const cell = /** @type {HTMLElement | null} */ (document.querySelector(`.sch-cell[data-row="${r}"][data-col="${c}"]`));
  if (!cell) return;
  cell.tabIndex = 0;
  if (focus) cell.focus();
}

/** @param {KeyboardEvent} e */
function onGridKey(e) {
  const cell = /** @type {HTMLElement} */ (e.target).closest(".sch-cell");
  const w = view.week;
  if (!cell || !w || !(cell instanceof HTMLElement)) return;
  const moves = /** @type {Record<string, [number, number]>} */ ({ ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] });
  const agent = /** @type {string} */ (cell.dataset.agent), date = /** @type {string} */ (cell.dataset.date);
  if (moves[e.key]) { e.preventDefault(); focusCell(true, ...moves[e.key]); return; }
  const n = Number(e.key);
  if (n >= 1 && n <= w.templates.length) {
    e.preventDefault(); e.stopPropagation();
    assign(agent, date, w.templates[n - 1].name).then(() => focusCell(true));
    return;
  }
  if (e.key === "x") {
    e.preventDefault(); e.stopPropagation();
    const off = w.time_off.some((t) => t.agent === agent && t.date === date);
    write(() => ipc.setTimeOff(agent, date, !off), off ? `已取消 ${agent} ${md(date)} 请假` : `已记 ${agent} ${md(date)} 请假`).then(() => focusCell(true));
    return;
  }
  if (e.key === "Delete" || e.key === "Backspace") {
    e.preventDefault(); e.stopPropagation();
    const here = w.shifts.filter((s) => s.agent === agent && s.date === date);
    (async () => {
      for (const s of here) await write(() => ipc.clearShift(agent, date, s.template, /** @type {WeekView} */ (view.week).version), `已清除 ${agent} ${md(date)}`);
      focusCell(true);
    })();
  }
}

/** The week's keys that work anywhere in the view. @param {KeyboardEvent} e @returns {boolean} handled */
export function onScheduleKey(e) {
  if (state.group !== "schedule" || !mayPlan()) return false;
  if (e.key === "[" || e.key === "]") { go(e.key === "[" ? -7 : 7); return true; }
  return false;
}

/** Hours of the week as 7 rows of 24: agents scheduled against agents needed, gaps in red. @param {WeekView} w */
function coverageStrip(w) {
  const box = el("section", "sch-coverage");
  box.id = "sch-coverage";
  const short = w.needed_by_hour.reduce((n, need, h) => n + (w.scheduled_by_hour[h] < need ? 1 : 0), 0);
  box.append(el("h3", null, short ? `覆盖：${short} 个小时人手不足（已排/需要）` : "覆盖：每个小时都够人（已排/需要）"));
  for (let d = 0; d < 7; d++) {
    const row = el("div", "cov-row");
    row.append(el("span", "cov-day", DAY_NAMES[d]));
    for (let h = 0; h < 24; h++) {
      const need = w.needed_by_hour[d * 24 + h], have = w.scheduled_by_hour[d * 24 + h];
      const cls = have < need ? "gap" : need > 0 ? "ok" : have > 0 ? "spare" : "";
      const c = el("span", `cov ${cls}`, need || have ? `${have}/${need}` : "");
      c.title = `${DAY_NAMES[d]} ${String(h).padStart(2, "0")}:00 · 需要 ${need} · 已排 ${have}`;
      row.append(c);
    }
    box.append(row);
  }
  const hoursRow = el("div", "cov-row cov-hours");
  hoursRow.append(el("span", "cov-day"));
  for (let h = 0; h < 24; h++) hoursRow.append(el("span", "cov", h % 3 === 0 ? String(h) : ""));
  box.append(hoursRow);
  return box;
}

/** @param {WeekView} w */
function warningList(w) {
  const box = el("section", "sch-warnings");
  box.id = "sch-warnings";
  box.append(el("h3", null, w.warnings.length ? `规则警告 ${w.warnings.length} 条` : "没有规则警告"));
  const list = el("ul");
  for (const x of w.warnings) list.append(el("li", null, x.message));
  box.append(list);
  return box;
}

async function showSuggestion() {
  const w = view.week;
  if (!w) return;
  try {
    view.suggested = await ipc.suggestWeek(w.monday, null);
    render();
  } catch (e) {
    $("sch-message").textContent = problem(e);
  }
}

/** The suggestion beside the draft: hours before and after, what changes, 采用. @param {WeekView} w @param {Suggested} s */
function suggestionPanel(w, s) {
  const box = el("aside", "sch-suggestion");
  box.id = "sch-suggestion";
  const g = s.suggestion;
  box.append(el("h3", null, "建议排班"));
  box.append(el("p", "sch-hours-line", `工时 ${s.current_hours.toFixed(0)} → ${g.agent_hours.toFixed(0)} 小时（下限 ${g.lower_bound_hours.toFixed(1)}）`));
  if (g.short.length) box.append(el("p", "warn-text", `人手不够：仍有 ${g.short.length} 个半小时缺人，最多缺 ${Math.max(...g.short.map((x) => x.missing))} 人`));
  const key = (/** @type {Shift} */ x) => `${x.agent}|${x.date}|${x.template}`;
  const now = new Set(w.shifts.map(key)), next = new Set(g.shifts.map(key));
  const list = el("ul", "sch-changes");
  for (const agent of w.agents) {
    const added = g.shifts.filter((x) => x.agent === agent && !now.has(key(x)));
    const removed = w.shifts.filter((x) => x.agent === agent && !next.has(key(x)));
    if (!added.length && !removed.length) continue;
    const words = [...added.map((x) => `＋${md(x.date)} ${x.template}`), ...removed.map((x) => `－${md(x.date)} ${x.template}`)];
    list.append(el("li", null, `${agent}：${words.join("，")}`));
  }
  if (!list.childElementCount) list.append(el("li", null, "和当前草稿相同"));
  box.append(list);
  const actions = el("div", "actions");
  const take = el("button", "primary", "采用");
  take.id = "sch-apply";
  take.addEventListener("click", () => write(async () => {
    await ipc.suggestWeek(w.monday, w.version);
    view.suggested = null;
    return ipc.scheduleWeek(w.monday);
  }, "已采用建议排班（草稿，发布后生效）"));
  const drop = el("button", "ghost", "放弃");
  drop.addEventListener("click", () => { view.suggested = null; render(); });
  actions.append(take, drop);
  box.append(actions);
  return box;
}
