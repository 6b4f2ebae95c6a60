// @ts-check
// The shift schedule (排班). `week` is any date of the week, YYYY-MM-DD.

import { call, invoke } from "./door.js";

/** @typedef {import("./door.js").Time} Time */

/** @typedef {{name: string, start: string, end: string}} ShiftTemplate  start and end as HH:MM, shop time */
/** @typedef {{agent: string, date: string, template: string, start: Time, end: Time}} Shift  date: the day it starts, YYYY-MM-DD */
/** @typedef {{agent: string, shifts: {date: string, template: string}[], dates: string[], message: string, breach: {rule: string}}} ShiftWarning */
/** @typedef {{slot: number, start: Time, needed: number, scheduled: number, missing: number}} ShortSlot */
/**
 * @typedef {object} WeekView
 * @property {string} monday
 * @property {number} version  every change to the draft counts; a write names the version it saw
 * @property {number | null} published_version
 * @property {Time | null} published_at
 * @property {string | null} published_by
 * @property {Shift[]} shifts  the draft
 * @property {boolean} published  the draft is what was published
 * @property {ShiftTemplate[]} templates
 * @property {string[]} agents
 * @property {ShiftWarning[]} warnings
 * @property {{source: "conversations" | "orders" | null, weeks: number, missing: string | null, handling_seconds: number, handling_measured: number}} demand
 * @property {number[]} needed_by_hour  168 hours, Monday 00:00 first
 * @property {number[]} scheduled_by_hour
 * @property {ShortSlot[]} short
 * @property {PeakDay[]} peaks
 * @property {{agent: string, date: string}[]} time_off  days agents cannot work
 */
/** @typedef {{date: string, name: string, multiplier: number, added_per_slot: number, extra: {template: string, count: number}[]}} PeakDay */
/**
 * @typedef {object} Suggested
 * @property {{shifts: Shift[], agent_hours: number, lower_bound_hours: number, short: ShortSlot[], dropped: {date: string, template: string, count: number}[], warnings: ShiftWarning[]}} suggestion
 * @property {number} current_hours
 * @property {object | null} applied  the draft as stored, when the suggestion was taken
 */
/** @typedef {{agent: string, weeks: [string, boolean][], shifts: Shift[]}} MyShifts  weeks: this week's and next week's Monday, and whether each is published */
/** @typedef {{kind: "conversation" | "followup", id: number, buyer_nick: string, to: string}} HandedItem */
/** @typedef {{id: number, from: string, note: string, at: Time, items: HandedItem[]}} Handover */
/** @typedef {{shift: Shift, receivers: string[], items: HandedItem[]}} HandoverPlan  what a handover would pass now */
/**
 * @typedef {object} Adherence  who keeps the published shifts now
 * @property {string} agent
 * @property {"on_shift" | "late" | "absent" | "off_shift_online" | "off_shift"} status
 * @property {number | null} [late_minutes]  on_shift: came this late
 * @property {number} [minutes]  late: minutes since the shift started
 * @property {number} scheduled_minutes  of the day so far
 * @property {number} present_minutes
 */

// The shift schedule (排班). `week` is any date of the week, YYYY-MM-DD.

/** @param {string | null} week @returns {Promise<WeekView>} */
export const scheduleWeek = (week) => call("schedule_week", { week });
/** @returns {Promise<MyShifts>} */
export const myShifts = () => call("my_shifts");
/** @param {string} agent @param {string} day @param {string} template @param {number} version @returns {Promise<WeekView>} */
export const assignShift = (agent, day, template, version) => invoke("set_shift", { agent, day, template, on: true, version });
/** @param {string} agent @param {string} day @param {string} template @param {number} version @returns {Promise<WeekView>} */
export const clearShift = (agent, day, template, version) => invoke("set_shift", { agent, day, template, on: false, version });
/** @param {string} week @param {number} version @returns {Promise<WeekView>} */
export const copyLastWeek = (week, version) => invoke("copy_last_week", { week, version });
/** @param {string} week @param {number | null} apply  the version seen, to make the suggestion the draft @returns {Promise<Suggested>} */
export const suggestWeek = (week, apply) => invoke("suggest_week", { week, apply });
/** @param {string} week @param {number} version @param {boolean} despiteWarnings @returns {Promise<WeekView>} */
export const publishWeek = (week, version, despiteWarnings) => invoke("publish_week", { week, version, despiteWarnings });
/** @returns {Promise<HandoverPlan>} refused when no shift of the agent's runs now */
export const handoverPlan = () => invoke("handover_plan");
/** @param {string} note @returns {Promise<Handover>} */
export const handOver = (note) => invoke("hand_over", { note });
/** @returns {Promise<Handover[]>} */
export const handoversReceived = () => call("handovers_received");
/** @returns {Promise<Adherence[]>} supervisors and the main account only */
export const adherence = () => invoke("adherence");
/** @param {PeakDay} peak @returns {Promise<WeekView>} */
export const savePeakDay = (peak) => invoke("save_peak_day", { peak });
/** @param {string} day @returns {Promise<WeekView>} */
export const removePeakDay = (day) => invoke("remove_peak_day", { day });
/** @param {string} agent @param {string} day @param {boolean} off @returns {Promise<WeekView>} */
export const setTimeOff = (agent, day, off) => invoke("set_time_off", { agent, day, off });
/** @param {string} week @param {string} name @param {string} start @param {string} end  HH:MM @returns {Promise<WeekView>} */
export const saveShiftTemplate = (week, name, start, end) => invoke("save_shift_template", { week, name, start, end });
