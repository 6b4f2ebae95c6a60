// @ts-check
// The phrase box (快捷短语): a key away from anywhere (p, or Ctrl+P while typing a note).
// The agent types a code, pinyin initials or words; the core ranks and fills the phrases
// for the buyer and order shown. Enter copies the message, Tab chains the phrase and
// keeps the box open for the next. A phrase whose variable has no value here is refused,
// naming it; a prompted blank ({?尺码}) is asked for first. Phrase text is shop text and
// the fills are buyer text: both are set as text.

import { $, el, field, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { state } from "../state.js";

/** @typedef {import("../lib/ipc.js").PhraseHit} PhraseHit */
/** @typedef {import("../lib/ipc.js").PhrasePart} PhrasePart */

const box = {
  /** @type {PhraseHit[]} */ hits: [],
  selected: 0,
  /** @type {(PhrasePart & {text: string})[]} the phrases chained so far, filled */ chain: [],
  /** @type {string | null} */ buyer: null,
  /** answers in flight to the latest keystroke only */ asked: 0,
  /** @type {{hit: PhraseHit, then: "copy" | "chain"} | null} the phrase whose blanks are being asked */ asking: null,
};

export const isPhraseBoxOpen = () => !$("phrase-panel").hidden;

/** The order the box fills from: the one chosen in its list, or none. */
const order = () => /** @type {HTMLSelectElement} */ ($("phrase-order")).value || null;

/** Opens the box for the buyer shown (or none: only {客服} and {店铺} have values then). */
export async function openPhraseBox() {
  box.buyer = state.detailNick;
  box.chain = [];
  box.hits = [];
  box.asking = null;
  $("phrase-error").textContent = "";
  $("phrase-asks").replaceChildren();
  $("phrase-asks").hidden = true;
  field("phrase-query").value = "";
  $("phrase-for").textContent = box.buyer ? `买家 ${box.buyer}` : "未选择买家：只能填写 {客服}、{店铺}";
  const select = /** @type {HTMLSelectElement} */ ($("phrase-order"));
  select.replaceChildren();
  select.hidden = true;
  render();
  $("phrase-panel").hidden = false;
  field("phrase-query").focus();
  if (!box.buyer) return;
  const nick = box.buyer;
  const d = await ipc.buyerDetail(nick).catch(() => null);
  if (!d || box.buyer !== nick) return;
  // Latest first, as the core picks when none is named.
  const orders = [...d.orders].sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  select.replaceChildren(...orders.map((o) => {
    const opt = el("option", null, `订单 ${o.no}`);
    opt.value = o.no;
    return opt;
  }));
  select.hidden = orders.length === 0;
  if (field("phrase-query").value) find();
}

function close() {
  $("phrase-panel").hidden = true;
  box.asked++;
}

async function find() {
  const query = field("phrase-query").value;
  const ticket = ++box.asked;
  if (!query.trim()) {
    box.hits = [];
    render();
    return;
  }
  try {
    const hits = await ipc.findPhrases(query, box.buyer, order());
    if (ticket !== box.asked) return;
    box.hits = hits;
    box.selected = 0;
    $("phrase-error").textContent = "";
    render();
  } catch (e) {
    if (ticket === box.asked) $("phrase-error").textContent = ipc.problem(e);
  }
}

const SET_LABEL = { shop: "店铺", personal: "我的" };

function render() {
  const rows = box.hits.map((h, i) => {
    const row = el("li", i === box.selected ? "ph-hit selected" : "ph-hit");
    row.dataset.index = String(i);
    const head = el("div", "ph-head");
    head.append(el("span", "ph-code", h.code), el("span", "ph-group", `${SET_LABEL[h.set]} · ${h.group}`));
    if (h.missing.vars.length) head.append(el("span", "ph-missing", `缺 ${h.missing.vars.map((v) => `{${v}}`).join(" ")}`));
    else if (h.missing.asks.length) head.append(el("span", "ph-ask", `需填写 ${h.missing.asks.join("、")}`));
    row.append(head, el("div", "ph-text", h.filled ?? h.text));
    return row;
  });
  $("phrase-hits").replaceChildren(...rows);
  if (!rows.length && field("phrase-query").value.trim()) $("phrase-hits").append(el("li", "ph-none", "没有匹配的短语"));
  $("phrase-chain").replaceChildren(...box.chain.map((p) => el("span", "ph-part", p.text)));
  $("phrase-chain").hidden = box.chain.length === 0;
  rows[box.selected]?.scrollIntoView({ block: "nearest" });
  performance.mark("kefu:phrases-shown");
}

/** @param {PhraseHit} hit @param {"copy" | "chain"} then */
function take(hit, then) {
  if (hit.missing.vars.length) {
    const why = box.buyer ? "这位买家没有订单或订单里没有这一项" : "先选择一位买家";
    $("phrase-error").textContent = `“${hit.code}”需要 ${hit.missing.vars.map((v) => `{${v}}`).join("、")}：${why}，没有复制。`;
    return;
  }
  if (hit.missing.asks.length) { ask(hit, then); return; }
  add(hit, {}, then);
}

/** Asks for the blanks of a phrase; Enter in the last one goes on. @param {PhraseHit} hit @param {"copy" | "chain"} then */
function ask(hit, then) {
  box.asking = { hit, then };
  const inputs = hit.missing.asks.map((name) => {
    const input = el("input");
    input.dataset.ask = name;
    input.maxLength = 200;
    const label = el("label", "field", `${name}（“${hit.code}”中的空）`);
    label.append(input);
    return label;
  });
  $("phrase-asks").replaceChildren(...inputs);
  $("phrase-asks").hidden = false;
  /** @type {HTMLInputElement | null} */ ($("phrase-asks").querySelector("input"))?.focus();
}

function answered() {
  if (!box.asking) return;
  /** @type {Record<string, string>} */
  const answers = {};
  for (const input of $("phrase-asks").querySelectorAll("input")) {
    const i = /** @type {HTMLInputElement} */ (input);
    if (!i.value.trim()) { i.focus(); return; }
    answers[i.dataset.ask || ""] = i.value.trim();
  }
  const { hit, then } = box.asking;
  box.asking = null;
  $("phrase-asks").replaceChildren();
  $("phrase-asks").hidden = true;
  field("phrase-query").focus();
  add(hit, answers, then);
}

/** @param {PhraseHit} hit @param {Record<string, string>} answers @param {"copy" | "chain"} then */
function add(hit, answers, then) {
  let text = hit.filled ?? hit.text;
  for (const [name, value] of Object.entries(answers)) text = text.split(`{?${name}}`).join(value);
  box.chain.push({ set: hit.set, code: hit.code, answers, text });
  if (then === "copy") { copy(true); return; }
  field("phrase-query").value = "";
  box.hits = [];
  render();
}

/** Fills the chain in the core and puts it on the clipboard. @param {boolean} justAdded */
async function copy(justAdded) {
  const parts = box.chain.map(({ set, code, answers }) => ({ set, code, answers }));
  try {
    const text = await ipc.copyPhrases(parts, box.buyer, order());
    close();
    say(`已复制${parts.length > 1 ? ` ${parts.length} 条短语` : ""}到剪贴板（${[...text].length} 字），粘贴到聊天窗口即可`);
  } catch (e) {
    // The chain stays as it was: the agent fixes what is missing and copies again.
    if (justAdded) box.chain.pop();
    render();
    $("phrase-error").textContent = ipc.problem(e);
  }
}

/** @param {KeyboardEvent} e */
function onBoxKey(e) {
  e.stopPropagation();
  if (e.key === "Escape") {
    e.preventDefault();
    if (box.asking) { box.asking = null; $("phrase-asks").replaceChildren(); $("phrase-asks").hidden = true; field("phrase-query").focus(); return; }
    close();
    return;
  }
  const inAsk = /** @type {HTMLElement} */ (e.target).closest("#phrase-asks");
  if (inAsk) {
    if (e.key === "Enter") { e.preventDefault(); answered(); }
    return;
  }
  const hit = box.hits[box.selected];
  if (e.key === "ArrowDown") { e.preventDefault(); box.selected = Math.min(box.hits.length - 1, box.selected + 1); render(); return; }
  if (e.key === "ArrowUp") { e.preventDefault(); box.selected = Math.max(0, box.selected - 1); render(); return; }
  if (e.key === "Enter") {
    e.preventDefault();
    if (hit) take(hit, e.shiftKey ? "chain" : "copy");
    else if (box.chain.length) copy(false);
    return;
  }
  if (e.key === "Tab" && hit) { e.preventDefault(); take(hit, "chain"); return; }
  if (e.key === "Backspace" && !field("phrase-query").value && box.chain.length) {
    e.preventDefault();
    box.chain.pop();
    render();
  }
}

export function wirePhraseBox() {
  field("phrase-query").addEventListener("input", find);
  $("phrase-order").addEventListener("change", find);
  $("phrase-panel").addEventListener("keydown", onBoxKey);
  $("phrase-close").addEventListener("click", close);
  $("phrase-hits").addEventListener("click", (e) => {
    const row = /** @type {HTMLElement | null} */ (/** @type {HTMLElement} */ (e.target).closest(".ph-hit"));
    if (!row) return;
    box.selected = Number(row.dataset.index);
    take(box.hits[box.selected], "copy");
  });
}
