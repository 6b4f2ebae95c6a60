// @ts-check
// 交接班 in the agent's 排班 view: near the end of its shift the agent sees who takes over
// and what passes (open buyers, follow-ups), writes a note and hands over; the receivers
// see the note and what they got. Buyer nicks are shown as text only.

import { el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { problem } from "../lib/ipc.js";
import { fmtTime } from "../lib/format.js";

/** @typedef {import("../lib/ipc.js").Handover} Handover */

/**
 * The handover box (when a shift of the agent's runs or just ended) and the handovers it
 * received in the last day.
 * @param {() => void} done  called after a handover, to show the view again
 * @returns {Promise<HTMLElement[]>}
 */
export async function handoverParts(done) {
  /** @type {HTMLElement[]} */
  const parts = [];
  const received = await ipc.handoversReceived();
  if (received.length) {
    const box = el("section", "my-week handed");
    box.id = "handovers-received";
    box.append(el("h3", null, "收到的交接"));
    for (const h of received) box.append(receivedItem(h));
    parts.push(box);
  }
  /** @type {import("../lib/ipc.js").HandoverPlan | null} */
  let plan = null;
  try {
    plan = await ipc.handoverPlan();
  } catch {
    // No shift of the agent's runs now: nothing to hand over.
    return parts;
  }
  const box = el("section", "my-week handover");
  box.id = "handover";
  const buyers = plan.items.filter((i) => i.kind === "conversation").length;
  const followups = plan.items.length - buyers;
  box.append(el("h3", null, `交接班 · ${plan.shift.template} ${fmtTime(plan.shift.start)} – ${fmtTime(plan.shift.end)}`));
  if (!plan.receivers.length) {
    box.append(el("p", "fu-sub", "下一班没有人在班，交接不了：接待中的买家留在你这里，新买家按分流规则分配。"));
    parts.push(box);
    return parts;
  }
  if (!plan.items.length) {
    box.append(el("p", "fu-sub", `下一班：${plan.receivers.join("、")}。你现在没有接待中的买家或待办，不用交接。`));
    parts.push(box);
    return parts;
  }
  box.append(el("p", "fu-sub", `交给 ${plan.receivers.join("、")}：接待中的买家 ${buyers} 位，待办 ${followups} 条，平均分配。`));
  // A refresh (another PC's change) keeps what the agent had typed.
  const typed = /** @type {HTMLTextAreaElement | null} */ (document.getElementById("handover-note"));
  const note = el("textarea", "fu-text");
  note.value = typed ? typed.value : "";
  note.id = "handover-note";
  note.maxLength = 500;
  note.rows = 3;
  note.placeholder = "交接备注：哪些买家在等回复、答应了什么……";
  const error = el("p", "error-text");
  const go = el("button", "primary", "交接给下一班");
  go.id = "handover-go";
  go.addEventListener("click", async () => {
    go.disabled = true;
    try {
      const h = await ipc.handOver(note.value);
      say(`已交接 ${h.items.length} 项给 ${plan ? plan.receivers.join("、") : ""}`);
      done();
    } catch (e) {
      // The note stays in its box.
      error.textContent = problem(e);
      go.disabled = false;
    }
  });
  box.append(note, error, go);
  parts.push(box);
  return parts;
}

/** @param {Handover} h */
function receivedItem(h) {
  const item = el("div", "my-shift");
  const buyers = h.items.filter((i) => i.kind === "conversation").map((i) => i.buyer_nick);
  const followups = h.items.length - buyers.length;
  item.append(el("div", null, `${fmtTime(h.at)} ${h.from} 交给你：买家 ${buyers.length} 位${buyers.length ? `（${buyers.slice(0, 5).join("、")}${buyers.length > 5 ? "…" : ""}）` : ""}，待办 ${followups} 条`));
  if (h.note) item.append(el("div", "handover-note", h.note));
  return item;
}
