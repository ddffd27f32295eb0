// kuaiji form: region suggestions, a photo check before upload, live countdowns.
// The form works without this script; nothing here sends personal data anywhere.
"use strict";

function debounce(fn, ms) {
  let timer;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

for (const input of document.querySelectorAll("input[data-regions]")) {
  const list = document.getElementById(input.getAttribute("list"));
  input.addEventListener("input", debounce(async () => {
    const q = input.value.trim();
    if (!q || q.length > 50) return;
    const answer = await fetch("/v1/regions?q=" + encodeURIComponent(q));
    if (!answer.ok) return;
    const places = await answer.json();
    list.replaceChildren(...places.slice(0, 12).map((p) => {
      const option = document.createElement("option");
      option.value = p.name;
      option.label = p.code;
      return option;
    }));
  }, 250));
}

const photo = document.getElementById("f-photo");
if (photo) {
  const out = document.getElementById("f-photo-check");
  photo.addEventListener("change", () => {
    out.textContent = "";
    const file = photo.files[0];
    if (!file) return;
    if (!["image/jpeg", "image/png"].includes(file.type)) {
      out.textContent = "照片应为 JPG 或 PNG 文件";
      return;
    }
    if (file.size < 10 * 1024) { out.textContent = "照片小于 10 KB，平台会拒收"; return; }
    if (file.size > 10 * 1024 * 1024) { out.textContent = "照片大于 10 MB，请换一张"; return; }
    const image = new Image();
    const url = URL.createObjectURL(file);
    image.onload = () => {
      URL.revokeObjectURL(url);
      out.textContent = image.naturalWidth < 295 || image.naturalHeight < 413
        ? `照片 ${image.naturalWidth}×${image.naturalHeight} 像素，小于 295×413，平台会拒收`
        : `照片 ${image.naturalWidth}×${image.naturalHeight} 像素，符合要求（提交后还会再检查）`;
    };
    image.onerror = () => { URL.revokeObjectURL(url); out.textContent = "无法读取这张照片"; };
    image.src = url;
  });
}

function countdown(deadline) {
  let minutes = Math.floor(Math.abs(deadline - Date.now()) / 60000);
  const past = deadline < Date.now();
  const days = Math.floor(minutes / 1440); minutes -= days * 1440;
  const hours = Math.floor(minutes / 60); minutes -= hours * 60;
  const text = days ? `${days} 天 ${hours} 小时` : hours ? `${hours} 小时 ${minutes} 分钟` : `${minutes} 分钟`;
  return (past ? "已过 " : "还剩 ") + text;
}

function tick() {
  for (const node of document.querySelectorAll(".countdown[data-deadline]")) {
    node.textContent = countdown(Date.parse(node.dataset.deadline));
  }
}
if (document.querySelector(".countdown[data-deadline]")) setInterval(tick, 30000);
