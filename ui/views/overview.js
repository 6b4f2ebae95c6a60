// @ts-check
// The header and the group counts from the core's overview, and the welcome card that
// offers the demo shop on an empty database of this PC's own (never on a team database).

import { $, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { syncClock } from "../lib/format.js";
import { state, GROUPS } from "../state.js";

export async function refreshOverview() {
  const o = await ipc.overview();
  syncClock(o.at);
  state.counts = o.counts;
  for (const g of GROUPS) $("count-" + g).textContent = String(o.counts[g]);
  $("agent").textContent = o.agent;
  // The welcome card offers the demo shop once: put aside, it stays aside (a team shop can
  // be empty for a while, and the card coming back on every refresh covered the sign-in).
  if (!o.empty || o.team) {
    $("welcome").hidden = true;
  } else if (!state.welcomeOffered) {
    state.welcomeOffered = true;
    $("welcome").hidden = false;
    $("load-demo").focus();
  }
  return o;
}

/** @param {() => Promise<void>} reload  shows everything again once the demo is in */
export function wireWelcome(reload) {
  const button = /** @type {HTMLButtonElement} */ ($("load-demo"));
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const r = await ipc.loadDemo();
      say(`演示店铺已载入：${r.new} 笔订单`);
    } finally {
      button.disabled = false;
    }
    await reload();
  });
}
