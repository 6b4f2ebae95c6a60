// @ts-check
// The team: accounts, presence, routing, conversations and transfers.

import { call, invoke } from "./door.js";

/** @typedef {import("./door.js").Time} Time */

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
