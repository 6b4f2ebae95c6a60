// @ts-check
// A buyer's follow-ups in the right-hand panel: each as a card with its message ready to
// copy, done and snooze; and the form that adds one by hand.

import { el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { fmtTime, timeLeft, yuan } from "../lib/format.js";
import { state } from "../state.js";
import { BY_HAND, SNOOZE, URGENCY_LABEL } from "../labels.js";
import { refreshAgenda } from "./agenda.js";
import { showBuyer } from "./buyer.js";

/** @typedef {import("../lib/ipc.js").FollowUp} FollowUp */

/**
 * The copy falls back to a selection copy where the clipboard API is not offered.
 * @param {string} text
 * @param {HTMLTextAreaElement} area
 */
async function copyText(text, area) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    area.select();
    document.execCommand("copy");
  }
  say("话术已复制，可以粘贴到旺旺");
}

/**
 * @param {number} id
 * @param {"done" | "snooze"} action
 * @param {string} [choice]
 */
async function actOn(id, action, choice) {
  if (action === "done") await ipc.doneFollowup(id);
  else await ipc.snoozeFollowup(id, /** @type {string} */ (choice));
  say(action === "done" ? "已完成" : "已推迟提醒");
  await refreshAgenda();
  if (state.detailNick) showBuyer(state.detailNick);
}

/** @param {FollowUp} f */
export function followupCard(f) {
  const card = el("div", `followup u-${f.urgency}`);
  card.dataset.id = String(f.id);
  const head = el("div", "head");
  head.append(el("span", "fu-kind", f.label), el("span", `fu-when u-${f.urgency}`, `${URGENCY_LABEL[f.urgency]} · ${fmtTime(f.due_at)}`));
  card.append(head);
  if (f.kind === "chase" && f.expires_at) card.append(el("div", "fu-sub", `${f.orders.length} 笔订单 · ¥${yuan(f.amount)} · ${timeLeft(f.expires_at)[0]}`));
  else if (f.expires_at) card.append(el("div", "fu-sub", `截止 ${fmtTime(f.expires_at)}`));
  if (f.note) card.append(el("div", "fu-sub", f.note));
  const text = el("textarea", "fu-text");
  text.readOnly = true;
  text.value = f.text;
  text.rows = 3;
  const actions = el("div", "fu-actions");
  const copy = el("button", "primary", "复制话术 (c)");
  copy.dataset.act = "copy";
  copy.addEventListener("click", () => copyText(f.text, text));
  const done = el("button", "ghost", "完成 (d)");
  done.dataset.act = "done";
  done.addEventListener("click", () => actOn(f.id, "done"));
  actions.append(copy, done);
  for (const [choice, label] of SNOOZE) {
    const b = el("button", "ghost", label);
    b.dataset.act = "snooze-" + choice;
    b.addEventListener("click", () => actOn(f.id, "snooze", choice));
    actions.append(b);
  }
  card.append(text, actions);
  return card;
}

/** @param {string} nick */
export function byHandForm(nick) {
  const form = el("form", "by-hand");
  const kind = el("select");
  kind.id = "by-hand-kind";
  for (const [code, label] of BY_HAND) {
    const o = el("option", null, label);
    o.value = code;
    kind.append(o);
  }
  const note = el("input");
  note.id = "by-hand-note";
  note.maxLength = 500;
  note.placeholder = "要核实的问题 / 退款单说明";
  const add = el("button", "ghost", "加入待办");
  form.append(kind, note, add);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    await ipc.addFollowup(nick, kind.value, null, note.value);
    say("已加入待办");
    await refreshAgenda();
    showBuyer(nick);
  });
  return form;
}
