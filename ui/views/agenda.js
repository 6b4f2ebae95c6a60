// @ts-check
// The agenda (待办): overdue and due most urgent first, then what comes in the next 24
// hours; its count in the group list and its rows in the middle column.

import { $ } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { fmtTime, syncClock, timeLeft, yuan } from "../lib/format.js";
import { state } from "../state.js";
import { URGENCY_LABEL } from "../labels.js";
import { renderRows } from "./list.js";

/** @typedef {import("../lib/ipc.js").FollowUp} FollowUp */

/** Outside the agenda only its badge shows: counting is cheap, the lists at shop scale are not. */
async function refreshBadge() {
  const c = await ipc.agendaCounts();
  syncClock(c.at);
  showBadge(c.counts);
  // Read again, whole, when the agenda is opened (unless it was opened meanwhile).
  if (state.group !== "agenda") state.agenda = [];
}

/** @param {import("../lib/ipc.js").AgendaCounts} counts */
function showBadge(counts) {
  // Counted by the core: the lists stop at a page, a backlog does not.
  const dueNow = counts.overdue + counts.due;
  $("count-agenda").textContent = String(dueNow);
  $("count-agenda").classList.toggle("hot", dueNow > 0);
}

export async function refreshAgenda() {
  if (state.group !== "agenda" || state.searchHits) return refreshBadge();
  const a = await ipc.agenda();
  syncClock(a.at);
  // Chases lead whether overdue or just due: an unpaid order is lost at its close.
  const now = [...a.overdue, ...a.due];
  /** @param {FollowUp} f */
  const closes = (f) => (f.expires_at ? Date.parse(f.expires_at) : Infinity);
  const chases = now.filter((f) => f.kind === "chase").sort((x, y) => closes(x) - closes(y));
  const items = [...chases, ...now.filter((f) => f.kind !== "chase"), ...a.upcoming];
  state.agenda = items;
  showBadge(a.counts);
  if (state.group === "agenda" && !state.searchHits) {
    state.total = items.length;
    const shown = items.length < a.counts.overdue + a.counts.due + a.counts.upcoming ? ` · 显示最紧急的 ${items.length} 条` : "";
    $("list-title").textContent = `待办 · 逾期 ${a.counts.overdue} · 到期 ${a.counts.due} · 24 小时内 ${a.counts.upcoming}${shown}`;
    if (state.selected >= state.total) state.selected = state.total - 1;
    renderRows();
  }
  return a;
}

/**
 * Fills a list row with a follow-up.
 * @param {HTMLElement} row
 * @param {FollowUp} f
 */
export function agendaRow(row, f) {
  /** @type {HTMLElement} */ (row.querySelector(".nick")).textContent = `${f.label} · ${f.nick}`;
  const badge = /** @type {HTMLElement} */ (row.querySelector(".badge"));
  badge.textContent = URGENCY_LABEL[f.urgency];
  badge.className = `badge u-${f.urgency}`;
  const meta = /** @type {HTMLElement} */ (row.querySelector(".meta"));
  const bits = [`${fmtTime(f.due_at)} ${f.snoozed_until ? "稍后提醒" : "到期"}`];
  if (f.amount) bits.push(`¥${yuan(f.amount)}`);
  if (f.kind === "chase" && f.expires_at) {
    const [text, cls] = timeLeft(f.expires_at);
    bits.push(text);
    if (cls) meta.classList.add(cls);
  } else if (f.expires_at) bits.push(`截止 ${fmtTime(f.expires_at)}`);
  if (f.note) bits.push(f.note);
  meta.textContent = bits.join(" · ");
}
