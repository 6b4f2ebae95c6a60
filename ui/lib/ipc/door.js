// @ts-check
// The door to the Rust core. `withGlobalTauri` puts Tauri's API on window.__TAURI__ and
// only this module reads it. Most commands go through `call`, which says a failure in the
// status line and rethrows; the forms and the import use `invoke` and show the failure
// beside what the agent typed.

import { say } from "../dom.js";

/**
 * @typedef {object} Tauri
 * @property {{invoke: (cmd: string, args?: object) => Promise<any>}} core
 * @property {{listen: (event: string, handler: (e: {payload: any}) => void) => Promise<() => void>}} event
 */
const tauri = /** @type {Tauri} */ (/** @type {any} */ (window).__TAURI__);

// What every answer shares. Times are RFC 3339 strings in UTC; money is in fen.

/** @typedef {string} Time */
/** @typedef {{code: string, message: string}} IpcError */

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
