// @ts-check
// The settings dialog, opened from the agent's name in the header.

import { $, field, say } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";

/** @type {import("../lib/ipc.js").Settings | null} */
let currentSettings = null;

async function openSettings() {
  $("settings-error").textContent = "";
  try {
    const s = await ipc.getSettings();
    currentSettings = s;
    field("set-agent").value = s.agent;
    field("set-close").value = String(s.auto_close_minutes);
    field("set-db").value = s.db_url;
    field("set-lock").checked = s.suspend_when_locked;
  } catch (err) {
    // A broken settings file: say where, and let the agent write a good one over it.
    currentSettings = null;
    $("settings-error").textContent = `${ipc.problem(err)}。保存将替换这个文件。`;
  }
  $("settings-panel").hidden = false;
  $("set-agent").focus();
}

/** @param {Event} e */
async function saveSettings(e) {
  e.preventDefault();
  const next = { ...currentSettings, agent: field("set-agent").value.trim(), auto_close_minutes: Number(field("set-close").value), db_url: field("set-db").value.trim(), suspend_when_locked: field("set-lock").checked };
  try {
    const saved = await ipc.saveSettings(next);
    $("agent").textContent = saved.agent;
    $("settings-panel").hidden = true;
    say("设置已保存");
  } catch (err) {
    $("settings-error").textContent = ipc.problem(err);
  }
}

export function wireSettings() {
  $("agent").addEventListener("click", openSettings);
  $("settings-form").addEventListener("submit", saveSettings);
  $("settings-cancel").addEventListener("click", () => { $("settings-panel").hidden = true; });
}
