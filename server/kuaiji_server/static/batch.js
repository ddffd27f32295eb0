// kuaiji batch page: send the spreadsheet to /v1/batch and show the progress as results
// stream back; then offer them as a CSV file. Without this script the form posts and the
// server answers with the whole CSV.
"use strict";

const form = document.getElementById("batch");
const progress = document.getElementById("b-progress");
const download = document.getElementById("b-download");
const TYPES = { ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".csv": "text/csv", ".jsonl": "application/x-ndjson" };

form.addEventListener("submit", async (event) => {
  const file = document.getElementById("b-file").files[0];
  if (!file) return;
  const suffix = file.name.slice(file.name.lastIndexOf(".")).toLowerCase();
  if (!TYPES[suffix]) return;  // the server explains what it accepts
  event.preventDefault();
  const query = new URLSearchParams({ exam: form.exam.value, year: form.year.value, format: "csv" });
  progress.textContent = "正在上传……";
  download.replaceChildren();
  const answer = await fetch("/v1/batch?" + query, { method: "POST", headers: { "Content-Type": TYPES[suffix] }, body: file });
  if (!answer.ok) {
    const problem = await answer.json().catch(() => ({}));
    progress.textContent = "无法检查：" + (problem.detail || problem.title || answer.status);
    return;
  }
  const reader = answer.body.getReader();
  const decoder = new TextDecoder();
  const parts = [];
  let rows = -1;  // the first line is the header
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const text = decoder.decode(value, { stream: true });
    parts.push(text);
    rows += (text.match(/\r\n/g) || []).length;
    progress.textContent = `已检查 ${Math.max(rows, 0)} 条……`;
  }
  progress.textContent = `完成：共 ${Math.max(rows, 0)} 条`;
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob(parts, { type: "text/csv;charset=utf-8" }));
  link.download = "kuaiji-results.csv";
  link.id = "b-result";
  link.textContent = `下载结果（${Math.max(rows, 0)} 条，CSV）`;
  download.replaceChildren(link);
});
