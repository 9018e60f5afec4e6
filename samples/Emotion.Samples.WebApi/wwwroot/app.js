// The page of the emotion web service: sends a photo to POST /predict as the raw body and draws each face's box in its
// category's colour. No build step, no dependencies. For tests and tools, the page exposes its state on <body data-state>
// (idle, busy, done, error), the boxes it drew on <canvas data-boxes> (image pixels, JSON) and the server's answer on
// <canvas data-result>.
"use strict";

const $ = (id) => document.getElementById(id);
const canvas = $("canvas"), statusLine = $("status"), faceList = $("faces");
const LINE_CSS_PX = 3; // box outline width on screen, whatever the photo's size

fetch("/health").then((r) => r.json()).then((h) => {
  const m = h.model || {};
  $("model").textContent = `Model ${m.model} (${m.inputSize} face crops; ${(m.categories || []).join(", ")}); status ${h.status}.`;
}).catch(() => { $("model").textContent = "The service's /health did not answer."; });

function setState(state, message) {
  document.body.dataset.state = state;
  statusLine.textContent = message || "";
  statusLine.className = state === "error" ? "error" : "";
}

async function analyse(file) {
  if (!file) return;
  setState("busy", `Analysing ${file.name} (${(file.size / 1024).toFixed(0)} KiB)…`);
  faceList.replaceChildren();
  delete canvas.dataset.boxes;
  delete canvas.dataset.result;
  let response, body;
  try {
    response = await fetch("/predict", { method: "POST", headers: { "Content-Type": file.type || "application/octet-stream" }, body: file });
    body = await response.json();
  } catch (e) {
    setState("error", `The request failed: ${e.message}`);
    return;
  }
  if (!response.ok) {
    setState("error", `${response.status}: ${body.error || response.statusText}`);
    return;
  }
  let bitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (e) {
    setState("error", `The server read the photo but this browser cannot display it (${e.message}).`);
    return;
  }
  draw(bitmap, body);
  showFaces(body);
  showNotes(body);
  const n = body.faces.length;
  setState("done", `${n} face${n === 1 ? "" : "s"} found in ${body.image.width} x ${body.image.height} ${body.image.format} (${body.elapsedMs} ms on the server).`);
}

function draw(bitmap, result) {
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(bitmap, 0, 0);
  // Canvas pixels per CSS pixel, once the canvas is laid out at its displayed size.
  const scale = bitmap.width / Math.max(1, canvas.getBoundingClientRect().width);
  const drawn = [];
  ctx.lineWidth = LINE_CSS_PX * scale;
  ctx.font = `${Math.round(14 * scale)}px system-ui, sans-serif`;
  ctx.textBaseline = "bottom";
  result.faces.forEach((face, i) => {
    const b = face.box;
    ctx.strokeStyle = face.color;
    ctx.strokeRect(b.x, b.y, b.width, b.height);
    const label = `${i + 1}. ${face.category ?? "face"}${face.confidence != null ? " " + (100 * face.confidence).toFixed(0) + " %" : ""}`;
    const w = ctx.measureText(label).width + 8 * scale, h = 18 * scale;
    const top = b.y - ctx.lineWidth / 2 - h >= 0 ? b.y - ctx.lineWidth / 2 - h : b.y + b.height + ctx.lineWidth / 2;
    ctx.fillStyle = face.color;
    ctx.fillRect(b.x - ctx.lineWidth / 2, top, w, h);
    ctx.fillStyle = "#fff";
    ctx.fillText(label, b.x - ctx.lineWidth / 2 + 4 * scale, top + h - 2 * scale);
    drawn.push({ x: b.x, y: b.y, width: b.width, height: b.height, color: face.color, category: face.category });
  });
  canvas.dataset.boxes = JSON.stringify(drawn);
  canvas.dataset.result = JSON.stringify(result);
}

function showFaces(result) {
  result.faces.forEach((face, i) => {
    const card = document.createElement("article");
    card.className = "face";
    card.style.setProperty("--c", face.color);
    const title = document.createElement("h2");
    title.textContent = `Face ${i + 1}: ${face.category ?? "(no categories)"}` +
      (face.confidence != null ? ` ${(100 * face.confidence).toFixed(1)} %` : "") + ` (detector score ${face.score.toFixed(2)})`;
    card.append(title);
    const bars = document.createElement("div");
    bars.className = "bars";
    for (const p of face.probabilities) {
      const name = document.createElement("span"), bar = document.createElement("span"), value = document.createElement("span");
      name.textContent = p.category;
      bar.className = "bar";
      const fill = document.createElement("i");
      fill.style.width = `${(100 * p.probability).toFixed(1)}%`;
      bar.append(fill);
      value.textContent = `${(100 * p.probability).toFixed(1)} %`;
      bars.append(name, bar, value);
    }
    card.append(bars);
    if (face.valence != null && face.arousal != null) card.append(vaPlane(face, result.valenceArousal));
    faceList.append(card);
  });
}

// The valence (x) / arousal (y) plane, both in [-1, 1], with the face's point.
function vaPlane(face, source) {
  const box = document.createElement("div");
  box.className = "va";
  const plane = document.createElement("canvas");
  plane.width = plane.height = 90;
  plane.title = "valence (x, -1 to 1) and arousal (y, -1 to 1)";
  const c = plane.getContext("2d");
  c.strokeStyle = "#bbb";
  c.beginPath(); c.moveTo(45, 0); c.lineTo(45, 90); c.moveTo(0, 45); c.lineTo(90, 45); c.stroke();
  c.fillStyle = "#888";
  c.font = "9px system-ui, sans-serif";
  c.fillText("valence", 52, 56);
  c.fillText("arousal", 48, 9);
  c.fillStyle = face.color;
  c.beginPath(); c.arc(45 + 42 * face.valence, 45 - 42 * face.arousal, 5, 0, 2 * Math.PI); c.fill();
  const text = document.createElement("div");
  text.textContent = `valence ${face.valence.toFixed(2)}, arousal ${face.arousal.toFixed(2)}` +
    (source === "estimated-from-categories" ? " (estimated from the category probabilities)" : "");
  box.append(plane, text);
  return box;
}

function showNotes(result) {
  const gradcam = $("gradcam");
  gradcam.hidden = false;
  gradcam.textContent = result.gradCam.available ? "" : `Grad-CAM overlay: not available here. ${result.gradCam.reason}`;
  const va = $("va-note");
  va.hidden = result.valenceArousal !== "estimated-from-categories";
  va.textContent = "Valence and arousal are not outputs of this model: they are estimated from the category probabilities, as the " +
    "expected position of the category mix on the circumplex (Russell and Mehrabian 1977), and say where the mix lies, not a measured intensity.";
}

$("file").addEventListener("change", (e) => analyse(e.target.files[0]));
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => {
  e.preventDefault();
  drop.classList.remove("over");
  analyse(e.dataTransfer.files[0]);
});
