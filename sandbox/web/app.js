// The sandbox web chat. Vanilla JS, no build step: it long-polls the emulator's
// /sandbox/api/personas/<id>/chat for the chat as it stands and sends every action through
// the same simulated user a test would use. Text from the bot arrives as `html` already
// escaped and reduced to Telegram's formatting subset by the server; everything else is put
// into the page with textContent only.
"use strict";

const api = "/sandbox/api";
const $ = (id) => document.getElementById(id);
const state = {
  personas: [],
  current: null, // persona id
  poll: null, // AbortController of the running poll
  nodes: new Map(), // message id -> {el, rev}
  since: null,
  bot: null, // the bot's User (its username starts inline queries)
  commands: [], // the / menu the bot published for this user's scope
  menuButton: "default",
  webAppMenu: null, // {text, url} when the bot's menu button opens a Mini App
  inlineSeq: 0, // the newest inline query typed; older answers are dropped
  inlineTimer: null,
};

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function toast(text, kind) {
  const box = $("toast");
  box.textContent = text;
  box.className = "toast" + (kind ? " " + kind : "");
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, kind === "alert" ? 6000 : 3000);
}

async function call(path, options) {
  const response = await fetch(api + path, options);
  let body;
  try {
    body = await response.json();
  } catch (_) {
    body = { ok: false, error: "HTTP " + response.status };
  }
  if (!body.ok) throw new Error(body.error || "HTTP " + response.status);
  return body;
}

