// @ts-check
// Signing in with a shop sub-account (子账号), to take part in routing.

import { $, field, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { refreshOverview } from "./overview.js";
import { refreshTeam } from "./team.js";

/** @param {Event} e */
async function submitSignIn(e) {
  e.preventDefault();
  try {
    const me = await ipc.signIn(field("sign-in-name").value.trim(), field("sign-in-password").value);
    field("sign-in-password").value = "";
    $("sign-in-panel").hidden = true;
    say(`${me.name} 已登录，在线接待`);
    await refreshOverview();
    await refreshTeam();
  } catch (err) {
    $("sign-in-error").textContent = ipc.problem(err);
  }
}

export function wireSignIn() {
  $("sign-in").addEventListener("click", () => { $("sign-in-error").textContent = ""; $("sign-in-panel").hidden = false; $("sign-in-name").focus(); });
  $("sign-in-form").addEventListener("submit", submitSignIn);
  $("sign-in-cancel").addEventListener("click", () => { $("sign-in-panel").hidden = true; });
}
