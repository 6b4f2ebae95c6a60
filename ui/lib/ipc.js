// @ts-check
// The window's one door to the Rust core. `withGlobalTauri` puts Tauri's API on
// window.__TAURI__ and only this module reads it. Every command the window uses is a
// function here, typed with what the core returns. Most go through `call`, which says a
// failure in the status line and rethrows; the forms and the import use `invoke` and show
// the failure beside what the agent typed.

import { say } from "./dom.js";

/**
 * @typedef {object} Tauri
 * @property {{invoke: (cmd: string, args?: object) => Promise<any>}} core
 * @property {{listen: (event: string, handler: (e: {payload: any}) => void) => Promise<() => void>}} event
 */
const tauri = /** @type {Tauri} */ (/** @type {any} */ (window).__TAURI__);

// What the core sends. Times are RFC 3339 strings in UTC; money is in fen.

/** @typedef {string} Time */
/** @typedef {{code: string, message: string}} IpcError */
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
/** @typedef {"main" | "supervisor" | "agent"} Role */
/** @typedef {"online" | "suspended" | "offline"} Presence */
/**
 * @typedef {object} Agent
 * @property {number} id
 * @property {string} name
 * @property {Role} role
 * @property {Presence} state  the state the agent chose
 * @property {boolean} in_routing
 * @property {number} max_load
 * @property {number} weight
 * @property {number} load
 * @property {Time} idle_since
 * @property {Time | null} last_seen
 * @property {Duty} duty  where the published schedule puts the agent now
 */
/** @typedef {"unscheduled" | "on_shift" | "off_shift"} Duty */
/** @typedef {Agent & {presence: Presence, takes_transfers: boolean}} TeamMember  takes_transfers: the core's rule of who may receive a transfer now */
/**
 * @typedef {object} Conversation
 * @property {number} id
 * @property {string} buyer_nick
 * @property {number} agent_id
 * @property {string} agent
 * @property {string} asked
 * @property {string} reason  who serves the buyer and why, as the core words it
 * @property {number} assigned_at
 * @property {number | null} opened_at
 */
/**
 * @typedef {object} Routed
 * @property {string} nick
 * @property {string | null} agent  null while the buyer waits in the queue
 * @property {number | null} conversation
 * @property {object} why
 * @property {string} reason
 */
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
/** @typedef {{steps: number, announced: number, notifications: number}} TimerSteps  what the follow-up loop has done since launch */

/**
 * What went wrong, for the agent. The database going away is said plainly in Chinese: the
 * action did not happen and what was typed is still there (the detail follows for support).
 * @param {unknown} e
 */
export function problem(e) {
  const err = /** @type {Partial<IpcError> | null} */ (e);
  const message = (err && err.message) || String(e);
  if (err && err.code === "unavailable") return `数据库连不上，这一步没有保存；已输入的内容还在，连上后再试一次。（${message}）`;
  if (err && err.code === "sign_in") return "账号或密码不对。";
  // The file and the line are in the message; the settings dialog can write a good file.
  if (err && err.code === "settings") return `设置文件有误，数据库没有打开：${message}`;
  // The message says how long is left ("try again in N s").
  if (err && err.code === "throttled") return `密码错误次数太多，请稍后再试。（${message}）`;
  return message;
}

/**
 * A command whose failure the caller shows.
 * @param {string} cmd
 * @param {object} [args]
 * @returns {Promise<any>}
 */
export const invoke = (cmd, args) => tauri.core.invoke(cmd, args);

/**
 * A command whose failure is said in the status line (and rethrown).
 * @param {string} cmd
 * @param {object} [args]
 * @returns {Promise<any>}
 */
export async function call(cmd, args) {
  try {
    return await invoke(cmd, args);
  } catch (e) {
    say(problem(e), true);
    throw e;
  }
}

/**
 * Listens to an event the core emits.
 * @param {string} event
 * @param {(payload: any) => void} handler
 */
export const listen = (event, handler) => tauri.event.listen(event, (e) => handler(e.payload));