function post(action, payload) {
  return call(`/personas/${state.current}/${action}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(payload || {}),
  });
}

function upload(action, file, fields) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields || {})) form.append(key, value);
  form.append("file", file, file.name || action);
  return call(`/personas/${state.current}/${action}`, { method: "POST", body: form });
}

async function run(promise) {
  try {
    return await promise;
  } catch (error) {
    toast(error.message, "error");
    return null;
  }
}

// --- personas ------------------------------------------------------------------------------
function initials(name) {
  return name.split(/\s+/).map((w) => w[0] || "").join("").slice(0, 2).toUpperCase();
}

async function loadPersonas() {
  const body = await call("/personas");
  state.personas = body.personas;
  state.bot = body.bot;
  $("bot-name").textContent = body.bot.first_name;
  $("bot-avatar").textContent = initials(body.bot.first_name);
  const list = $("personas");
  list.replaceChildren();
  $("no-personas").hidden = body.personas.length > 0;
  for (const persona of body.personas) {
    const item = el("li", "persona");
    item.dataset.personaId = String(persona.id);
    item.tabIndex = 0;
    const avatar = el("div", "avatar " + persona.role_label, initials(persona.first_name));
    const who = el("div", "who");
    const name = el("span", "name", persona.first_name);
    name.append(el("span", "role", persona.role_label));
    who.append(name, el("span", "meta", `id ${persona.id}`));
    item.append(avatar, who);
    item.addEventListener("click", () => choose(persona.id));
    item.addEventListener("keydown", (e) => { if (e.key === "Enter") choose(persona.id); });
    list.append(item);
  }
  const wanted = Number(location.hash.slice(1));
  if (body.personas.some((p) => p.id === wanted)) choose(wanted);
  else if (body.personas.length === 1) choose(body.personas[0].id);
  else if (phone()) openDrawer(true); // nobody chosen yet: show who one can be
}

// --- the persona drawer (phone width) ------------------------------------------------------
function phone() {
  return window.matchMedia("(max-width: 640px)").matches;
}

function openDrawer(open) {
  document.querySelector(".app").classList.toggle("drawer-open", open);
  $("drawer-button").setAttribute("aria-expanded", String(open));
}

$("drawer-button").addEventListener("click", () => {
  openDrawer(!document.querySelector(".app").classList.contains("drawer-open"));
});
$("drawer-backdrop").addEventListener("click", () => openDrawer(false));

// The chat header: who you are, short enough for a phone; the Telegram id is in its tooltip.
function showSubtitle(persona, id, blocked) {
  const subtitle = $("chat-subtitle");
  subtitle.title = `Telegram user id ${id}`;
  if (!persona) subtitle.textContent = `you are user ${id}`;
  else if (blocked) subtitle.textContent = `you are ${persona.first_name}: you blocked the bot`;
  else subtitle.textContent = `you are ${persona.first_name} · ${persona.role_label}`;
}

function choose(id) {
  openDrawer(false);
  if (state.current === id) return;
  state.current = id;
  history.replaceState(null, "", "#" + id);
  for (const item of document.querySelectorAll(".persona")) {
    item.classList.toggle("selected", Number(item.dataset.personaId) === id);
  }
  const persona = state.personas.find((p) => p.id === id);
  showSubtitle(persona, id, false);
  for (const control of ["text", "send", "record", "attach-button"]) $(control).disabled = false;
  closePopups();
  closeMiniApp();
  state.commands = [];
  $("messages").replaceChildren();
  state.nodes.clear();
  state.since = null;
  if (state.poll) state.poll.abort();
  poll(id);
  $("text").focus();
}

// --- the chat, long-polled -------------------------------------------------------------------
async function poll(id) {
  const controller = new AbortController();
  state.poll = controller;
  let failures = 0;
  while (state.current === id && !controller.signal.aborted) {
    const query = state.since === null ? "" : `?since=${encodeURIComponent(state.since)}&wait=25`;
    try {
      const body = await call(`/personas/${id}/chat${query}`, { signal: controller.signal });
      if (state.current !== id) return;
      failures = 0;
      state.since = body.since;
      render(body);
    } catch (error) {
      if (controller.signal.aborted) return;
      failures += 1;
      $("chat-subtitle").textContent = "reconnecting…";
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * failures)));
    }
  }
}

function render(snapshot) {
  const box = $("messages");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  const seen = new Set();
  let previous = null;
  let added = false;
  for (const message of snapshot.messages) {
    seen.add(message.id);
    let entry = state.nodes.get(message.id);
    if (!entry) {
      entry = { el: el("div"), rev: null };
      state.nodes.set(message.id, entry);
      added = true;
    }
    if (entry.rev !== message.rev) {
      const edited = entry.rev !== null;
      fill(entry.el, message); // in place: the same element keeps its position
      entry.rev = message.rev;
      if (edited) {
        entry.el.classList.remove("flash");
        void entry.el.offsetWidth;
        entry.el.classList.add("flash");
      }
    }
    const expected = previous ? previous.nextSibling : box.firstChild;
    if (expected !== entry.el) box.insertBefore(entry.el, expected);
    previous = entry.el;
  }
  for (const [id, entry] of state.nodes) {
    if (!seen.has(id)) {
      entry.el.remove();
      state.nodes.delete(id);
    }
  }
  renderKeyboard(snapshot.keyboard);
  renderCommands(snapshot.commands || [], snapshot.menu_button || "default", snapshot.web_app_menu || null);
  renderViolations(snapshot.violations);
  const persona = state.personas.find((p) => p.id === state.current);
  if (persona) showSubtitle(persona, persona.id, snapshot.blocked);
  if (added || atBottom) box.scrollTop = box.scrollHeight;
}

// A picture arrives after its message was placed and makes it taller: a chat that was
// showing the newest message keeps showing it (product cards' buttons were left below the fold).
function keepFollowing(event) {
  const box = $("messages");
  const grown = event.target.clientHeight;
  if (box.scrollHeight - box.scrollTop - box.clientHeight - grown < 80) box.scrollTop = box.scrollHeight;
}

function time(seconds) {
  return new Date(seconds * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function fill(node, message) {
  node.className = "msg " + (message.outgoing ? "out" : "in");
  node.dataset.messageId = String(message.id);
  node.dataset.edited = String(message.edited);
  node.replaceChildren();
  if (message.payment) {
    node.className = "msg service";
    node.classList.add("payment");
    node.textContent = `Payment successful: ${message.payment.amount}`;
    node.title = message.payment.charge;
    return;
  }
  const bubble = el("div", "bubble");
  if (message.forwarded) bubble.append(el("div", "via", `Forwarded from ${message.forwarded}`));
  if (message.via) bubble.append(el("div", "via", `via ${message.via}`));
  if (message.reply_to) bubble.append(el("div", "reply-to", message.reply_to.preview));
  if (message.photo) {
    const img = el("img", "photo");
    img.addEventListener("load", keepFollowing);
    img.src = message.photo.url;
    img.alt = "photo";
    if (message.photo.width) img.width = Math.min(message.photo.width, 420);
    bubble.append(img);
  }
  if (message.voice) {
    const box = el("div", "voice");
    const audio = el("audio");
    audio.controls = true;
    audio.preload = "none";
    audio.src = message.voice.url;
    box.append(audio, el("span", "muted small", ` ${message.voice.duration} s`));
    bubble.append(box);
  }
  if (message.document) {
    const box = el("div", "document");
    const link = el("a", null, `Document: ${message.document.file_name}`);
    link.href = message.document.url;
    link.download = message.document.file_name;
    box.append(link);
    bubble.append(box);
  }
  if (message.contact) {
    bubble.append(el("div", "contact", `Contact: ${message.contact.first_name}, ${message.contact.phone_number}`));
  }
  if (message.invoice) {
    const inv = message.invoice;
    const box = el("div", "invoice");
    box.append(el("div", "invoice-title", inv.title), el("div", "muted", inv.description));
    box.append(el("div", "amount", inv.amount));
    if (inv.paid) {
      box.append(el("div", "paid-badge", "Paid"));
    } else if (inv.payable && !message.outgoing) {
      const pay = el("button", "pay-button", `Pay ${inv.amount}`);
      pay.type = "button";
      pay.addEventListener("click", () => openPay(message));
      box.append(pay);
    }
    bubble.append(box);
  }
  if (message.notice) bubble.append(el("div", "notice", message.notice));
  if (message.html !== undefined) {
    const body = el("div", "body");
    body.innerHTML = message.html; // escaped and reduced to b i u s code pre a span blockquote
    for (const spoiler of body.querySelectorAll(".spoiler")) {
      spoiler.addEventListener("click", () => spoiler.classList.add("revealed"));
    }
    bubble.append(body);
  }
  if (message.reactions) bubble.append(el("div", "reactions", message.reactions.join(" ")));
  bubble.append(el("div", "meta-line", (message.edited ? "edited " : "") + time(message.date)));
  node.append(bubble);
  if (message.buttons) node.append(inlineKeyboard(message));
}

function inlineKeyboard(message) {
  const keyboard = el("div", "inline-keyboard");
  for (const row of message.buttons) {
    const line = el("div", "kb-row");
    for (const button of row) {
      let control;
      if (button.kind === "web_app" || (button.kind === "url" && appLink(button.url))) {
        control = el("button", "kb-button web-app", button.text);
        control.type = "button";
        control.dataset.kind = "web_app";
        control.dataset.url = button.url || "";
        const request = button.kind === "web_app"
          ? { source: "button", message_id: message.id, index: button.index }
          : { source: "link", url: button.url };
        control.addEventListener("click", () => openMiniApp(request));
      } else if (button.kind === "url" && button.url) {
        control = el("a", "kb-button", button.text + " ↗");
        control.href = button.url;
        control.target = "_blank";
        control.rel = "noopener noreferrer";
      } else {
        control = el("button", "kb-button", button.text);
        control.type = "button";
        if (button.kind === "callback") {
          control.addEventListener("click", () => clickButton(message.id, button.index, control));
        } else {
          control.disabled = true;
          control.title = "not supported by the sandbox";
        }
      }
      control.dataset.index = String(button.index);
      line.append(control);
    }
    keyboard.append(line);
  }
  return keyboard;
}

async function clickButton(messageId, index, control) {
  control.classList.add("busy");
  const body = await run(post("click", { message_id: messageId, index }));
  control.classList.remove("busy");
  if (!body) return;
  const answer = body.answer;
  if (answer.url) window.open(answer.url, "_blank", "noopener");
  if (answer.text) toast(answer.text, answer.show_alert ? "alert" : "");
}

function renderKeyboard(keyboard) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  box.hidden = !keyboard;
  $("text").placeholder = (keyboard && keyboard.placeholder) || "Message";
  if (!keyboard) return;
  for (const row of keyboard.rows) {
    const line = el("div", "kb-row");
    for (const button of row) {
      const control = el("button", "kb-button", button.request_contact ? `${button.text} (shares your phone)` : button.text);
      control.type = "button";
      if (button.web_app) {
        control.dataset.kind = "web_app";
        control.dataset.url = button.web_app;
        control.addEventListener("click", () => openMiniApp({ source: "keyboard", text: button.text }));
      } else {
        control.addEventListener("click", () => run(post("press", { text: button.text })));
      }
      line.append(control);
    }
    box.append(line);
  }
}

function renderViolations(violations) {
  $("violations").hidden = violations.length === 0;
  const list = $("violation-list");
  list.replaceChildren(...violations.map((v) => el("li", null, v)));
}

// --- the "/" command menu and inline mode --------------------------------------------------
function closePopups() {
  $("command-menu").hidden = true;
  $("inline-results").hidden = true;
  clearTimeout(state.inlineTimer);
  state.inlineSeq += 1;
}

function renderCommands(commands, menuButton, webAppMenu) {
  state.commands = commands;
  state.menuButton = menuButton;
  state.webAppMenu = webAppMenu;
  // Telegram's menu button lists the commands, or opens the Mini App the bot set on it
  const button = $("menu-button");
  button.textContent = webAppMenu ? webAppMenu.text : "Menu";
  button.classList.toggle("web-app", Boolean(webAppMenu));
  button.dataset.kind = webAppMenu ? "web_app" : "commands";
  button.hidden = !webAppMenu && (commands.length === 0 || menuButton === "web_app");
  if (!$("command-menu").hidden) showCommands(commandPrefix());
}

function commandPrefix() {
  const text = $("text").value;
  return /^\/\w*$/.test(text) ? text.slice(1).toLowerCase() : "";
}

function showCommands(prefix) {
  const menu = $("command-menu");
  const shown = state.commands.filter((c) => c.command.startsWith(prefix));
  menu.replaceChildren();
  for (const command of shown) {
    const item = el("li", "command-item");
    item.dataset.command = command.command;
    item.append(el("span", "command", "/" + command.command), el("span", "description", command.description));
    item.addEventListener("click", () => sendCommand(command.command));
    menu.append(item);
  }
  menu.hidden = shown.length === 0;
  $("inline-results").hidden = true;
}

async function sendCommand(name) {
  closePopups();
  $("text").value = "";
  await run(post("send", { text: "/" + name }));
}

$("menu-button").addEventListener("click", () => {
  if (state.webAppMenu) openMiniApp({ source: "menu" });
  else if ($("command-menu").hidden) showCommands("");
  else closePopups();
});

function inlineQuery(text) {
  const username = state.bot && state.bot.username;
  if (!username) return null;
  const match = /^@(\w+)\s([\s\S]*)$/.exec(text);
  if (!match || match[1].toLowerCase() !== username.toLowerCase()) return null;
  return match[2];
}

function askInline(query) {
  clearTimeout(state.inlineTimer);
  const seq = ++state.inlineSeq;
  state.inlineTimer = setTimeout(async () => {
    const body = await run(post("inline", { query }));
    if (!body || seq !== state.inlineSeq) return; // the user typed on meanwhile
    showResults(body.results);
  }, 350);
}

function showResults(results) {
  const list = $("inline-results");
  list.replaceChildren();
  for (const result of results) {
    const item = el("li", "inline-result");
    item.dataset.resultId = result.id;
    if (result.thumb) {
      const img = el("img", "thumb");
      img.src = result.thumb;
      img.alt = "";
      item.append(img);
    } else {
      item.append(el("div", "thumb"));
    }
    const texts = el("div", "texts");
    texts.append(el("span", "title", result.title), el("span", "description", result.description));
    item.append(texts);
    item.addEventListener("click", () => chooseResult(result.id));
    list.append(item);
  }
  if (results.length === 0) list.append(el("li", "muted", "No results"));
  list.hidden = false;
  $("command-menu").hidden = true;
}

async function chooseResult(id) {
  closePopups();
  const text = $("text").value;
  $("text").value = "";
  if (!(await run(post("choose", { result_id: id })))) $("text").value = text;
}

$("text").addEventListener("input", () => {
  const text = $("text").value;
  const query = inlineQuery(text);
  if (query !== null) {
    $("command-menu").hidden = true;
    askInline(query);
  } else if (/^\/\w*$/.test(text) && state.commands.length) {
    closePopups();
    showCommands(commandPrefix());
  } else {
    closePopups();
  }
});

// --- composer --------------------------------------------------------------------------------
$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = $("text");
  const text = input.value;
  if (!text.trim() || state.current === null) return;
  closePopups();
  input.value = "";
  const sent = await run(post("send", { text }));
  if (!sent) input.value = text;
});

$("attach-button").addEventListener("click", () => {
  $("attach-menu").hidden = !$("attach-menu").hidden;
});

for (const button of document.querySelectorAll("[data-attach]")) {
  button.addEventListener("click", () => {
    $("attach-menu").hidden = true;
    $("file-" + button.dataset.attach).click();
  });
}

$("share-contact").addEventListener("click", () => {
  $("attach-menu").hidden = true;
  run(post("contact", {}));
});

$("file-photo").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  const caption = $("text").value;
  $("text").value = "";
  await run(upload("photo", file, caption ? { caption } : {}));
});

$("file-document").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (file) await run(upload("document", file, {}));
});

function audioDuration(file) {
  return new Promise((resolve) => {
    const audio = document.createElement("audio");
    audio.preload = "metadata";
    audio.onloadedmetadata = () => {
      URL.revokeObjectURL(audio.src);
      resolve(Number.isFinite(audio.duration) ? Math.max(1, Math.round(audio.duration)) : 1);
    };
    audio.onerror = () => resolve(1);
    audio.src = URL.createObjectURL(file);
  });
}

$("file-voice").addEventListener("change", async (event) => {
  const file = event.target.files[0];
  event.target.value = "";
  if (!file) return;
  const duration = await audioDuration(file);
  await run(upload("voice", file, { duration: String(duration) }));
});

const recorder = { media: null, chunks: [], started: 0 };

$("record").addEventListener("click", async () => {
  const button = $("record");
  if (recorder.media && recorder.media.state === "recording") {
    recorder.media.stop();
    return;
  }
  if (!navigator.mediaDevices || !window.MediaRecorder) {
    toast("This browser cannot record audio here; attach a voice file instead", "error");
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true });
  } catch (error) {
    toast("No microphone: " + error.message, "error");
    return;
  }
  const type = ["audio/ogg;codecs=opus", "audio/webm;codecs=opus", "audio/webm"].find(
    (t) => MediaRecorder.isTypeSupported(t),
  );
  const media = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
  recorder.media = media;
  recorder.chunks = [];
  recorder.started = Date.now();
  media.ondataavailable = (e) => { if (e.data.size) recorder.chunks.push(e.data); };
  media.onstop = async () => {
    button.classList.remove("recording");
    for (const track of stream.getTracks()) track.stop();
    if (!recorder.chunks.length) {
      toast("Nothing was recorded: hold the microphone a little longer", "error");
      return;
    }
    const blob = new Blob(recorder.chunks, { type: media.mimeType || "audio/webm" });
    const duration = Math.max(1, Math.round((Date.now() - recorder.started) / 1000));
    const name = blob.type.includes("ogg") ? "voice.ogg" : "voice.webm";
    const file = new File([blob], name, { type: blob.type });
    if (await run(upload("voice", file, { duration: String(duration) }))) toast("Voice note sent");
  };
  media.start();
  button.classList.add("recording");
  toast("Recording… tap the microphone again to send");
});

// --- payments --------------------------------------------------------------------------------
let paying = null; // {message} for a chat invoice, {slug} for a Mini App's invoice link

function openPay(message) {
  showPaySheet({ message }, message.invoice);
}

function showPaySheet(what, invoice) {
  paying = what;
  $("pay-amount").textContent = invoice.amount;
  $("pay-title").textContent = invoice.title;
  $("pay-error").hidden = true;
  $("pay-dialog").hidden = false;
  $("pay-submit").disabled = false;
  $("card-number").focus();
}

function closePay(status) {
  const was = paying;
  $("pay-dialog").hidden = true;
  paying = null;
  if (was && was.slug) toMiniApp("invoice_closed", { slug: was.slug, status });
}

$("pay-cancel").addEventListener("click", () => closePay("cancelled"));

$("pay-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (!paying) return;
  $("pay-submit").disabled = true;
  $("pay-error").hidden = true;
  const card = {
    card_number: $("card-number").value,
    expiry: $("card-expiry").value,
    cvc: $("card-cvc").value,
  };
  try {
    if (paying.slug) {
      const body = await post("pay_link", { slug: paying.slug, ...card });
      if (body.status !== "paid") toast(`Payment failed: ${body.error}`, "error");
      else toast("Payment sent");
      closePay(body.status);
      return;
    }
    await post("pay", { message_id: paying.message.id, ...card });
    closePay("paid");
    toast("Payment sent");
  } catch (error) {
    $("pay-error").textContent = error.message;
    $("pay-error").hidden = false;
    $("pay-submit").disabled = false;
  }
});

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    if (!$("pay-dialog").hidden) closePay("cancelled");
    $("attach-menu").hidden = true;
    closePopups();
    openDrawer(false);
  }
});


// --- Mini Apps: Telegram's web view, played by the page -------------------------------------
// The page inside the iframe speaks Telegram's postMessage protocol (JSON strings of
// {eventType, eventData}); the emulator signs its initData (POST .../webapp).
const miniApp = {
  source: null, // what opened it: {source: button|keyboard|menu|link, ...}
  origin: null, // the page's origin: the only one messages go to
  theme: "light",
  themes: null,
  main: null, // the MainButton as the page last set it
  haptics: 0,
  popup: false,
};

const MINI_APP_LINK = /^https?:\/\/(?:t\.me|telegram\.me)\/([A-Za-z]\w{3,31})(\/[A-Za-z]\w{2,63})?\/?(\?[^#]*)?$/;

function appLink(url) {
  const match = MINI_APP_LINK.exec(url || "");
  if (!match || !state.bot || match[1].toLowerCase() !== String(state.bot.username).toLowerCase()) return false;
  return Boolean(match[2]) || new URLSearchParams(match[3] || "").has("startapp");
}

function frame() {
  return $("webapp-frame-box").querySelector("iframe");
}

function toMiniApp(eventType, eventData) {
  const target = frame();
  if (!target || !target.contentWindow || !miniApp.origin) return;
  target.contentWindow.postMessage(JSON.stringify({ eventType, eventData: eventData || {} }), miniApp.origin);
}

function applyPanelTheme() {
  const panel = $("webapp-panel");
  const theme = (miniApp.themes || {})[miniApp.theme] || {};
  const vars = {
    "--wa-bg": theme.bg_color,
    "--wa-text": theme.text_color,
    "--wa-header": theme.header_bg_color || theme.bg_color,
    "--wa-bottom": theme.bottom_bar_bg_color || theme.bg_color,
    "--wa-link": theme.link_color,
    "--wa-button": theme.button_color,
    "--wa-button-text": theme.button_text_color,
    "--wa-separator": theme.section_separator_color,
  };
  for (const [name, value] of Object.entries(vars)) {
    if (value) panel.style.setProperty(name, value);
  }
  panel.dataset.theme = miniApp.theme;
  const next = miniApp.theme === "light" ? "dark" : "light";
  $("webapp-theme").textContent = next === "dark" ? "☾" : "☀";
  $("webapp-theme").setAttribute("aria-label", `Switch to the ${next} theme`);
}

function renderMainButton() {
  const main = miniApp.main;
  const bar = $("webapp-bottom");
  bar.hidden = !(main && main.is_visible);
  if (bar.hidden) return;
  const button = $("webapp-main-button");
  const theme = miniApp.themes[miniApp.theme];
  button.querySelector(".label").textContent = main.text || "";
  button.style.background = main.color || theme.button_color;
  button.style.color = main.text_color || theme.button_text_color;
  button.disabled = main.is_active === false;
  button.querySelector(".spinner").hidden = !main.is_progress_visible;
}

async function openMiniApp(request) {
  const body = await run(post("webapp", { ...request, theme: miniApp.theme }));
  if (!body) return;
  closeMiniApp();
  miniApp.source = request;
  miniApp.themes = body.themes;
  miniApp.origin = new URL(body.url).origin;
  $("webapp-title").textContent = body.title;
  applyPanelTheme();
  // a new iframe every time: a URL differing only in its fragment would not reload the page
  const view = el("iframe");
  view.id = "webapp-frame";
  view.title = body.title;
  view.src = body.url;
  $("webapp-frame-box").replaceChildren(view);
  const panel = $("webapp-panel");
  panel.dataset.ready = "false";
  panel.hidden = false;
}

function closeMiniApp() {
  if (paying && paying.slug) closePay("cancelled");
  $("webapp-frame-box").replaceChildren();
  $("webapp-panel").hidden = true;
  $("webapp-back").hidden = true;
  $("webapp-popup").hidden = true;
  miniApp.main = null;
  miniApp.source = null;
  miniApp.popup = false;
  renderMainButton();
}

function sendViewport() {
  const box = $("webapp-frame-box");
  toMiniApp("viewport_changed", { height: box.clientHeight, is_expanded: true, is_state_stable: true });
}

async function openInvoice(slug) {
  if (paying) {
    toMiniApp("invoice_closed", { slug, status: "failed" });
    return;
  }
  try {
    const invoice = await call(`/invoices/${encodeURIComponent(slug)}`);
    showPaySheet({ slug }, invoice);
  } catch (error) {
    toast(error.message, "error");
    toMiniApp("invoice_closed", { slug, status: "failed" });
  }
}

function showMiniAppPopup(data) {
  if (miniApp.popup) return;
  miniApp.popup = true;
  $("popup-title").textContent = data.title || $("webapp-title").textContent;
  $("popup-message").textContent = data.message || "";
  const labels = { ok: "OK", close: "Close", cancel: "Cancel" };
  const buttons = (data.buttons || [{ type: "close" }]).map((spec) => {
    const button = el("button", spec.type === "destructive" ? "destructive" : "", spec.text || labels[spec.type] || "OK");
    button.type = "button";
    button.addEventListener("click", () => {
      $("webapp-popup").hidden = true;
      miniApp.popup = false;
      toMiniApp("popup_closed", { button_id: spec.id || "" });
    });
    return button;
  });
  $("popup-buttons").replaceChildren(...buttons);
  $("webapp-popup").hidden = false;
}

function haptic() {
  const panel = $("webapp-panel");
  miniApp.haptics += 1;
  panel.dataset.haptics = String(miniApp.haptics);
  panel.classList.remove("haptic");
  void panel.offsetWidth;
  panel.classList.add("haptic");
  if (navigator.vibrate) navigator.vibrate(15);
}

function setHeaderColor(data) {
  const theme = miniApp.themes[miniApp.theme];
  const color = data.color_key ? theme[data.color_key] : data.color;
  if (/^#[0-9a-f]{6}$/i.test(color || "")) $("webapp-panel").style.setProperty("--wa-header", color);
}

const fromMiniApp = {
  web_app_ready() {
    $("webapp-panel").dataset.ready = "true";
    sendViewport();
  },
  web_app_expand: sendViewport,
  web_app_request_viewport: sendViewport,
  web_app_request_theme() {
    toMiniApp("theme_changed", { theme_params: miniApp.themes[miniApp.theme] });
  },
  web_app_setup_main_button(data) {
    miniApp.main = data;
    renderMainButton();
  },
  web_app_setup_back_button(data) {
    $("webapp-back").hidden = !data.is_visible;
  },
  web_app_close: closeMiniApp,
  web_app_trigger_haptic_feedback: haptic,
  web_app_open_invoice(data) {
    if (typeof data.slug === "string") openInvoice(data.slug);
  },
  web_app_open_popup: showMiniAppPopup,
  web_app_set_header_color: setHeaderColor,
  async web_app_data_send(data) {
    const source = miniApp.source;
    if (!source || source.source !== "keyboard") return; // Telegram takes data from keyboard apps only
    if (await run(post("web_app_data", { button_text: source.text, data: data.data }))) closeMiniApp();
  },
  web_app_open_link(data) {
    if (/^https?:\/\//.test(data.url || "")) window.open(data.url, "_blank", "noopener");
  },
  web_app_open_tg_link(data) {
    const url = "https://t.me" + (data.path_full || "/");
    if (appLink(url)) openMiniApp({ source: "link", url });
    else window.open(url, "_blank", "noopener");
  },
};

window.addEventListener("message", (event) => {
  const target = frame();
  if (!target || event.source !== target.contentWindow) return;
  let message;
  try {
    message = JSON.parse(event.data);
  } catch (_) {
    return;
  }
  const handle = message && fromMiniApp[message.eventType];
  if (handle) handle(message.eventData || {});
});

$("webapp-close").addEventListener("click", closeMiniApp);
$("webapp-back").addEventListener("click", () => toMiniApp("back_button_pressed"));
$("webapp-main-button").addEventListener("click", () => {
  if (miniApp.main && miniApp.main.is_active !== false) toMiniApp("main_button_pressed");
});
$("webapp-theme").addEventListener("click", () => {
  miniApp.theme = miniApp.theme === "light" ? "dark" : "light";
  applyPanelTheme();
  renderMainButton();
  toMiniApp("theme_changed", { theme_params: miniApp.themes[miniApp.theme] });
});
window.addEventListener("resize", () => { if (!$("webapp-panel").hidden) sendViewport(); });

// t.me/<bot>?startapp=... links in messages open the Mini App, as in Telegram
$("messages").addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || !appLink(link.href)) return;
  event.preventDefault();
  openMiniApp({ source: "link", url: link.getAttribute("href") });
});

loadPersonas().catch((error) => toast("Cannot reach the emulator: " + error.message, "error"));
