// @ts-check
// Quick phrases (快捷短语). A set is "shop" or "personal".

import { call, invoke } from "./door.js";

/** @typedef {import("./workbench.js").Problem} Problem */

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