// The commands.

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
/** @param {string} name @param {string} password @returns {Promise<Agent>} */
export const signIn = (name, password) => invoke("sign_in", { name, password });
/** @returns {Promise<Agent | null>} */
export const account = () => call("account");
/** @returns {Promise<TeamMember[]>} */
export const team = () => call("team");
/** @param {string | null} target  null: the agent signed in here @param {Presence} state @returns {Promise<Routed[]>} */
export const setState = (target, state) => call("set_state", { target, state });
/** @param {string} nick @param {string} asked @returns {Promise<Routed>} */
export const newInquiry = (nick, asked) => invoke("new_inquiry", { nick, asked });
/** @param {string} nick @param {string} to @param {string} note @returns {Promise<Routed>} */
export const transfer = (nick, to, note) => call("transfer", { nick, to, note });
/** @param {string} nick @returns {Promise<Routed[]>} */
export const closeConversation = (nick) => call("close_conversation", { nick });
/** @param {number} id @returns {Promise<void>} */
export const greet = (id) => call("greet", { id });
/** @param {boolean} all @returns {Promise<Conversation[]>} */
export const conversations = (all) => call("conversations", { all });
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

// Quick phrases (快捷短语). A set is "shop" or "personal".

/** @typedef {"shop" | "personal"} PhraseSet */
/**
 * @typedef {object} Phrase
 * @property {string} group
 * @property {string} code  unique within its set
 * @property {string} text  with {买家}-style variables and {?尺码}-style blanks
 */
/**
 * @typedef {object} PhraseBook
 * @property {PhraseSet} set
 * @property {number} version  sent back with an edit; refused if the set changed since
 * @property {Phrase[]} phrases  in their order
 */
/** @typedef {{shop: PhraseBook, personal: PhraseBook, may_edit_shop: boolean}} PhraseSets */
/**
 * @typedef {object} PhraseHit
 * @property {PhraseSet} set
 * @property {"code" | "code_prefix" | "initials" | "text"} how
 * @property {string} group
 * @property {string} code
 * @property {string} text
 * @property {string | null} filled  the text to paste, when nothing is missing
 * @property {{vars: string[], asks: string[]}} missing  variables without a value here; blanks to ask for
 */
/** @typedef {{set: PhraseSet, code: string, answers: Record<string, string>}} PhrasePart */
/**
 * @typedef {object} PhraseImport
 * @property {number} rows
 * @property {number} added
 * @property {number} replaced
 * @property {number} kept
 * @property {number} rejected
 * @property {boolean} written
 * @property {Problem[]} problems
 */
/**
 * @typedef {{op: "add", phrase: Phrase} | {op: "insert" | "edit", at: number, phrase: Phrase}
 *   | {op: "delete" | "up" | "down", at: number} | {op: "to_group", at: number, group: string}} PhraseEdit
 */

/** @returns {Promise<PhraseSets>} */
export const phraseSets = () => call("phrase_sets");
/** @param {string} query @param {string | null} buyer @param {string | null} order @returns {Promise<PhraseHit[]>} */
export const findPhrases = (query, buyer, order) => invoke("find_phrases", { query, buyer, order });
/** @param {PhrasePart[]} parts @param {string | null} buyer @param {string | null} order @returns {Promise<string>} the text now on the clipboard */
export const copyPhrases = (parts, buyer, order) => invoke("copy_phrases", { parts, buyer, order });
/** @param {PhraseSet} set @param {number} version @param {PhraseEdit} edit @returns {Promise<PhraseBook>} */
export const editPhrases = (set, version, edit) => invoke("edit_phrases", { set, version, edit });
/** @returns {Promise<string | null>} */
export const pickPhraseFile = () => call("pick_phrase_file");
/** @param {string} path @param {PhraseSet} set @param {"keep" | "replace" | null} merge @param {boolean} skipBad @returns {Promise<PhraseImport>} */
export const importPhrases = (path, set, merge, skipBad) => invoke("import_phrases", { path, set, merge, skipBad });
/** @param {PhraseSet | "both"} set @returns {Promise<string | null>} the file written, or null when cancelled */
export const exportPhrases = (set) => invoke("export_phrases", { set });

// 绩效. Money in fen, rates as fractions, times in seconds; null where nothing was counted.

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
