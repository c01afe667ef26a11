// PatientBot clinician console: live queue and transcript over server-sent events.
// The server renders every fragment (escaped); this file only fetches and places them.
(function () {
  "use strict";

  var body = document.body;
  var page = body.dataset.page;

  function debounce(fn, ms) {
    var timer = null;
    return function () {
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(fn, ms);
    };
  }

  // Run `task` (returns a promise) one at a time: a call made while it runs schedules one
  // more run afterwards, so responses can never arrive out of order.
  function singleFlight(task) {
    var busy = false;
    var again = false;
    function run() {
      if (busy) { again = true; return; }
      busy = true;
      task().catch(function () { /* the next event or poll tries again */ }).then(function () {
        busy = false;
        if (again) { again = false; run(); }
      });
    }
    return run;
  }

  function get(url, accept) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: accept } }).then(function (r) {
      if (r.status === 401) { window.location.assign("/console/login"); throw new Error("logged out"); }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      return accept === "application/json" ? r.json() : r.text();
    });
  }

  function setLive(text, state) {
    var el = document.getElementById("live");
    if (el) { el.textContent = text; }
    body.dataset.live = state;
  }

  function connect(url, onUpdate) {
    var source = new EventSource(url);
    source.addEventListener("ready", function () {
      setLive("live", "ready");
      onUpdate({ type: "refresh", topic: "ready" });  // catch up on anything missed while away
    });
    source.addEventListener("update", function (e) {
      var data = {};
      try { data = JSON.parse(e.data); } catch (err) { data = {}; }
      onUpdate(data);
    });
    source.addEventListener("logout", function () {
      source.close();
      window.location.assign("/console/login");
    });
    source.onerror = function () { setLive("reconnecting…", "reconnecting"); };
    return source;
  }

  function minutesSince(iso) {
    var then = Date.parse(iso);
    if (isNaN(then)) { return null; }
    return Math.max(0, Math.round((Date.now() - then) / 60000));
  }

  function tick() {
    var nodes = document.querySelectorAll("time[data-since]");
    for (var i = 0; i < nodes.length; i++) {
      var m = minutesSince(nodes[i].dataset.since);
      if (m === null) { continue; }
      if (!nodes[i].dataset.label) { nodes[i].dataset.label = nodes[i].textContent; }
      nodes[i].dataset.minutes = String(m);
      nodes[i].textContent = nodes[i].dataset.label + " (" + (m < 1 ? "just now" : m + " min") + ")";
    }
  }

  if (page === "queue") {
    var box = document.getElementById("queue");
    var refresh = debounce(singleFlight(function () {
      return get("/console/partials/queue", "text/html").then(function (html) {
        box.innerHTML = html;
        tick();
      });
    }), 100);
    connect("/console/events", refresh);
  }

  if (page === "handoff") {
    var id = body.dataset.handoffId;
    var list = document.getElementById("transcript");
    var notice = document.getElementById("notice");
    // Messages already on the page are never added twice.
    var fetchMore = singleFlight(function () {
      return get("/console/partials/handoffs/" + id + "/messages?after=" + list.dataset.lastId, "text/html")
        .then(function (html) {
          var holder = document.createElement("template");
          holder.innerHTML = html;
          var last = Number(list.dataset.lastId);
          var items = holder.content.querySelectorAll("li[data-id]");
          for (var i = 0; i < items.length; i++) {
            var messageId = Number(items[i].dataset.id);
            if (messageId > last) {
              list.appendChild(items[i]);
              last = messageId;
            }
          }
          if (last > Number(list.dataset.lastId)) {
            list.dataset.lastId = String(last);
            list.lastElementChild.scrollIntoView({ block: "nearest" });
          }
        });
    });
    var more = debounce(fetchMore, 100);
    var state = debounce(function () {
      get("/console/api/handoffs/" + id, "application/json").then(function (s) {
        document.getElementById("status").textContent = s.status;
        var changed = s.status !== body.dataset.status || String(s.mine) !== body.dataset.mine;
        if (changed) {
          notice.textContent = "This handoff is now " + s.status +
            (s.claimed_by ? " (" + s.claimed_by + ")" : "") + ". Reload the page to act on it.";
          notice.hidden = false;
          var forms = document.querySelectorAll("#reply-form button, #resolve-form button");
          for (var i = 0; i < forms.length; i++) { forms[i].disabled = !s.mine; }
        }
      }).catch(function () {});
    }, 100);
    connect("/console/events?handoff=" + encodeURIComponent(id), function (ev) {
      if (ev.topic === "conversation" || ev.type === "handoff_message" || ev.type === "refresh") { more(); }
      if (ev.handoff_id === id || ev.type === "refresh") { state(); }
    });

    var canned = document.getElementById("canned");
    var reply = document.getElementById("reply");
    if (canned && reply) {
      canned.addEventListener("change", function () {
        var option = canned.options[canned.selectedIndex];
        if (option && option.dataset.text) { reply.value = option.dataset.text; reply.focus(); }
      });
    }
  }

  tick();
  setInterval(tick, 30000);
})();
