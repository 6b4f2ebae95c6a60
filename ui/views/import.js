// @ts-check
// Importing order exports: from the file dialog (Ctrl+O), the welcome card or files
// dropped on the window. All or nothing unless the agent asks for the good rows only.

import { $, el } from "../lib/dom.js";
import * as ipc from "../lib/ipc.js";
import { refreshOverview } from "./overview.js";

/** @typedef {import("../lib/ipc.js").ImportReport} ImportReport */
/** @typedef {import("../lib/ipc.js").ImportProgress} ImportProgress */

const bar = () => /** @type {HTMLProgressElement} */ ($("import-progress"));

/** @type {string[] | null} */
let lastImport = null;

/**
 * @param {string[] | null | undefined} paths
 * @param {boolean} skipBad  write the good rows even when some are rejected
 */
export async function runImport(paths, skipBad) {
  if (!paths || paths.length === 0) return;
  lastImport = paths;
  $("welcome").hidden = true;
  $("import-panel").hidden = false;
  $("import-title").textContent = "正在导入…";
  $("import-summary").textContent = paths.join("\n");
  $("import-problems").replaceChildren();
  bar().value = 0;
  $("import-cancel").hidden = false;
  $("import-skip").hidden = true;
  $("import-close").hidden = true;
  /** @type {ImportReport} */
  let report;
  try {
    report = await ipc.importFiles(paths, !!skipBad);
  } catch (e) {
    const err = /** @type {Partial<import("../lib/ipc.js").IpcError> | null} */ (e);
    $("import-title").textContent = err && err.code === "cancelled" ? "已取消，没有写入任何数据" : "无法导入";
    $("import-summary").textContent = ipc.problem(e);
    $("import-cancel").hidden = true;
    $("import-close").hidden = false;
    $("import-close").focus();
    return;
  }
  bar().value = 1;
  $("import-cancel").hidden = true;
  $("import-close").hidden = false;
  if (report.written) {
    $("import-title").textContent = "导入完成";
    $("import-summary").textContent = `读取 ${report.rows} 行：新增 ${report.new}，更新 ${report.updated}，未变 ${report.unchanged}，拒绝 ${report.rejected}` +
      (report.items || report.items_skipped ? `；商品明细 ${report.items} 条` : "");
  } else {
    $("import-title").textContent = `有 ${report.rejected} 行无法导入，没有写入任何数据`;
    $("import-summary").textContent = "请修正下列问题后重新导入，或只导入正确的行：";
    $("import-skip").hidden = false;
  }
  const items = report.problems.map((p) => {
    const li = el("li");
    li.append(el("span", "where", `${p.file.split("/").pop()} 第 ${p.line} 行${p.column ? ` ·「${p.column}」` : ""}`), document.createTextNode(`：${p.reason}${p.value ? `（${p.value}）` : ""}`));
    return li;
  });
  // The core keeps the first thousand problems and counts the rest.
  const unlisted = report.rejected - report.problems.length;
  if (unlisted > 0) items.push(el("li", "more", `另有 ${unlisted} 行有问题，未列出`));
  $("import-problems").replaceChildren(...items);
  $(report.written ? "import-close" : "import-skip").focus();
}

export async function pickAndImport() {
  const paths = await ipc.pickExportFiles();
  await runImport(paths, false);
}

/** @param {ImportProgress} p */
export function showProgress(p) {
  bar().value = p.total ? p.done / p.total : 0;
  $("import-title").textContent = p.stage === "read" ? "正在读取文件…" : `正在写入 ${p.done} / ${p.total}`;
}

export function wireImport() {
  $("import").addEventListener("click", pickAndImport);
  $("welcome-import").addEventListener("click", pickAndImport);
  $("import-cancel").addEventListener("click", () => ipc.cancelImport());
  $("import-skip").addEventListener("click", () => runImport(lastImport, true));
  $("import-close").addEventListener("click", () => { $("import-panel").hidden = true; refreshOverview(); });
}
