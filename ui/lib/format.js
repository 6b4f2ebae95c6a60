// @ts-check
// How times and money read in the window. Times left ("还剩 3 小时") run on the app clock:
// the core sends its time (`at`) with the overview and the agenda, and the window keeps
// how far that clock is from its own, so that a replayed day (KEFU_CLOCK_START) reads the
// same in the window as in the core.

const shopFmt = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hour12: false,
});

/** @param {string | null | undefined} iso */
export const fmtTime = (iso) => (iso ? shopFmt.format(new Date(iso)) : "");

/** @param {number} fen */
export const yuan = (fen) => (fen / 100).toFixed(2);

/** The app clock minus the window's clock, in milliseconds; the one place that holds it. */
let skew = 0;

/**
 * Takes the app clock's time as the core sent it, just received.
 * @param {string | null | undefined} at
 */
export function syncClock(at) {
  const t = at ? Date.parse(at) : NaN;
  if (!Number.isNaN(t)) skew = t - Date.now();
}

/** The app clock now, in milliseconds since the epoch. */
export const appNow = () => Date.now() + skew;

/**
 * The time left until an unpaid order auto-closes, and how urgent that is.
 * @param {string} iso
 * @returns {[string, "urgent" | "soon" | ""]}
 */
export function timeLeft(iso) {
  const ms = new Date(iso).getTime() - appNow();
  if (ms <= 0) return ["已到自动关闭时间", "urgent"];
  const h = Math.floor(ms / 3600000), m = Math.floor((ms % 3600000) / 60000);
  const text = h >= 24 ? `还剩 ${Math.floor(h / 24)} 天 ${h % 24} 小时自动关闭` : h > 0 ? `还剩 ${h} 小时 ${m} 分自动关闭` : `还剩 ${m} 分钟自动关闭`;
  return [text, h < 3 ? "urgent" : h < 12 ? "soon" : ""];
}
