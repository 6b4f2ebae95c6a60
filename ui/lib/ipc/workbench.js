// @ts-check
// The workbench: groups, buyers and their orders, notes, follow-ups, the import and the
// settings. Times are RFC 3339 strings in UTC; money is in fen.

import { call, invoke } from "./door.js";

/** @typedef {import("./door.js").Time} Time */

/** @typedef {"inquiry" | "order" | "shipped" | "closed"} Group */
/** @typedef {Record<Group, number>} GroupCounts */
/**
 * @typedef {object} Overview
 * @property {GroupCounts} counts
 * @property {boolean} empty  the database holds no orders yet
 * @property {string} agent  the name written beside notes on this PC
 * @property {string} database  where the data is, without a team database's password
 * @property {boolean} team  a team database shared by the shop's PCs (no demo shop there)
 * @property {Time} at  the app clock when the overview was read
 */
/**
 * @typedef {object} BuyerSummary
 * @property {string} nick
 * @property {Group} group
 * @property {boolean} returning
 * @property {number} order_count
 * @property {number} unpaid_count
 * @property {Time | null} next_close_at  the earliest auto-close of the buyer's unpaid orders
 * @property {Time | null} last_order_at
 * @property {string} note
 */
/** @typedef {"awaiting_payment" | "awaiting_shipment" | "shipped" | "trade_success" | "trade_closed"} OrderStatus */
/**
 * @typedef {object} Order
 * @property {string} no
 * @property {string} buyer
 * @property {OrderStatus} status
 * @property {"unpaid" | "refunded" | null} close_reason
 * @property {number} total  postage included
 * @property {number} postage
 * @property {Time} created_at
 * @property {Time | null} paid_at
 * @property {Time | null} shipped_at
 * @property {Time | null} ended_at
 * @property {Time | null} terms_changed_at
 * @property {Time | null} close_deadline  an auto-close deadline the shop's data gave
 * @property {string} title
 * @property {string} buyer_message
 * @property {string} seller_remark
 * @property {string} receiver
 * @property {string} address
 * @property {string} phone
 * @property {string} tracking_no
 * @property {string} shop_name
 */
/**
 * @typedef {object} BuyerExtra
 * @property {string | null} note_by
 * @property {Time | null} note_at
 * @property {string[]} tags
 * @property {string | null} tags_by
 * @property {Time | null} tags_at
 * @property {number} note_version  counts the saves of note and tags; a save names the one it read
 * @property {Order[]} orders  newest first
 * @property {Record<string, Time>} closes_at  when each unpaid order auto-closes, by order number
 */
/** @typedef {BuyerSummary & BuyerExtra} BuyerDetail */
/** @typedef {"overdue" | "due" | "upcoming"} Urgency */
/**
 * @typedef {object} FollowUp
 * @property {number} id
 * @property {string} kind  chase, shipped_check_in, promised_answer, …
 * @property {string} label  what the agenda calls the kind (催付, 发货回访, …)
 * @property {string | null} step
 * @property {string} nick
 * @property {string[]} orders
 * @property {number} amount
 * @property {Time} due_at
 * @property {Time | null} expires_at
 * @property {string} owner
 * @property {string} note
 * @property {boolean} announced
 * @property {Time | null} snoozed_until
 * @property {Urgency} urgency
 * @property {string} text  ready to copy into the chat
 */
/**
 * @typedef {object} Agenda
 * @property {Time | null} at  the app clock when the agenda was read
 * @property {FollowUp[]} overdue
 * @property {FollowUp[]} due
 * @property {FollowUp[]} upcoming
 * @property {AgendaCounts} counts  how many each list holds in all (the lists stop at a page)
 */
