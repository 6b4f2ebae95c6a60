// @ts-check
// Who serves the buyer shown and why; the serving agent can end the conversation or
// transfer it to an online colleague.

import { el, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { state } from "../state.js";
import { refreshTeam } from "./team.js";
import { showBuyer } from "./buyer.js";

/**
 * @param {string} nick
 * @returns {HTMLElement | null}  null when no one serves the buyer
 */
export function conversationBox(nick) {
  const c = state.open.find((c) => c.buyer_nick === nick);
  if (!c) return null;
  const box = el("section", "conversation");
  box.append(el("div", "fu-sub", `接待：${c.agent} · ${c.reason}`));
  if (c.asked) box.append(el("div", "fu-sub", `咨询：${c.asked}`));
  const me = state.me;
  if (me && c.agent === me.name) {
    const actions = el("div", "fu-actions");
    const end = el("button", "ghost", "结束会话 (Esc)");
    end.id = "end-conversation";
    end.addEventListener("click", async () => {
      await ipc.closeConversation(nick);
      say("会话已结束");
      await refreshTeam();
      showBuyer(nick);
    });
    actions.append(end, ...transferControls(nick, me.name));
    box.append(actions);
  }
  return box;
}

/**
 * The transfer: an online colleague, a note, and the button.
 * @param {string} nick
 * @param {string} myName
 */
function transferControls(nick, myName) {
  const to = el("select");
  to.id = "transfer-to";
  // Who may receive a transfer is the core's rule (online, below the maximum load).
  for (const m of state.team.filter((m) => m.takes_transfers && m.name !== myName)) {
    const o = el("option", null, `${m.name}（${m.load}/${m.max_load}）`);
    o.value = m.name;
    to.append(o);
  }
  if (!to.options.length) {
    const none = el("option", null, "没有能接收的同事（在线且未满载）");
    none.value = "";
    to.append(none);
  }
  const note = el("input");
  note.placeholder = "转交备注";
  note.maxLength = 200;
  const pass = el("button", "ghost", "转交");
  pass.addEventListener("click", async () => {
    if (!to.value) { say("没有在线的同事可以转交", true); return; }
    const r = await ipc.transfer(nick, to.value, note.value);
    say(r.reason);
    await refreshTeam();
    showBuyer(nick);
  });
  return [to, note, pass];
}
