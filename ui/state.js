// @ts-check
// What the window shows and knows, shared by the views: one object, changed in place.

/** @typedef {import("./lib/ipc.js").Group} Group */
/** @typedef {Group | "agenda" | "team" | "schedule" | "phrases" | "kpi"} ListName */
/** @typedef {import("./lib/ipc.js").BuyerSummary} BuyerSummary */
/** @typedef {import("./lib/ipc.js").FollowUp} FollowUp */
/** @typedef {import("./lib/ipc.js").TeamMember} TeamMember */

/** The buyer groups, in the order of keys 1–4. @type {Group[]} */
export const GROUPS = ["inquiry", "order", "shipped", "closed"];

/**
 * @typedef {object} State
 * @property {ListName} group  the list shown in the middle column
 * @property {Partial<Record<Group, number>>} counts
 * @property {Map<number, Promise<BuyerSummary[]>>} pages  a group's buyers, page by page, as fetched
 * @property {number} total  rows in the list shown
 * @property {number} selected  the selected row, or -1
 * @property {BuyerSummary[] | null} searchHits  while a search is shown
 * @property {string | null} detailNick  the buyer in the right-hand panel
 * @property {FollowUp[]} agenda  in the order shown
 * @property {TeamMember[]} team
 * @property {import("./lib/ipc.js").Agent | null} me  the account signed in here
 * @property {import("./lib/ipc.js").Conversation[]} open  every open conversation
 * @property {boolean} welcomeOffered  the demo shop was offered once already
 * @property {import("./lib/ipc.js").TimerSteps | null} timer  the follow-up loop's latest step
 * @property {Map<string, import("./lib/ipc.js").Adherence>} adherence  by agent, for supervisors
 */

/** @type {State} */
export const state = {
  group: "order", counts: {}, pages: new Map(), total: 0, selected: -1, searchHits: null, detailNick: null,
  agenda: [], team: [], me: null, open: [], welcomeOffered: false, timer: null, adherence: new Map(),
};