/** @typedef {{overdue: number, due: number, upcoming: number}} AgendaCounts */
/** @typedef {{new: number, updated: number, unchanged: number, items: number, items_skipped: number}} Applied */
/** @typedef {{file: string, line: number, column: string, value: string, reason: string}} Problem */
/**
 * @typedef {object} ImportReport
 * @property {string[]} files
 * @property {number} rows
 * @property {number} new
 * @property {number} updated
 * @property {number} unchanged
 * @property {number} rejected
 * @property {number} items
 * @property {number} items_skipped
 * @property {boolean} written  false when rows were rejected and only good rows were not asked for
 * @property {Problem[]} problems  the first thousand; `rejected` counts them all
 */
/** @typedef {{stage: string, done: number, total: number}} ImportProgress */
/** @typedef {{db_url: string, agent: string, auto_close_minutes: number, suspend_when_locked: boolean, max_import_mb: number, kpi_attribution: string, kpi_settle_days: number, keep_message_text: boolean}} Settings */
/** @typedef {{ok: boolean, message: string}} ConnectionState */
/** @typedef {{steps: number, announced: number, notifications: number}} TimerSteps  what the follow-up loop has done since launch */

/** @returns {Promise<Overview>} */
export const overview = () => call("overview");
/**
 * @typedef {object} Named
 * @property {string} code  as the core's answers spell it
 * @property {string} label
 */
/**
 * @typedef {object} Words  what the window shows for what the core names
 * @property {Named[]} groups
 * @property {Array<Named & {progress: number}>} statuses
 * @property {Named[]} roles
 * @property {Named[]} states
 * @property {Named[]} urgencies
 * @property {Named[]} duties
 * @property {Named[]} attendances
 * @property {Named[]} by_hand  the follow-ups an agent adds by hand, as the form offers them
 * @property {Named[]} snooze
 */
/** @returns {Promise<Words>} */
export const words = () => call("words");
/** @param {Group} group @param {number} offset @param {number} limit @returns {Promise<BuyerSummary[]>} */
export const listBuyers = (group, offset, limit) => call("list_buyers", { group, offset, limit });
/** @param {string} nick @returns {Promise<BuyerDetail>} */
export const buyerDetail = (nick) => call("buyer_detail", { nick });
/** @param {string} query @returns {Promise<BuyerSummary[]>} */
export const search = (query) => call("search", { query });
/** @returns {Promise<Applied>} */
export const loadDemo = () => call("load_demo");
/**
 * Note and tags in one save, naming the version they were read at: a newer save by someone
 * else is refused with code "conflict".
 * @param {string} nick @param {string} note @param {string[]} tags @param {number} read
 * @returns {Promise<BuyerDetail>}
 */
export const saveNote = (nick, note, tags, read) => invoke("save_note", { nick, note, tags, read });
/** @returns {Promise<Agenda>} */
export const agenda = () => call("agenda");
/** @returns {Promise<{at: Time, counts: AgendaCounts}>} */
export const agendaCounts = () => call("agenda_counts");
/** @param {string} nick @returns {Promise<FollowUp[]>} */
export const buyerFollowups = (nick) => call("buyer_followups", { nick });
/** @param {number} id @param {string} choice  15m, 1h or tomorrow @returns {Promise<FollowUp>} */
export const snoozeFollowup = (id, choice) => call("snooze_followup", { id, choice });
/** @param {number} id @returns {Promise<FollowUp>} */
export const doneFollowup = (id) => call("done_followup", { id });
/** @param {string} nick @param {string} kind @param {string | null} order @param {string} note @returns {Promise<FollowUp>} */
export const addFollowup = (nick, kind, order, note) => call("add_followup", { nick, kind, order, note });
/** @param {string[]} paths @param {boolean} skipBad @returns {Promise<ImportReport>} */
export const importFiles = (paths, skipBad) => invoke("import_files", { paths, skipBad });
/** @returns {Promise<void>} */
export const cancelImport = () => invoke("cancel_import");
/** @returns {Promise<string[]>} empty when the agent cancels the dialog */
export const pickExportFiles = () => call("pick_export_files");
/** @returns {Promise<Settings>} */
export const getSettings = () => invoke("get_settings");
/** @param {Settings} settings @returns {Promise<Settings>} */
export const saveSettings = (settings) => invoke("save_settings", { settings });
