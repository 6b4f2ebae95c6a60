// @ts-check
// DOM helpers. Buyer text (nicks, messages, addresses, remarks, notes) is hostile: it is
// only ever set with textContent, as a form field's value or as a text node, never as
// HTML. `el` is how the views make elements.

/**
 * The element with this id (every id the views use is in index.html or made by a view).
 * @param {string} id
 * @returns {HTMLElement}
 */
export function $(id) {
  return /** @type {HTMLElement} */ (document.getElementById(id));
}

/**
 * A form field by id.
 * @param {string} id
 * @returns {HTMLInputElement}
 */
export const field = (id) => /** @type {HTMLInputElement} */ ($(id));

/**
 * A new element, with a class and text (as text, never as HTML).
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {string | null} [cls]
 * @param {unknown} [text]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

/**
 * Says something in the header's status line.
 * @param {string} [message]
 * @param {boolean} [isError]
 */
export function say(message, isError) {
  const s = $("status");
  s.textContent = message || "";
  s.classList.toggle("error", !!isError);
}
