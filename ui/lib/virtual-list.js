// @ts-check
// A list of fixed-height rows where only the rows in view (plus a margin) exist in the
// DOM, so a group of hundreds of thousands of buyers scrolls like a group of ten.

/**
 * @template T
 * @typedef {object} VirtualListOptions
 * @property {HTMLElement} scroller  the scrolling box
 * @property {HTMLElement} rows  the box inside it that holds the rows
 * @property {number} rowHeight  in pixels, as in the style sheet
 * @property {() => number} count  how many rows the list has
 * @property {(i: number) => T | undefined | Promise<T | undefined>} itemAt
 * @property {(item: T, i: number) => HTMLElement} row  a new row showing the item
 */

/** @template T */
export class VirtualList {
  /** @param {VirtualListOptions<T>} options */
  constructor(options) {
    this.o = options;
    this.margin = 5;
    /** Only the latest render lands: an older one still waiting for its items is dropped. */
    this.token = 0;
  }

  async render() {
    const token = ++this.token;
    const { scroller, rows, rowHeight, count, itemAt, row } = this.o;
    const total = count();
    rows.style.height = total * rowHeight + "px";
    const first = Math.max(0, Math.floor(scroller.scrollTop / rowHeight) - this.margin);
    const last = Math.min(total, Math.ceil((scroller.scrollTop + scroller.clientHeight) / rowHeight) + this.margin);
    const wanted = [];
    for (let i = first; i < last; i++) wanted.push(itemAt(i));
    let items;
    try { items = await Promise.all(wanted); } catch { return; }
    if (token !== this.token) return;
    const frag = document.createDocumentFragment();
    items.forEach((item, k) => {
      if (!item) return;
      const i = first + k;
      const r = row(item, i);
      r.style.top = i * rowHeight + "px";
      r.dataset.index = String(i);
      frag.appendChild(r);
    });
    rows.replaceChildren(frag);
  }

  /**
   * Scrolls just enough for row `i` to be in view.
   * @param {number} i
   */
  reveal(i) {
    const { scroller, rowHeight } = this.o;
    const top = i * rowHeight;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight > scroller.scrollTop + scroller.clientHeight) scroller.scrollTop = top + rowHeight - scroller.clientHeight;
  }

  toTop() {
    this.o.scroller.scrollTop = 0;
  }
}
