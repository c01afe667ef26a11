/*
 * PatientBot web chat widget. Embed with one tag:
 *   <script src="https://GATEWAY/widget.js" data-patientbot></script>
 * It adds a chat bubble; the conversation lives on the gateway and survives reloads
 * through a session token kept in localStorage (only its hash is stored server-side).
 * Transport: WebSocket with reconnect; HTTP (POST + polling) when sockets fail.
 * Every piece of message text is rendered with textContent, never as HTML.
 */
(function () {
  "use strict";
  if (window.__patientbotWidget) return;
  window.__patientbotWidget = true;

  var script = document.currentScript || document.querySelector("script[data-patientbot]");
  var base = new URL(script && script.src ? script.src : "/widget.js", window.location.href).origin;
  var TOKEN_KEY = "patientbot.token";
  var OPEN_KEY = "patientbot.open";
  var state = {
    token: null, ws: null, wsOpen: false, failures: 0, mode: "ws", lastId: 0,
    seen: {}, pollTimer: null, retryTimer: null, open: false
  };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  var css = el("link", { rel: "stylesheet", href: base + "/widget.css" });
  document.head.appendChild(css);

  var root = el("div", { class: "pb-root" });
  var bubble = el("button", {
    type: "button", class: "pb-bubble", "aria-label": "Open chat with PatientBot",
    "aria-expanded": "false", "aria-controls": "pb-panel"
  }, "Chat");
  var panel = el("section", {
    id: "pb-panel", class: "pb-panel", role: "dialog", "aria-labelledby": "pb-title", hidden: ""
  });
  var header = el("header", { class: "pb-header" });
  var title = el("h2", { id: "pb-title", class: "pb-title" }, "PatientBot");
  var eraseButton = el("button", { type: "button", class: "pb-icon", "aria-label": "Erase this conversation" }, "Erase");
  var closeButton = el("button", { type: "button", class: "pb-icon", "aria-label": "Close chat" }, "\u00d7");
  var tipsButton = el("button", {
    type: "button", class: "pb-icon", "aria-expanded": "false", "aria-controls": "pb-tips"
  }, "Health tips");
  header.appendChild(title); header.appendChild(tipsButton); header.appendChild(eraseButton); header.appendChild(closeButton);
  var tips = el("fieldset", { id: "pb-tips", class: "pb-tips", hidden: "" });
  var log = el("div", {
    class: "pb-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", tabindex: "0"
  });
  var typing = el("div", { class: "pb-typing", role: "status", "aria-live": "polite" });
  var replies = el("div", { class: "pb-replies", role: "group", "aria-label": "Quick replies" });
  var alertBox = el("div", { class: "pb-alert", role: "alert" });
  var form = el("form", { class: "pb-form" });
  var label = el("label", { for: "pb-input", class: "pb-visually-hidden" }, "Your message");
  var input = el("textarea", {
    id: "pb-input", class: "pb-input", rows: "1", maxlength: "2000",
    placeholder: "Type your question\u2026", autocomplete: "off"
  });
  var send = el("button", { type: "submit", class: "pb-send", "aria-label": "Send message" }, "Send");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(header); panel.appendChild(tips); panel.appendChild(log); panel.appendChild(typing);
  panel.appendChild(replies); panel.appendChild(alertBox); panel.appendChild(form);
  root.appendChild(panel); root.appendChild(bubble);
  document.body.appendChild(root);

  var SPEAKERS = { patient: "You", bot: "PatientBot", clinician: "Clinician", system: "PatientBot" };

  function showAlert(text) {
    alertBox.textContent = text || "";
  }

  function setTyping(on) {
    typing.textContent = on ? "PatientBot is typing\u2026" : "";
    typing.classList.toggle("pb-typing-on", !!on);
  }

  function renderReplies(message) {
    replies.textContent = "";
    (message.buttons || []).forEach(function (button) {
      var b = el("button", { type: "button", class: "pb-reply" }, button.title);
      b.addEventListener("click", function () {
        replies.textContent = "";
        sendFrame({ type: "button", message_id: message.id, index: button.index });
        input.focus();
      });
      replies.appendChild(b);
    });
  }

  function addMessage(message) {
    if (!message || state.seen[message.id]) return;
    state.seen[message.id] = true;
    state.lastId = Math.max(state.lastId, message.id);
    var item = el("div", { class: "pb-msg pb-" + message.sender, "data-id": String(message.id) });
    item.appendChild(el("span", { class: "pb-visually-hidden" }, (SPEAKERS[message.sender] || "") + ": "));
    var body = el("p", { class: "pb-text" });
    body.textContent = message.text;  // text, never HTML
    item.appendChild(body);
    log.appendChild(item);
    log.scrollTop = log.scrollHeight;
    if (message.sender !== "patient") {
      setTyping(false);
      renderReplies(message);
    } else {
      replies.textContent = "";
    }
  }

  function clearConversation(text) {
    log.textContent = "";
    replies.textContent = "";
    state.seen = {};
    state.lastId = 0;
    if (text) log.appendChild(el("p", { class: "pb-msg pb-system" }, text));
  }

  function http(method, path, body) {
    var headers = { "X-PatientBot-Session": state.token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(base + path, {
      method: method, headers: headers, body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.detail || "Request failed");
        return data;
      });
    });
  }

  function ensureToken() {
    state.token = window.localStorage.getItem(TOKEN_KEY);
    if (state.token) return Promise.resolve(state.token);
    return fetch(base + "/webchat/api/session", { method: "POST" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        state.token = data.token;
        window.localStorage.setItem(TOKEN_KEY, state.token);
        return state.token;
      });
  }

  function onFrame(frame) {
    if (frame.type === "ready") {
      (frame.messages || []).forEach(addMessage);
    } else if (frame.type === "message") {
      addMessage(frame.message);
    } else if (frame.type === "typing") {
      setTyping(frame.on);
    } else if (frame.type === "error") {
      showAlert(frame.detail);
    } else if (frame.type === "deleted") {
      clearConversation(frame.text);
    }
  }

  function connect() {
    if (state.ws || !state.token) return;
    var url = base.replace(/^http/, "ws") + "/webchat/ws";
    var ws;
    try { ws = new WebSocket(url); } catch (e) { fallBack(); return; }
    state.ws = ws;
    ws.onopen = function () {
      state.wsOpen = true;
      state.failures = 0;
      state.mode = "ws";
      stopPolling();
      ws.send(JSON.stringify({ type: "hello", token: state.token, after: state.lastId }));
    };
    ws.onmessage = function (event) {
      try { onFrame(JSON.parse(event.data)); } catch (e) { /* ignore a bad frame */ }
    };
    ws.onclose = function () {
      var wasOpen = state.wsOpen;
      state.ws = null;
      state.wsOpen = false;
      state.failures = wasOpen ? 1 : state.failures + 1;
      if (state.failures >= 3) fallBack();
      var delay = Math.min(1000 * Math.pow(2, state.failures - 1), state.mode === "http" ? 30000 : 15000);
      clearTimeout(state.retryTimer);
      state.retryTimer = setTimeout(connect, delay);
    };
  }

  function poll() {
    http("GET", "/webchat/api/messages?after=" + state.lastId)
      .then(function (data) { data.messages.forEach(addMessage); })
      .catch(function () { /* next round */ });
  }

  function fallBack() {
    if (state.mode === "http") return;
    state.mode = "http";
    poll();
    state.pollTimer = setInterval(poll, 3000);
  }

  function stopPolling() {
    if (state.pollTimer) clearInterval(state.pollTimer);
    state.pollTimer = null;
  }

  function sendFrame(frame) {
    showAlert("");
    if (state.ws && state.wsOpen) {
      state.ws.send(JSON.stringify(frame));
      return;
    }
    var body = frame.type === "button"
      ? { button: { message_id: frame.message_id, index: frame.index } }
      : { text: frame.text };
    setTyping(true);
    http("POST", "/webchat/api/messages", body)
      .then(function (data) { data.messages.forEach(addMessage); })
      .catch(function (error) { showAlert(error.message); })
      .then(function () { setTyping(false); });
  }

  // Health tips: bulletin topics with consent, and bulletins sent while the widget was closed.
  function renderTips(data) {
    tips.textContent = "";
    tips.appendChild(el("legend", {}, "Health tips"));
    tips.appendChild(el("p", { class: "pb-tips-prompt" }, data.prompt));
    data.topics.forEach(function (topic) {
      var id = "pb-tip-" + topic.id;
      var row = el("div", { class: "pb-tip" });
      var box = el("input", { type: "checkbox", id: id, "data-topic": topic.id });
      box.checked = topic.subscribed;
      box.addEventListener("change", function () {
        http("POST", "/webchat/api/bulletins/topics", { topic: topic.id, subscribed: box.checked })
          .then(renderTips).catch(function (error) { showAlert(error.message); });
      });
      row.appendChild(box); row.appendChild(el("label", { for: id }, topic.title));
      tips.appendChild(row);
    });
  }

  function toggleTips() {
    var show = tips.hidden;
    tips.hidden = !show;
    tipsButton.setAttribute("aria-expanded", show ? "true" : "false");
    if (show) {
      ensureToken().then(function () { return http("GET", "/webchat/api/bulletins/topics"); })
        .then(renderTips).catch(function (error) { showAlert(error.message); });
    }
  }

  function showUnseen() {
    return http("GET", "/webchat/api/bulletins/unseen").then(function (data) {
      data.bulletins.forEach(function (bulletin) {
        var item = el("div", { class: "pb-msg pb-bot pb-bulletin", "data-bulletin": bulletin.id });
        item.appendChild(el("span", { class: "pb-visually-hidden" }, "Health tip: "));
        item.appendChild(el("p", { class: "pb-text" }, bulletin.text));
        log.appendChild(item);
        log.scrollTop = log.scrollHeight;
      });
    }).catch(function () { /* shown next time */ });
  }

  function openPanel() {
    state.open = true;
    panel.hidden = false;
    bubble.setAttribute("aria-expanded", "true");
    root.classList.add("pb-is-open");
    window.sessionStorage.setItem(OPEN_KEY, "1");
    input.focus();
    ensureToken().then(function () { connect(); showUnseen(); })
      .catch(function () { showAlert("Chat is unavailable right now."); });
  }

  function closePanel() {
    state.open = false;
    panel.hidden = true;
    bubble.setAttribute("aria-expanded", "false");
    root.classList.remove("pb-is-open");
    window.sessionStorage.removeItem(OPEN_KEY);
    bubble.focus();
  }

  bubble.addEventListener("click", function () { state.open ? closePanel() : openPanel(); });
  closeButton.addEventListener("click", closePanel);
  tipsButton.addEventListener("click", toggleTips);
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); closePanel(); }
  });
  eraseButton.addEventListener("click", function () {
    if (!window.confirm("Erase this conversation and everything you wrote?")) return;
    if (state.ws && state.wsOpen) {
      state.ws.send(JSON.stringify({ type: "delete" }));
    } else {
      http("DELETE", "/webchat/api/conversation").then(function (data) { clearConversation(data.text); });
    }
    input.focus();
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit"));
    }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { showAlert("Please type a message first."); return; }
    if (text.length > 2000) { showAlert("The message is too long: the limit is 2000 characters."); return; }
    input.value = "";
    sendFrame({ type: "message", text: text });
  });

  if (window.sessionStorage.getItem(OPEN_KEY) === "1") openPanel();
  window.PatientBotWidget = { open: openPanel, close: closePanel };
})();
