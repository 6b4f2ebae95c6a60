// @ts-check
// Words the window shows for codes. Every word for what the core names comes from the core
// (`words`, loaded once at start by `loadWords`); the window adds only the names of its
// own views and keyboard hints.

import * as ipc from "./lib/ipc.js";

/** @type {Record<string, string>} */
export const GROUP_LABEL = { agenda: "待办", team: "团队", schedule: "排班" };
/** @type {Record<string, string>} */
export const PRESENCE_LABEL = {};
/** @type {Record<string, string>} */
export const ROLE_LABEL = {};
/** @type {Record<string, string>} */
export const URGENCY_LABEL = {};
/** Where the published schedule puts an agent now. @type {Record<string, string>} */
export const DUTY_LABEL = {};
/** Whether an agent keeps its shift now. @type {Record<string, string>} */
export const ATTENDANCE_LABEL = {};
/** The follow-ups an agent adds by hand: kind code and what the menu says. @type {Array<[string, string]>} */
export const BY_HAND = [];
/** An order status's words and how far along the trade is (0–3, for its colour). @type {Record<string, [string, number]>} */
export const STATUS_LABEL = {};
/** The snooze menu: choice code and what its button says. @type {Array<[string, string]>} */
export const SNOOZE = [];

/** Keys that do a snooze from anywhere in the buyer panel. @type {Record<string, string>} */
const SNOOZE_KEY = { "1h": "z" };

/** Fills the tables from the core; called once, before anything is shown. */
export async function loadWords() {
  const w = await ipc.words();
  for (const g of w.groups) GROUP_LABEL[g.code] = g.label;
  for (const s of w.statuses) STATUS_LABEL[s.code] = [s.label, s.progress];
  for (const r of w.roles) ROLE_LABEL[r.code] = r.label;
  for (const s of w.states) PRESENCE_LABEL[s.code] = s.label;
  for (const d of w.duties) DUTY_LABEL[d.code] = d.label;
  for (const a of w.attendances) ATTENDANCE_LABEL[a.code] = a.label;
  for (const u of w.urgencies) URGENCY_LABEL[u.code] = u.label;
  BY_HAND.splice(0, BY_HAND.length, ...w.by_hand.map((n) => /** @type {[string, string]} */ ([n.code, n.label])));
  SNOOZE.splice(0, SNOOZE.length, ...w.snooze.map((n) => /** @type {[string, string]} */ ([n.code, SNOOZE_KEY[n.code] ? `${n.label} (${SNOOZE_KEY[n.code]})` : n.label])));
}
