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
    field("set-attribution").value = s.kpi_attribution;
    field("set-settle").value = String(s.kpi_settle_days);
    field("set-keep-text").checked = s.keep_message_text;
  } catch (err) {
    // A broken settings file: say where, and let the agent write a good one over it.
    currentSettings = null;
    $("settings-error").textContent = `${ipc.problem(err)}。保存将替换这个文件。`;
    // 绩效's rules left empty are saved as the core's defaults (an absent field is).
    field("set-attribution").value = "";
    field("set-settle").value = "";
    field("set-keep-text").checked = false;
  }
  $("settings-panel").hidden = false;
  $("set-agent").focus();
}

/** Called after a save (the views that read settings refresh). */
let onSaved = () => {};

/**
 * A field left empty is left out, and the core takes its default.
 * @template T @param {string} value @param {(v: string) => T} as @returns {T | undefined}
 */
const orDefault = (value, as) => (value === "" ? undefined : as(value));

/** @param {Event} e */
async function saveSettings(e) {
  e.preventDefault();
  const next = { ...currentSettings, agent: field("set-agent").value.trim(), auto_close_minutes: Number(field("set-close").value), db_url: field("set-db").value.trim(), suspend_when_locked: field("set-lock").checked, kpi_attribution: orDefault(field("set-attribution").value, String), kpi_settle_days: orDefault(field("set-settle").value, Number), keep_message_text: field("set-keep-text").checked };
  try {
    const saved = await ipc.saveSettings(next);
    $("agent").textContent = saved.agent;
    $("settings-panel").hidden = true;
    say("设置已保存");
    onSaved();
  } catch (err) {
    $("settings-error").textContent = ipc.problem(err);
  }
}

/** @param {() => void} saved */
export function wireSettings(saved) {
  onSaved = saved;
  $("agent").addEventListener("click", openSettings);
  $("settings-form").addEventListener("submit", saveSettings);
  $("settings-cancel").addEventListener("click", () => { $("settings-panel").hidden = true; });
}
