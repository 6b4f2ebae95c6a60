// @ts-check
// 绩效. Money in fen, rates as fractions, times in seconds; null where nothing was counted.

import { invoke } from "./door.js";

/** @typedef {import("./door.js").Time} Time */

/**
 * @typedef {object} KpiFigures
 * @property {number} received
 * @property {number} inquired
 * @property {number[]} ordered  当日, 次日, 最终
 * @property {number[]} paid
 * @property {number} sales
 * @property {number} paying_buyers
 * @property {number} refunded
 * @property {number} chased
 * @property {{order_conversion: (number | null)[], pay_conversion: (number | null)[], per_buyer: number | null,
 *   kept_per_buyer: number | null, first_response_secs: number | null, response_secs: number | null,
 *   reply_rate: number | null, answer_ratio: number | null, refund_rate: number | null, chase_success: number | null}} rates
 */
/**
 * @typedef {object} KpiView
 * @property {{from: string, to: string}} period
 * @property {"order" | "payment" | "order_first"} attribution
 * @property {boolean} provisional  conversions may still rise until `settles_at`
 * @property {Time} settles_at
 * @property {Record<string, KpiFigures>} agents  everyone's for a supervisor, one's own for an agent
 * @property {KpiFigures | null} team
 * @property {number | null} silent_sales
 * @property {number | null} shop_sales
 * @property {number[]} received_by_hour  168 counts, Monday 0:00 first
 * @property {{day: string, agent: string, figures: KpiFigures}[]} days  agent "" is the team
 * @property {Record<string, KpiShifts>} shifts  agents with published shifts in the period
 */
/** @typedef {{scheduled_minutes: number, present_minutes: number, adherence: number | null}} KpiShifts */

/** @param {string} from @param {string} to @returns {Promise<KpiView>} */
export const kpi = (from, to) => invoke("kpi", { from, to, byDay: true });
/** @param {string} from @param {string} to @returns {Promise<string | null>} the file written */
export const exportKpi = (from, to) => invoke("export_kpi", { from, to });
