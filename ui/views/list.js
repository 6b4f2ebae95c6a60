// @ts-check
// The middle column: a group's buyers, the agenda, the team or search hits, as one virtual
// list; selecting a row opens it in the right-hand panel.

import { $, field } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { fmtTime, timeLeft } from "../lib/format.js";
import { VirtualList } from "../lib/virtual-list.js";
import { state } from "../state.js";
import { GROUP_LABEL } from "../labels.js";
import { agendaRow, refreshAgenda } from "./agenda.js";
import { teamRow, refreshTeam, renderMember } from "./team.js";
import { showBuyer } from "./buyer.js";
import { refreshSchedule } from "./schedule.js";
import { refreshPhrases } from "./phrases.js";
import { refreshKpi } from "./kpi.js";

/** The views that take the list's and the panel's room (a section of the same id each). */
const WIDE = ["schedule", "phrases", "kpi"];

/** @typedef {import("../state.js").ListName} ListName */
/** @typedef {import("../lib/ipc.js").BuyerSummary} BuyerSummary */
/** @typedef {import("../lib/ipc.js").FollowUp} FollowUp */
/** @typedef {import("../lib/ipc.js").TeamMember} TeamMember */
/** @typedef {BuyerSummary | FollowUp | TeamMember} Item */

const ROW_HEIGHT = 52;
const PAGE = 200;

/** @type {VirtualList<Item>} */
const list = new VirtualList({
  scroller: $("buyer-list"),
  rows: $("buyer-rows"),
  rowHeight: ROW_HEIGHT,
  count: () => state.total,
  itemAt: buyerAt,
  row: makeRow,
});

/** Draws the rows in view again. */
export const renderRows = () => list.render();

/** @param {ListName} group */
function groupTitle(group) {
  return `${GROUP_LABEL[group]}组 · ${state.total} 位买家` + (group === "order" ? " · 按自动关闭时间排序" : "");
}

/** @param {ListName} group */
export function selectGroup(group) {
  state.group = group;
  state.searchHits = null;
  state.pages.clear();
  state.selected = -1;
  for (const b of document.querySelectorAll(".group")) b.classList.toggle("active", /** @type {HTMLElement} */ (b).dataset.group === group);
  // 排班 and 短语 take the list's and the panel's room: the week and the phrases need the width.
  const wide = WIDE.includes(group);
  /** @type {HTMLElement} */ (document.querySelector(".bench")).classList.toggle("wide", wide);
  $("schedule").hidden = group !== "schedule";
  $("phrases").hidden = group !== "phrases";
  $("kpi").hidden = group !== "kpi";
  if (group === "schedule") {
    refreshSchedule();
    return;
  }
  if (group === "phrases") {
    refreshPhrases();
    return;
  }
  if (group === "kpi") {
    refreshKpi();
    return;
  }
  if (group === "agenda") {
    state.total = state.agenda.length;
    list.toTop();
    refreshAgenda();
    return;
  }
  if (group === "team") {
    state.total = state.team.length;
    list.toTop();
    if (!state.me) $("list-title").textContent = "团队 · 登录子账号后可见";
    refreshTeam();
    return;
  }
  state.total = state.counts[group] || 0;
  $("list-title").textContent = groupTitle(group);
  list.toTop();
  renderRows();
}

/** Another process changed the database: the group shown is read again where it is. */
export function refreshGroup() {
  if (state.searchHits || state.group === "agenda" || state.group === "team" || WIDE.includes(state.group)) return;
  state.pages.clear();
  state.total = state.counts[state.group] || 0;
  $("list-title").textContent = groupTitle(state.group);
  renderRows();
}

/** @param {number} index */
async function page(index) {
  if (state.searchHits) return state.searchHits;
  if (!state.pages.has(index)) {
    const group = /** @type {import("../lib/ipc.js").Group} */ (state.group);
    const p = ipc.listBuyers(group, index * PAGE, PAGE);
    state.pages.set(index, p);
    p.catch(() => state.pages.delete(index));
  }
  return /** @type {Promise<BuyerSummary[]>} */ (state.pages.get(index));
}

/**
 * @param {number} i
 * @returns {Promise<Item | undefined>}
 */
async function buyerAt(i) {
  if (state.searchHits) return state.searchHits[i];
  if (state.group === "agenda") return state.agenda[i];
  if (state.group === "team") return state.team[i];
  return (await page(Math.floor(i / PAGE)))[i % PAGE];
}

/**
 * @param {Item} b
 * @param {number} i
 */
function makeRow(b, i) {
  const tpl = /** @type {HTMLTemplateElement} */ ($("row-tpl"));
  const row = /** @type {HTMLElement} */ (/** @type {HTMLElement} */ (tpl.content.firstElementChild).cloneNode(true));
  if ("nick" in b) row.dataset.nick = b.nick;
  row.classList.toggle("selected", i === state.selected);
  if ("kind" in b) { agendaRow(row, b); return row; }
  if ("role" in b) { teamRow(row, b); return row; }
  /** @type {HTMLElement} */ (row.querySelector(".nick")).textContent = b.nick;
  /** @type {HTMLElement} */ (row.querySelector(".badge")).textContent = b.returning ? "回头客" : "";
  const meta = /** @type {HTMLElement} */ (row.querySelector(".meta"));
  if (b.next_close_at) {
    const [text, cls] = timeLeft(b.next_close_at);
    meta.textContent = `${b.unpaid_count} 笔待付款 · ${text}`;
    if (cls) meta.classList.add(cls);
  } else {
    meta.textContent = (b.order_count ? `${b.order_count} 笔订单 · 最近下单 ${fmtTime(b.last_order_at)}` : "新咨询 · 还没有订单") + (b.note ? ` · ${b.note}` : "");
  }
  return row;
}

/** @param {number} i */
export async function select(i) {
  if (i < 0 || i >= state.total) return;
  state.selected = i;
  const b = await buyerAt(i);
  list.reveal(i);
  renderRows();
  if (b && "role" in b) { state.detailNick = null; renderMember(b); return; }
  if (b) showBuyer(b.nick);
}

let searchTimer = 0;
export function onSearch() {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(async () => {
    const q = field("search").value.trim();
    if (!q) { selectGroup(state.group); return; }
    const hits = await ipc.search(q);
    state.searchHits = hits;
    state.total = hits.length;
    state.selected = -1;
    $("list-title").textContent = `搜索“${q}” · ${hits.length} 个结果`;
    for (const b of document.querySelectorAll(".group")) b.classList.remove("active");
    if (WIDE.includes(state.group)) {
      state.group = "order";
      document.querySelector(".bench")?.classList.remove("wide");
      for (const id of WIDE) $(id).hidden = true;
    }
    renderRows();
  }, 120);
}

export function wireList() {
  for (const b of document.querySelectorAll(".group")) {
    const button = /** @type {HTMLElement} */ (b);
    button.addEventListener("click", () => selectGroup(/** @type {ListName} */ (button.dataset.group)));
  }
  $("buyer-rows").addEventListener("click", (e) => {
    const row = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (e.target).closest(".row"));
    if (row) select(Number(row.dataset.index));
  });
  $("buyer-list").addEventListener("scroll", () => requestAnimationFrame(renderRows), { passive: true });
  $("search").addEventListener("input", onSearch);
}
