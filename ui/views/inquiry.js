// @ts-check
// The new-inquiry dialog (n): a buyer has come to ask, and routing assigns it.

import { $, field } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { refreshTeam } from "./team.js";

export function openInquiry() {
  $("inquiry-result").textContent = "";
  $("inquiry-panel").hidden = false;
  $("inquiry-nick").focus();
}

/** @param {Event} e */
async function submitInquiry(e) {
  e.preventDefault();
  try {
    const r = await ipc.newInquiry(field("inquiry-nick").value.trim(), field("inquiry-asked").value);
    $("inquiry-result").textContent = r.agent ? `已分配给 ${r.agent}：${r.reason}` : r.reason;
    field("inquiry-nick").value = "";
    field("inquiry-asked").value = "";
    await refreshTeam();
  } catch (err) {
    $("inquiry-result").textContent = ipc.problem(err);
  }
}

export function wireInquiry() {
  $("new-inquiry").addEventListener("click", openInquiry);
  $("inquiry-form").addEventListener("submit", submitInquiry);
  $("inquiry-cancel").addEventListener("click", () => { $("inquiry-panel").hidden = true; });
}
